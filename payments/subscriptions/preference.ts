/**
 * A user's billing preference (New API's `billing_preference` user setting): which of the subscription and
 * the wallet pays for a relay request first, or alone.
 */

export const BillingPreferences = [
  "subscription_first",
  "wallet_first",
  "subscription_only",
  "wallet_only",
] as const;
export type BillingPreference = typeof BillingPreferences[number];

/** New API's rule: anything else is `subscription_first`. */
export function billingPreferenceOf(value: unknown): BillingPreference {
  const v = typeof value === "string" ? value.trim() : "";
  return (BillingPreferences as readonly string[]).includes(v)
    ? v as BillingPreference
    : "subscription_first";
}
