/**
 * Recurring subscriptions a payment provider bills (Stripe): the first paid checkout links the provider's
 * subscription to the user subscription it created (`linkProviderSubscriptionTx`); each renewal invoice then
 * extends it by one plan period with a fresh quota, once per invoice (`renewProviderSubscription`: the
 * invoice row's unique key, the extension, a `success` order and the log row in one transaction). A
 * renewal whose subscription has already ended starts a new one. A refusal changes nothing.
 */
import { asInt, type Db, insertIgnoreSql, nowSeconds, queryOne } from "./db.ts";
import { type AddLog, type LogTarget, transactionWithLogs } from "./transaction_logs.ts";
import {
  createSubscriptionTx,
  getPlan,
  getUserSubscription,
  insertSubscriptionOrderTx,
  type Plan,
  SubscriptionError,
  type UserSubscription,
} from "./subscriptions.ts";
import { nextResetTime, planEndTime } from "../payments/subscriptions/period.ts";

export interface ProviderSubscription {
  provider: string;
  providerSubscriptionId: string;
  userId: number;
  planId: number;
  userSubscriptionId: number;
  money: number;
  status: string;
}

/** Links (once: a replay keeps the first link) a provider's subscription to the user subscription it pays. */
export async function linkProviderSubscriptionTx(tx: Db, link: ProviderSubscription): Promise<void> {
  const now = nowSeconds();
  await tx.exec(
    insertIgnoreSql(tx.dialect, "provider_subscriptions", [
      "provider",
      "provider_subscription_id",
      "user_id",
      "plan_id",
      "user_subscription_id",
      "money",
      "status",
      "created_at",
      "updated_at",
    ]),
    [
      link.provider,
      link.providerSubscriptionId,
      link.userId,
      link.planId,
      link.userSubscriptionId,
      link.money,
      link.status,
      now,
      now,
    ],
  );
}

export async function getProviderSubscription(
  db: Db,
  provider: string,
  id: string,
): Promise<ProviderSubscription | undefined> {
  const r = await queryOne(
    db,
    "SELECT * FROM provider_subscriptions WHERE provider = ? AND provider_subscription_id = ?",
    [provider, id],
  );
  if (!r) return undefined;
  return {
    provider: String(r.provider),
    providerSubscriptionId: String(r.provider_subscription_id),
    userId: asInt(r.user_id),
    planId: asInt(r.plan_id),
    userSubscriptionId: asInt(r.user_subscription_id),
    money: Number(r.money ?? 0),
    status: String(r.status ?? ""),
  };
}

/** Records the provider's status for its subscription (`past_due`, `canceled`, …); false for an unknown one. */
export async function setProviderSubscriptionStatus(
  db: Db,
  provider: string,
  id: string,
  status: string,
): Promise<boolean> {
  const r = await db.exec(
    "UPDATE provider_subscriptions SET status = ?, updated_at = ? WHERE provider = ? AND provider_subscription_id = ?",
    [status.slice(0, 32), nowSeconds(), provider, id],
  );
  return r.changes === 1;
}

export type RenewResult =
  | { ok: true; userId: number; subscription: UserSubscription; extended: boolean }
  | { ok: false; reason: "unknown_subscription" | "already_done" | "mismatch" | "plan_missing" | "refused" };

export interface RenewRequest {
  provider: string;
  providerSubscriptionId: string;
  invoiceId: string;
  /** What the invoice charged before discounts, in cents; it must be what the first order cost. */
  amountCents: number;
  payload: string;
  onRenewed?: (link: ProviderSubscription, plan: Plan, addLog: AddLog) => Promise<void>;
}

/**
 * Extends the linked subscription by one plan period for a paid renewal invoice, once per invoice. An
 * active subscription keeps running from its current end with its used amount back at 0; an ended one is
 * replaced by a new subscription (upgrade group included) that the link then follows.
 */
export async function renewProviderSubscription(
  db: Db,
  logs: LogTarget,
  r: RenewRequest,
): Promise<RenewResult> {
  const run = transactionWithLogs(db, logs, async (tx, addLog): Promise<RenewResult> => {
    const link = await getProviderSubscription(tx, r.provider, r.providerSubscriptionId);
    if (!link) return { ok: false, reason: "unknown_subscription" };
    if (r.amountCents !== Math.round(link.money * 100)) return { ok: false, reason: "mismatch" };
    const plan = await getPlan(tx, link.planId);
    if (!plan) return { ok: false, reason: "plan_missing" };
    const now = nowSeconds();
    const fresh = await tx.exec(
      insertIgnoreSql(tx.dialect, "provider_invoices", [
        "provider",
        "invoice_id",
        "provider_subscription_id",
        "user_subscription_id",
        "amount_cents",
        "created_at",
      ]),
      [r.provider, r.invoiceId, r.providerSubscriptionId, link.userSubscriptionId, r.amountCents, now],
    );
    if (fresh.changes !== 1) return { ok: false, reason: "already_done" };
    // Two invoices of one subscription at once each extend from the end the other left.
    if (tx.dialect !== "sqlite") {
      await tx.query("SELECT id FROM user_subscriptions WHERE id = ? FOR UPDATE", [link.userSubscriptionId]);
    }
    const current = await getUserSubscription(tx, link.userSubscriptionId);
    let subscription: UserSubscription;
    let extended = false;
    if (current && current.status === "active" && current.endTime > now) {
      const end = planEndTime(current.endTime, plan);
      if (end === undefined) throw new SubscriptionError("plan_duration");
      const next = nextResetTime(now, plan, end);
      await tx.exec(
        `UPDATE user_subscriptions SET end_time = ?, amount_used = 0, amount_total = ?, last_reset_time = ?,
           next_reset_time = ?, updated_at = ? WHERE id = ? AND status = 'active'`,
        [end, plan.totalAmount, next > 0 ? now : 0, next, now, current.id],
      );
      subscription = {
        ...current,
        endTime: end,
        amountUsed: 0,
        amountTotal: plan.totalAmount,
        lastResetTime: next > 0 ? now : 0,
        nextResetTime: next,
      };
      extended = true;
    } else {
      subscription = await createSubscriptionTx(tx, link.userId, plan, "order", now);
      await tx.exec(
        `UPDATE provider_subscriptions SET user_subscription_id = ?, updated_at = ?
         WHERE provider = ? AND provider_subscription_id = ?`,
        [subscription.id, now, r.provider, r.providerSubscriptionId],
      );
    }
    await insertSubscriptionOrderTx(tx, {
      userId: link.userId,
      planId: plan.id,
      money: r.amountCents / 100,
      tradeNo: `${r.provider}_renew_${r.invoiceId}`.slice(0, 255),
      paymentMethod: r.provider,
      paymentProvider: r.provider,
      status: "success",
      providerPayload: r.payload.slice(0, 8000),
    });
    await r.onRenewed?.(link, plan, addLog);
    return { ok: true, userId: link.userId, subscription, extended };
  });
  return await run.catch((err) => {
    if (err instanceof SubscriptionError) return { ok: false, reason: "refused" } as const;
    throw err;
  });
}
