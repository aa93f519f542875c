/** Quota amounts in log text the way New API writes them: dollars when the site shows currency, else units. */
import { optionRegistry } from "../../options/index.ts";
import type { OptionSource } from "../../options/registry.ts";

export function formatQuota(source: OptionSource, quota: number): string {
  if (!optionRegistry.bool(source, "DisplayInCurrencyEnabled")) return `${quota} quota`;
  const perUnit = optionRegistry.float(source, "QuotaPerUnit") || 500000;
  return `$${(quota / perUnit).toFixed(6)}`;
}
