/** The top-up options as the payment routes need them, read from the catalog (never the database). */
import { optionRegistry as o } from "../options/index.ts";
import type { OptionSource } from "../options/registry.ts";
import type { TopUpPricing } from "./top_up_price.ts";
import type { EpayMerchant } from "./epay/purchase.ts";

export interface PayMethod {
  name: string;
  type: string;
  color?: string;
  min_topup?: string;
}

export function topUpPricing(cat: OptionSource, group: string, price = o.float(cat, "Price")): TopUpPricing {
  const ratios = o.json<Record<string, number>>(cat, "TopupGroupRatio") ?? {};
  return {
    price,
    groupRatio: Number(ratios[group] ?? 1),
    discounts: o.json<Record<string, number>>(cat, "payment_setting.amount_discount") ?? {},
    displayTokens: o.string(cat, "general_setting.quota_display_type") === "TOKENS",
    quotaPerUnit: o.float(cat, "QuotaPerUnit") || 500000,
  };
}

/** The smallest amount a user may buy, in what they type (quota units when the site counts tokens). */
export function minTopUp(cat: OptionSource, key = "MinTopUp"): number {
  const min = o.int(cat, key);
  if (o.string(cat, "general_setting.quota_display_type") !== "TOKENS") return min;
  return Math.floor(min * (o.float(cat, "QuotaPerUnit") || 500000));
}

/** PayAddress, EpayId and EpayKey, or undefined while any is empty (Epay off). */
export function epayMerchant(cat: OptionSource): EpayMerchant | undefined {
  const m = {
    address: o.string(cat, "PayAddress"),
    pid: o.string(cat, "EpayId"),
    key: o.string(cat, "EpayKey"),
  };
  return m.address && m.pid && m.key ? m : undefined;
}

export function payMethods(cat: OptionSource): PayMethod[] {
  const list = o.json<PayMethod[]>(cat, "PayMethods");
  return Array.isArray(list) ? list : [];
}

/** Where providers call back: CustomCallbackAddress, else ServerAddress, else the request's own origin. */
export function callbackBase(cat: OptionSource, requestOrigin: string): string {
  return (o.string(cat, "CustomCallbackAddress") || o.string(cat, "ServerAddress") || requestOrigin)
    .replace(/\/+$/, "");
}

/** Where the user's browser comes back to after paying: the console's wallet page. */
export function returnBase(cat: OptionSource, requestOrigin: string): string {
  return (o.string(cat, "ServerAddress") || requestOrigin).replace(/\/+$/, "");
}
