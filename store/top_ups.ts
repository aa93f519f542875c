/**
 * New API's `top_ups` orders: created `pending` when a payment starts, turned `success` once, by a
 * compare-and-swap on the status in the same transaction as the credit and its log row, so any number of
 * concurrent or replayed callbacks credit at most once, on every store.
 */
import { asInt, type Db, insertReturningId, nowSeconds, queryOne, type Row, type SqlValue } from "./db.ts";
import { type AddLog, type LogTarget, transactionWithLogs } from "./transaction_logs.ts";
import { likeLiteral } from "./users.ts";

export const TopUpStatus = { pending: "pending", success: "success", expired: "expired" } as const;

/** `payment_provider`: who is trusted to say an order was paid. */
export const PaymentProvider = { epay: "epay", stripe: "stripe", creem: "creem" } as const;

export interface TopUp {
  id: number;
  userId: number;
  /** Whole currency units bought (quota = amount × QuotaPerUnit). */
  amount: number;
  /** What the user pays, in the provider's currency. */
  money: number;
  tradeNo: string;
  paymentMethod: string;
  paymentProvider: string;
  createTime: number;
  completeTime: number;
  status: string;
}

const COLUMNS =
  "id, user_id, amount, money, trade_no, payment_method, payment_provider, create_time, complete_time, status";

function fromRow(r: Row): TopUp {
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    amount: asInt(r.amount),
    money: Number(r.money ?? 0),
    tradeNo: String(r.trade_no ?? ""),
    paymentMethod: String(r.payment_method ?? ""),
    paymentProvider: String(r.payment_provider ?? ""),
    createTime: asInt(r.create_time),
    completeTime: asInt(r.complete_time),
    status: String(r.status ?? ""),
  };
}

export async function insertTopUp(
  db: Db,
  o: Omit<TopUp, "id" | "createTime" | "completeTime" | "status">,
): Promise<TopUp> {
  const createTime = nowSeconds();
  const id = await insertReturningId(
    db,
    `INSERT INTO top_ups (user_id, amount, money, trade_no, payment_method, payment_provider, create_time,
       complete_time, status) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`,
    [
      o.userId,
      o.amount,
      o.money,
      o.tradeNo,
      o.paymentMethod,
      o.paymentProvider,
      createTime,
      TopUpStatus.pending,
    ],
  );
  return { ...o, id, createTime, completeTime: 0, status: TopUpStatus.pending };
}

export async function getTopUpByTradeNo(db: Db, tradeNo: string): Promise<TopUp | undefined> {
  const row = await queryOne(db, `SELECT ${COLUMNS} FROM top_ups WHERE trade_no = ?`, [tradeNo]);
  return row ? fromRow(row) : undefined;
}

export type CompleteResult =
  | { ok: true; order: TopUp; quota: number }
  | {
    ok: false;
    reason: "not_found" | "provider_mismatch" | "already_done" | "not_pending" | "mismatch" | "cap";
  };

export interface CompleteRequest {
  tradeNo: string;
  /** The provider the callback came from; an order of another provider is never completed by it. */
  provider?: string;
  /** Checks the callback against the order (amount, method); returns false to refuse. */
  matches?: (order: TopUp) => boolean;
  /** The quota the order credits. */
  quotaOf: (order: TopUp) => number;
  /** The largest balance a user may reach. */
  maxBalance: number;
  /** Adds the top-up log row, in the same transaction. */
  onCompleted?: (order: TopUp, quota: number, addLog: AddLog) => Promise<void>;
}

/**
 * Completes a pending order: checks it, flips pending → success (`UPDATE … WHERE status = 'pending'`),
 * credits the user with the balance ceiling in the same UPDATE, all in one transaction. A refusal changes
 * nothing.
 */
export async function completeTopUp(db: Db, logs: LogTarget, r: CompleteRequest): Promise<CompleteResult> {
  return await transactionWithLogs(db, logs, async (tx, addLog): Promise<CompleteResult> => {
    const row = await queryOne(tx, `SELECT ${COLUMNS} FROM top_ups WHERE trade_no = ?`, [r.tradeNo]);
    if (!row) return { ok: false, reason: "not_found" };
    const order = fromRow(row);
    if (r.provider !== undefined && order.paymentProvider !== r.provider) {
      return { ok: false, reason: "provider_mismatch" };
    }
    if (order.status === TopUpStatus.success) return { ok: false, reason: "already_done" };
    if (order.status !== TopUpStatus.pending) return { ok: false, reason: "not_pending" };
    if (r.matches && !r.matches(order)) return { ok: false, reason: "mismatch" };
    const quota = r.quotaOf(order);
    if (!(quota > 0) || quota > r.maxBalance) return { ok: false, reason: "cap" };
    const now = nowSeconds();
    const claimed = await tx.exec(
      "UPDATE top_ups SET status = ?, complete_time = ? WHERE id = ? AND status = ?",
      [TopUpStatus.success, now, order.id, TopUpStatus.pending],
    );
    if (claimed.changes !== 1) return { ok: false, reason: "already_done" };
    const credited = await tx.exec(
      "UPDATE users SET quota = quota + ? WHERE id = ? AND quota <= ?",
      [quota, order.userId, r.maxBalance - quota],
    );
    // Throwing rolls the claim back: the order stays pending for an administrator to look at.
    if (credited.changes !== 1) throw new TopUpCapError(order.tradeNo);
    const done = { ...order, status: TopUpStatus.success, completeTime: now };
    await r.onCompleted?.(done, quota, addLog);
    return { ok: true, order: done, quota };
  }).catch((err) => {
    if (err instanceof TopUpCapError) return { ok: false, reason: "cap" } as const;
    throw err;
  });
}

class TopUpCapError extends Error {
  constructor(tradeNo: string) {
    super(`top-up ${tradeNo} would pass the balance ceiling`);
  }
}

export interface TopUpQuery {
  userId?: number;
  /** Part of a trade number. */
  keyword?: string;
  /** Only orders created at or after this time (New API shows users their last 30 days). */
  since?: number;
  limit: number;
  offset: number;
}

/** Newest first, with the total (capped at 10000 when searching, as New API caps its COUNT). */
export async function listTopUps(db: Db, q: TopUpQuery): Promise<{ items: TopUp[]; total: number }> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.userId !== undefined) {
    where.push("user_id = ?");
    params.push(q.userId);
  }
  if (q.since !== undefined) {
    where.push("create_time >= ?");
    params.push(q.since);
  }
  if (q.keyword) {
    where.push("trade_no LIKE ? ESCAPE '!'");
    params.push(likeLiteral(q.keyword));
  }
  const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const counted = q.keyword
    ? `SELECT COUNT(*) AS n FROM (SELECT id FROM top_ups ${clause} LIMIT 10000) t`
    : `SELECT COUNT(*) AS n FROM top_ups ${clause}`;
  const total = asInt((await queryOne<{ n: unknown }>(db, counted, params))?.n);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM top_ups ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`,
    [...params, q.limit, q.offset],
  );
  return { items: rows.map(fromRow), total };
}

/** pending → expired for an order of `provider` (a Checkout that lapsed); true if it changed. */
export async function expireTopUp(db: Db, tradeNo: string, provider: string): Promise<boolean> {
  const r = await db.exec(
    "UPDATE top_ups SET status = ? WHERE trade_no = ? AND payment_provider = ? AND status = ?",
    [TopUpStatus.expired, tradeNo, provider, TopUpStatus.pending],
  );
  return r.changes === 1;
}
