/**
 * Per-call prices of built-in tools, New API's `GetWebSearchPricePerThousand`: web_search_preview costs
 * $10 per 1,000 calls on o3/o4/gpt-5 models and $25 on the others. The surcharge is price / 1000 ×
 * QuotaPerUnit × group ratio per call, added to the token charge (New API's PostTextConsumeQuota).
 */
import type { PriceData } from "./pricing.ts";
import { toQuota } from "./quota_math.ts";

export function webSearchPricePerThousand(model: string): number {
  return model.startsWith("o3") || model.startsWith("o4") || model.startsWith("gpt-5") ? 10 : 25;
}

/** The quota `calls` web searches add for `price`'s model and group. */
export function webSearchQuota(price: PriceData, calls: number): number {
  if (!(calls > 0)) return 0;
  const perCall = webSearchPricePerThousand(price.model) / 1000;
  return toQuota(perCall * calls * price.quotaPerUnit * price.groupRatio, "settle_tool").quota;
}
