/**
 * A subscription paying for relay requests, New API's way: the request's hold is added to one active
 * subscription's `amount_used` (soonest ending first; `amount_total` 0 is unlimited) with a conditional
 * UPDATE that never passes the total, and a `subscription_pre_consume_records` row keyed by the request id
 * says so. The settlement moves `amount_used` by the difference to the charge, capped at the total (what
 * the subscription cannot cover is returned as `overflow`), the release gives the hold back; both are a
 * compare-and-swap on the record, so each happens once however often it is tried. A period that passed
 * resets `amount_used` to 0 once (a compare-and-swap on `next_reset_time`), here at the first request after
 * it and in the periodic job (`resetDueSubscriptions`).
 */
import { asBool, asInt, type Db, nowSeconds, queryOne, type Row, UniqueViolation } from "./db.ts";
import { greatest } from "./quota_book.ts";
import { getPlan, type Plan } from "./subscriptions.ts";
import { dueReset } from "../payments/subscriptions/period.ts";
import { DuplicateReservationError } from "../relay/billing/errors.ts";

export const PreConsumeStatus = { consumed: "consumed", settled: "settled", refunded: "refunded" } as const;

/** What a request holds of a subscription (the log's `subscription_*` fields come from it). */
export interface SubscriptionHold {
  subscriptionId: number;
  planId: number;
  planTitle: string;
  /** Held for the request so far (the admission hold plus extensions). */
  preConsumed: number;
  amountTotal: number;
  /** The subscription's `amount_used` right after the admission hold. */
  amountUsedAfter: number;
}

export interface SubscriptionSettlement {
  subscriptionId: number;
  /** What the record held before the settlement. */
  preConsumed: number;
  /** How far `amount_used` moved (charge − hold, or less when the total capped it). */
  postDelta: number;
  /** The part of the charge the subscription could not cover. */
  overflow: number;
  amountTotal: number;
  amountUsed: number;
}

const lockRow = (db: Db) => db.dialect === "sqlite" ? "" : " FOR UPDATE";

/**
 * Resets `sub` inside `tx` when a period passed (New API's lazy reset): one compare-and-swap on the next
 * reset time, so however many requests and jobs see it at once the used amount goes to 0 once.
 */
async function resetIfDueTx(tx: Db, sub: Row, plan: Plan | undefined, now: number): Promise<boolean> {
  if (!plan) return false;
  const due = dueReset(
    {
      startTime: asInt(sub.start_time),
      endTime: asInt(sub.end_time),
      lastResetTime: asInt(sub.last_reset_time),
      nextResetTime: asInt(sub.next_reset_time),
    },
    plan,
    now,
  );
  if (!due) return false;
  const r = await tx.exec(
    `UPDATE user_subscriptions SET ${due.reset ? "amount_used = 0, " : ""}last_reset_time = ?,
       next_reset_time = ?, updated_at = ? WHERE id = ? AND next_reset_time = ? AND status = 'active'`,
    [due.last, due.next, now, asInt(sub.id), asInt(sub.next_reset_time)],
  );
  return r.changes === 1 && due.reset;
}

/**
 * Holds `amount` (≥ 1) of the user's active subscriptions for `requestId`, in one transaction; undefined
 * when none has that much left (nothing changed). A request id already holding returns its hold; one
 * already settled or refunded is a duplicate.
 */
