/** Subscription rows as New API's JSON writes them (its Go field tags: the column names). */
import type { Plan, UserSubscription } from "../../store/subscriptions.ts";

export function planView(p: Plan) {
  return {
    id: p.id,
    title: p.title,
    subtitle: p.subtitle,
    price_amount: p.priceAmount,
    currency: p.currency,
    duration_unit: p.durationUnit,
    duration_value: p.durationValue,
    custom_seconds: p.customSeconds,
    enabled: p.enabled,
    sort_order: p.sortOrder,
    allow_balance_pay: p.allowBalancePay,
    allow_wallet_overflow: p.allowWalletOverflow,
    stripe_price_id: p.stripePriceId,
    creem_product_id: p.creemProductId,
    waffo_pancake_product_id: p.waffoPancakeProductId,
    max_purchase_per_user: p.maxPurchasePerUser,
    upgrade_group: p.upgradeGroup,
    downgrade_group: p.downgradeGroup,
    total_amount: p.totalAmount,
    quota_reset_period: p.quotaResetPeriod,
    quota_reset_custom_seconds: p.quotaResetCustomSeconds,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function userSubscriptionView(s: UserSubscription) {
  return {
    id: s.id,
    user_id: s.userId,
    plan_id: s.planId,
    amount_total: s.amountTotal,
    amount_used: s.amountUsed,
    start_time: s.startTime,
    end_time: s.endTime,
    status: s.status,
    source: s.source,
    last_reset_time: s.lastResetTime,
    next_reset_time: s.nextResetTime,
    upgrade_group: s.upgradeGroup,
    prev_user_group: s.prevUserGroup,
    downgrade_group: s.downgradeGroup,
    allow_wallet_overflow: s.allowWalletOverflow,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/** New API's SubscriptionSummary: `{subscription}`. */
export const summaryView = (s: UserSubscription) => ({ subscription: userSubscriptionView(s) });
