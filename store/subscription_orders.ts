/**
 * Paid subscription orders (`subscription_orders`): created `pending` when a payment starts, completed once
 * by a compare-and-swap on the status in the same transaction as the subscription it buys, so replayed or
 * concurrent callbacks create at most one subscription; a refusal changes nothing.
 */
import { asInt, type Db, nowSeconds, queryOne, type Row } from "./db.ts";
import { type AddLog, type LogTarget, transactionWithLogs } from "./transaction_logs.ts";
import { createSubscriptionTx, getPlan, SubscriptionError, type UserSubscription } from "./subscriptions.ts";

export interface SubscriptionOrder {
  id: number;
  userId: number;
  planId: number;
  money: number;
  tradeNo: string;
  paymentMethod: string;
  paymentProvider: string;
  status: string;
  createTime: number;
  completeTime: number;
}

function fromRow(r: Row): SubscriptionOrder {
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    planId: asInt(r.plan_id),
    money: Number(r.money ?? 0),
    tradeNo: String(r.trade_no ?? ""),
    paymentMethod: String(r.payment_method ?? ""),
    paymentProvider: String(r.payment_provider ?? ""),
    status: String(r.status ?? ""),
    createTime: asInt(r.create_time),
    completeTime: asInt(r.complete_time),
  };
}

const COLUMNS =
  "id, user_id, plan_id, money, trade_no, payment_method, payment_provider, status, create_time, complete_time";

export async function getSubscriptionOrder(db: Db, tradeNo: string): Promise<SubscriptionOrder | undefined> {
  const row = await queryOne(db, `SELECT ${COLUMNS} FROM subscription_orders WHERE trade_no = ?`, [tradeNo]);
  return row ? fromRow(row) : undefined;
}

export type CompleteSubscriptionResult =
  | { ok: true; order: SubscriptionOrder; subscription: UserSubscription }
  | {
    ok: false;
    reason:
      | "not_found"
      | "provider_mismatch"
      | "already_done"
      | "not_pending"
      | "mismatch"
      | "plan_missing"
      | "refused";
  };

export interface CompleteSubscriptionRequest {
  tradeNo: string;
  /** The provider the callback came from; another provider's order is never completed by it. */
  provider: string;
  /** Checks the callback against the order (amount, method); false refuses. */
  matches: (order: SubscriptionOrder) => boolean;
  /** What the provider said, kept on the order (`provider_payload`). */
  payload: string;
  /** Runs inside the completing transaction (`tx`), e.g. to log or to link a provider's subscription. */
  onCompleted?: (order: SubscriptionOrder, sub: UserSubscription, addLog: AddLog, tx: Db) => Promise<void>;
}

export async function completeSubscriptionOrder(
  db: Db,
  logs: LogTarget,
  r: CompleteSubscriptionRequest,
): Promise<CompleteSubscriptionResult> {
  const run = transactionWithLogs(db, logs, async (tx, addLog): Promise<CompleteSubscriptionResult> => {
    const order = await getSubscriptionOrder(tx, r.tradeNo);
    if (!order) return { ok: false, reason: "not_found" };
    if (order.paymentProvider !== r.provider) return { ok: false, reason: "provider_mismatch" };
    if (order.status === "success") return { ok: false, reason: "already_done" };
    if (order.status !== "pending") return { ok: false, reason: "not_pending" };
    if (!r.matches(order)) return { ok: false, reason: "mismatch" };
    const plan = await getPlan(tx, order.planId);
    if (!plan) return { ok: false, reason: "plan_missing" };
    const now = nowSeconds();
    const claimed = await tx.exec(
      `UPDATE subscription_orders SET status = 'success', complete_time = ?, provider_payload = ?
       WHERE id = ? AND status = 'pending'`,
      [now, r.payload.slice(0, 8000), order.id],
    );
    if (claimed.changes !== 1) return { ok: false, reason: "already_done" };
    const subscription = await createSubscriptionTx(tx, order.userId, plan, "order", now);
    const done = { ...order, status: "success", completeTime: now };
    await r.onCompleted?.(done, subscription, addLog, tx);
    return { ok: true, order: done, subscription };
  });
  // A subscription the plan cannot give (its user gone, its duration invalid) rolls the claim back: the
  // order stays pending for an administrator, and the caller answers a refusal, never a 500.
  return await run.catch((err) => {
    if (err instanceof SubscriptionError) return { ok: false, reason: "refused" } as const;
    throw err;
  });
}

/** pending → expired for an order of `provider`; true if it changed. */
export async function expireSubscriptionOrder(db: Db, tradeNo: string, provider: string): Promise<boolean> {
  const r = await db.exec(
    `UPDATE subscription_orders SET status = 'expired', complete_time = ?
     WHERE trade_no = ? AND payment_provider = ? AND status = 'pending'`,
    [nowSeconds(), tradeNo, provider],
  );
  return r.changes === 1;
}