export async function holdSubscription(
  db: Db,
  a: { requestId: string; userId: number; amount: number; now?: number },
): Promise<SubscriptionHold | undefined> {
  const amount = Math.max(1, a.amount);
  const now = a.now ?? nowSeconds();
  try {
    return await db.transaction(async (tx) => {
      const prior = await queryOne(
        tx,
        "SELECT user_subscription_id, pre_consumed, status FROM subscription_pre_consume_records WHERE request_id = ?",
        [a.requestId],
      );
      if (prior) {
        if (prior.status !== PreConsumeStatus.consumed) throw new DuplicateReservationError(a.requestId);
        const sub = await queryOne(tx, "SELECT * FROM user_subscriptions WHERE id = ?", [
          asInt(prior.user_subscription_id),
        ]);
        const plan = sub ? await getPlan(tx, asInt(sub.plan_id)) : undefined;
        return {
          subscriptionId: asInt(prior.user_subscription_id),
          planId: asInt(sub?.plan_id),
          planTitle: plan?.title ?? "",
          preConsumed: asInt(prior.pre_consumed),
          amountTotal: asInt(sub?.amount_total),
          amountUsedAfter: asInt(sub?.amount_used),
        };
      }
      const subs = await tx.query(
        `SELECT * FROM user_subscriptions WHERE user_id = ? AND status = 'active' AND end_time > ?
           AND start_time <= ? ORDER BY end_time, id`,
        [a.userId, now, now],
      );
      for (const sub of subs) {
        const id = asInt(sub.id);
        const plan = await getPlan(tx, asInt(sub.plan_id));
        await resetIfDueTx(tx, sub, plan, now);
        const took = await tx.exec(
          `UPDATE user_subscriptions SET amount_used = amount_used + ?, updated_at = ?
           WHERE id = ? AND status = 'active' AND end_time > ? AND (amount_total <= 0 OR amount_used + ? <= amount_total)`,
          [amount, now, id, now, amount],
        );
        if (took.changes !== 1) continue;
        await tx.exec(
          `INSERT INTO subscription_pre_consume_records (request_id, user_id, user_subscription_id, pre_consumed,
             status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [a.requestId, a.userId, id, amount, PreConsumeStatus.consumed, now, now],
        );
        const after = await queryOne(tx, "SELECT amount_used FROM user_subscriptions WHERE id = ?", [id]);
        return {
          subscriptionId: id,
          planId: asInt(sub.plan_id),
          planTitle: plan?.title ?? "",
          preConsumed: amount,
          amountTotal: asInt(sub.amount_total),
          amountUsedAfter: asInt(after?.amount_used),
        };
      }
      return undefined;
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw new DuplicateReservationError(a.requestId);
    throw err;
  }
}

/** Grows a live subscription hold by `amount`; false (nothing changed) when the total cannot cover it. */
export async function extendSubscriptionHold(db: Db, requestId: string, amount: number): Promise<boolean> {
  if (amount <= 0) return true;
  const now = nowSeconds();
  return await db.transaction(async (tx) => {
    const rec = await queryOne(
      tx,
      `SELECT user_subscription_id FROM subscription_pre_consume_records WHERE request_id = ? AND status = ?${
        lockRow(tx)
      }`,
      [requestId, PreConsumeStatus.consumed],
    );
    if (!rec) return false;
    const took = await tx.exec(
      `UPDATE user_subscriptions SET amount_used = amount_used + ?, updated_at = ?
       WHERE id = ? AND (amount_total <= 0 OR amount_used + ? <= amount_total)`,
      [amount, now, asInt(rec.user_subscription_id), amount],
    );
    if (took.changes !== 1) return false;
    await tx.exec(
      "UPDATE subscription_pre_consume_records SET pre_consumed = pre_consumed + ?, updated_at = ? WHERE request_id = ?",
      [amount, now, requestId],
    );
    return true;
  });
}

/** Claims the record (consumed → `status`); the row when this call won. */
async function claimRecord(tx: Db, requestId: string, status: string, now: number): Promise<Row | undefined> {
  const won = await tx.exec(
    "UPDATE subscription_pre_consume_records SET status = ?, updated_at = ? WHERE request_id = ? AND status = ?",
    [status, now, requestId, PreConsumeStatus.consumed],
  );
  if (won.changes !== 1) return undefined;
  return await queryOne(
    tx,
    "SELECT user_subscription_id, pre_consumed FROM subscription_pre_consume_records WHERE request_id = ?",
    [requestId],
  );
}

/**
 * Settles the request's subscription hold at `quota`, once: `amount_used` moves by the difference, never
 * past the total and never below 0. Undefined when the hold was already settled or refunded (or is none).
 */
export async function settleSubscription(
  db: Db,
  requestId: string,
  quota: number,
): Promise<SubscriptionSettlement | undefined> {
  const now = nowSeconds();
  return await db.transaction(async (tx) => {
    const rec = await claimRecord(tx, requestId, PreConsumeStatus.settled, now);
    if (!rec) return undefined;
    const id = asInt(rec.user_subscription_id);
    const pre = asInt(rec.pre_consumed);
    const sub = await queryOne(
      tx,
      `SELECT amount_total, amount_used FROM user_subscriptions WHERE id = ?${lockRow(tx)}`,
      [
        id,
      ],
    );
    const total = asInt(sub?.amount_total);
    const used = asInt(sub?.amount_used);
    let delta = quota - pre;
    let overflow = 0;
    if (!sub) {
      overflow = quota;
      delta = 0;
    } else if (delta > 0 && total > 0) {
      const room = Math.max(0, total - used);
      overflow = Math.max(0, delta - room);
      delta -= overflow;
    } else if (delta < 0) delta = Math.max(delta, -used);
    if (delta !== 0) {
      await tx.exec(
        `UPDATE user_subscriptions SET amount_used = ${
          greatest(tx.dialect)
        }(0, amount_used + ?), updated_at = ?
         WHERE id = ?`,
        [delta, now, id],
      );
    }
    return {
      subscriptionId: id,
      preConsumed: pre,
      postDelta: delta,
      overflow,
      amountTotal: total,
      amountUsed: used + delta,
    };
  });
}

/** Gives a request's whole subscription hold back, once; false when it was already settled or refunded. */
export async function refundSubscriptionHold(db: Db, requestId: string): Promise<boolean> {
  const now = nowSeconds();
  return await db.transaction(async (tx) => {
    const rec = await claimRecord(tx, requestId, PreConsumeStatus.refunded, now);
    if (!rec) return false;
    const pre = asInt(rec.pre_consumed);
    if (pre > 0) {
      await tx.exec(
        `UPDATE user_subscriptions SET amount_used = ${
          greatest(tx.dialect)
        }(0, amount_used - ?), updated_at = ?
         WHERE id = ?`,
        [pre, now, asInt(rec.user_subscription_id)],
      );
    }
    return true;
  });
}

/**
 * Whether the user has an active subscription now, and whether the wallet may pay when the subscriptions
 * cannot (New API: every active subscription must allow wallet overflow).
 */
export async function subscriptionState(
  db: Db,
  userId: number,
  now = nowSeconds(),
): Promise<{ active: boolean; walletOverflow: boolean }> {
  const rows = await db.query(
    `SELECT allow_wallet_overflow FROM user_subscriptions WHERE user_id = ? AND status = 'active' AND end_time > ?
       AND start_time <= ?`,
    [userId, now, now],
  );
  return { active: rows.length > 0, walletOverflow: rows.every((r) => asBool(r.allow_wallet_overflow)) };
}

/** New API's `ResetDueSubscriptions`: resets up to `limit` active subscriptions whose period passed. */
export async function resetDueSubscriptions(db: Db, now = nowSeconds(), limit = 200): Promise<number> {
  const due = await db.query(
    `SELECT * FROM user_subscriptions WHERE status = 'active' AND next_reset_time > 0 AND next_reset_time <= ?
     ORDER BY next_reset_time, id LIMIT ?`,
    [now, limit],
  );
  let reset = 0;
  const plans = new Map<number, Plan | undefined>();
  for (const sub of due) {
    const planId = asInt(sub.plan_id);
    if (!plans.has(planId)) plans.set(planId, await getPlan(db, planId));
    if (await db.transaction((tx) => resetIfDueTx(tx, sub, plans.get(planId), now))) reset++;
  }
  return reset;
}

/**
 * Gives back holds no live request can still own (older than `olderThanSeconds`, still `consumed`: their
 * process died before settling), and deletes ended records older than `keepSeconds` (New API keeps 7 days).
 */
export async function sweepSubscriptionHolds(
  db: Db,
  opts: { olderThanSeconds: number; keepSeconds?: number; now?: number; limit?: number },
): Promise<{ refunded: number; deleted: number }> {
  const now = opts.now ?? nowSeconds();
  const stale = await db.query(
    "SELECT request_id FROM subscription_pre_consume_records WHERE status = ? AND updated_at < ? ORDER BY id LIMIT ?",
    [PreConsumeStatus.consumed, now - opts.olderThanSeconds, opts.limit ?? 200],
  );
  let refunded = 0;
  for (const r of stale) if (await refundSubscriptionHold(db, String(r.request_id))) refunded++;
  const gone = await db.exec(
    "DELETE FROM subscription_pre_consume_records WHERE status <> ? AND updated_at < ?",
    [PreConsumeStatus.consumed, now - (opts.keepSeconds ?? 7 * 86400)],
  );
  return { refunded, deleted: gone.changes };
}
