/**
 * Who pays for a relay request, New API's `NewBillingSession` rules: the user's `billing_preference` picks
 * the subscription or the wallet (`subscription_first`, the default, uses the wallet when the user has no
 * active subscription, and when the subscriptions cannot cover the hold only if every active one allows
 * wallet overflow; `wallet_first` falls back to the subscription when the wallet is short; the `_only`
 * forms never fall back). Also the consume log's `billing_source` / `subscription_*` fields.
 */
import type { BillingPreference } from "../../payments/subscriptions/preference.ts";
import type { SubscriptionHold, SubscriptionSettlement } from "../../store/subscription_funding.ts";

/** The funding steps a preference tries, in order; `overflow` marks the wallet step gated by the subscriptions. */
export function fundingOrder(
  pref: BillingPreference,
  hasSubscription: boolean,
): ("wallet" | "subscription" | "overflow")[] {
  switch (pref) {
    case "wallet_only":
      return ["wallet"];
    case "subscription_only":
      return ["subscription"];
    case "wallet_first":
      return ["wallet", "subscription"];
    default:
      return hasSubscription ? ["subscription", "overflow"] : ["wallet"];
  }
}

/** A subscription-paid request's log fields (New API's appendBillingInfo). */
export function subscriptionLogOther(
  pref: BillingPreference | undefined,
  hold: SubscriptionHold,
  settled: SubscriptionSettlement | undefined,
  walletDeducted: number,
): Record<string, unknown> {
  const postDelta = settled?.postDelta ?? 0;
  const other: Record<string, unknown> = { billing_source: "subscription" };
  if (pref) other.billing_preference = pref;
  other.subscription_id = hold.subscriptionId;
  if (hold.preConsumed > 0) other.subscription_pre_consumed = hold.preConsumed;
  if (postDelta !== 0) other.subscription_post_delta = postDelta;
  if (hold.planId) other.subscription_plan_id = hold.planId;
  if (hold.planTitle) other.subscription_plan_title = hold.planTitle;
  const total = settled?.amountTotal ?? hold.amountTotal;
  const used = Math.max(0, settled?.amountUsed ?? hold.amountUsedAfter);
  if (total > 0) {
    other.subscription_total = total;
    other.subscription_used = used;
    other.subscription_remain = Math.max(0, total - used);
  }
  other.subscription_consumed = Math.max(0, hold.preConsumed + postDelta);
  if (walletDeducted > 0) other.wallet_quota_deducted = walletDeducted;
  return other;
}

/**
 * Whether a user has an active subscription, remembered per catalog user object for `ttlMs`: the catalog
 * replaces a user's object when a purchase, grant or expiry publishes the user, so only a change made
 * outside this gateway waits for the time-out. A request of a user without subscriptions costs no query.
 */
export class SubscriptionPresence {
  readonly #known = new WeakMap<object, { active: boolean; until: number }>();
  constructor(private readonly ttlMs = 10_000) {}

  async active(user: object | undefined, load: () => Promise<boolean>): Promise<boolean> {
    const now = Date.now();
    const hit = user ? this.#known.get(user) : undefined;
    if (hit && hit.until > now) return hit.active;
    const active = await load();
    if (user) this.#known.set(user, { active, until: now + this.ttlMs });
    return active;
  }

  forget(user: object | undefined): void {
    if (user) this.#known.delete(user);
  }
}
