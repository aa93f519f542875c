/**
 * What a top-up costs and what it credits, New API's rules: money = amount × Price × TopupGroupRatio of
 * the user's group (0 or absent counts as 1) × the AmountDiscount for that exact amount (if above 0).
 * When the site counts in tokens (`quota_display_type` TOKENS) the amount is in quota units and is first
 * turned into whole currency units. Pure; the options are read by the caller.
 */

export interface TopUpPricing {
  /** Price per currency unit (New API's `Price`, or `StripeUnitPrice` for Stripe). */
  price: number;
  /** TopupGroupRatio of the user's group. */
  groupRatio: number;
  /** payment_setting.amount_discount: amount → multiplier. */
  discounts: Record<string, number>;
  displayTokens: boolean;
  quotaPerUnit: number;
}

/** The whole currency units an `amount` buys (the `top_ups.amount` column). */
export function topUpUnits(amount: number, p: Pick<TopUpPricing, "displayTokens" | "quotaPerUnit">): number {
  return p.displayTokens ? Math.floor(amount / p.quotaPerUnit) : amount;
}

/** The quota credited for `units` whole currency units; never rounded up. */
export function topUpQuota(units: number, quotaPerUnit: number): number {
  return Math.floor(units * quotaPerUnit);
}

/** The money to charge, rounded to cents. */
export function topUpMoney(amount: number, p: TopUpPricing): number {
  const units = p.displayTokens ? amount / p.quotaPerUnit : amount;
  const ratio = p.groupRatio > 0 ? p.groupRatio : 1;
  const d = p.discounts[String(amount)];
  const discount = typeof d === "number" && d > 0 ? d : 1;
  return toCents(units * p.price * ratio * discount) / 100;
}

/** Money in whole cents, for comparing a callback's amount with the order's. */
export function toCents(money: number): number {
  return Math.round(money * 100 + Number.EPSILON);
}
