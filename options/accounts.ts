/** Account-area options with New API's keys (how many tokens one user may hold) and quota bounds. */
import { intOption, type OptionDef, type OptionSource } from "./registry.ts";

export const accountOptions: OptionDef[] = [
  intOption("token_setting.max_user_tokens", 1000, 1, 100_000),
];

/** The largest quota a user, token or code may hold: New API's 1e9 units × QuotaPerUnit, never unsafe. */
export function maxQuota(source: OptionSource): number {
  const perUnit = Number(source.option("QuotaPerUnit") ?? "500000");
  const bound = Math.floor(1_000_000_000 * (Number.isFinite(perUnit) && perUnit > 0 ? perUnit : 500000));
  return Math.min(bound, Number.MAX_SAFE_INTEGER);
}
