/**
 * Buying a plan from the wallet (New API's `balance/pay`): in one transaction the price in quota leaves the
 * balance (a conditional UPDATE: never below zero, whatever the concurrency), the subscription is created,
 * a `success` order with provider `balance` records it, and a top-up log row says so.
 */
import type { Db } from "./db.ts";
import { type AddLog, type LogTarget, transactionWithLogs } from "./transaction_logs.ts";
import {
  checkPurchaseLimit,
  createSubscriptionTx,
  getPlan,
  insertSubscriptionOrderTx,
  type Plan,
  SubscriptionError,
  type UserSubscription,
} from "./subscriptions.ts";
import { balanceQuotaOf } from "../payments/subscriptions/period.ts";
import { randomAlphanumeric } from "../crypto/token_key.ts";

export interface BalancePurchase {
  userId: number;
  planId: number;
  quotaPerUnit: number;
  /** Adds the log row for the purchase, in the same transaction. */
  onBought(plan: Plan, quota: number, addLog: AddLog): Promise<void>;
}

export async function buyWithBalance(
  db: Db,
  logs: LogTarget,
  r: BalancePurchase,
): Promise<{ subscription: UserSubscription; quota: number; plan: Plan }> {
  return await transactionWithLogs(db, logs, async (tx, addLog) => {
    const plan = await getPlan(tx, r.planId);
    if (!plan) throw new SubscriptionError("plan_missing");
    if (!plan.enabled) throw new SubscriptionError("plan_disabled");
    if (!plan.allowBalancePay) throw new SubscriptionError("no_balance_pay");
    const quota = balanceQuotaOf(plan.priceAmount, r.quotaPerUnit);
    if (quota > 0) {
      const paid = await tx.exec(
        "UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ? AND deleted_at IS NULL",
        [quota, r.userId, quota],
      );
      if (paid.changes !== 1) throw new SubscriptionError("balance");
    }
    await checkPurchaseLimit(tx, r.userId, plan);
    const subscription = await createSubscriptionTx(tx, r.userId, plan, "balance");
    await insertSubscriptionOrderTx(tx, {
      userId: r.userId,
      planId: plan.id,
      money: plan.priceAmount,
      tradeNo: `SUBBALUSR${r.userId}NO${randomAlphanumeric(6)}${Date.now()}`,
      paymentMethod: "balance",
      paymentProvider: "balance",
      status: "success",
      providerPayload: `charged_quota=${quota}`,
    });
    await r.onBought(plan, quota, addLog);
    return { subscription, quota, plan };
  });
}
