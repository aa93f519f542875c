/**
 * Refunds of settled charges (e.g. an async task that failed after it was billed), at most what was
 * charged per request id, each with a positive refund log row (type 6).
 */
import { type Db, nowSeconds, updateReturning } from "./db.ts";
import { LogType } from "./logs.ts";
import { type LogTarget, transactionWithLogs } from "./transaction_logs.ts";
import { assertQuota, RESERVATION_COLUMNS, reservationFromRow, ReservationStatus } from "./reservations.ts";

export interface RefundArgs {
  requestId: string;
  quota: number;
  content: string;
  now?: number;
  /**
   * Runs first inside the refund's transaction; false refunds nothing. A task's terminal compare-and-swap
   * goes here, so its state change and its refund commit together or not at all.
   */
  claim?: (tx: Db) => Promise<boolean>;
}

/**
 * Gives back part or all of a settled charge (an async task that failed after it was billed): credits the
 * wallet and a limited token, lowers the used-quota counters and writes a refund row (type 6, positive
 * quota). Never more than was charged, whatever the number of calls; returns the quota refunded.
 */
export async function refundSettled(db: Db, a: RefundArgs, logs: LogTarget = db): Promise<number> {
  assertQuota("refund quota", a.quota);
  if (a.quota === 0) return 0;
  const now = a.now ?? nowSeconds();
  return await transactionWithLogs(db, logs, async (tx, addLog) => {
    if (a.claim && !await a.claim(tx)) return 0;
    const [row] = await updateReturning(tx, {
      table: "quota_reservations",
      sql: `UPDATE quota_reservations SET refunded_quota = refunded_quota + ?
       WHERE request_id = ? AND status = ? AND settled_quota - refunded_quota >= ?`,
      params: [a.quota, a.requestId, ReservationStatus.settled, a.quota],
      columns: RESERVATION_COLUMNS,
      key: ["request_id", a.requestId],
    });
    if (!row) return 0;
    const r = reservationFromRow(row);
    await tx.exec("UPDATE users SET quota = quota + ?, used_quota = used_quota - ? WHERE id = ?", [
      a.quota,
      a.quota,
      r.userId,
    ]);
    if (r.tokenId > 0) {
      await tx.exec(
        `UPDATE tokens SET used_quota = used_quota - ?,
          remain_quota = CASE WHEN unlimited_quota THEN remain_quota ELSE remain_quota + ? END WHERE id = ?`,
        [a.quota, a.quota, r.tokenId],
      );
    }
    if (r.channelId > 0) {
      await tx.exec("UPDATE channels SET used_quota = used_quota - ? WHERE id = ?", [a.quota, r.channelId]);
    }
    const log = r.meta?.log;
    await addLog({
      userId: r.userId,
      type: LogType.refund,
      content: a.content,
      username: log?.username,
      tokenName: log?.tokenName,
      modelName: log?.modelName,
      tokenId: r.tokenId,
      channelId: r.channelId,
      group: log?.group,
      quota: a.quota,
      requestId: a.requestId,
      createdAt: now,
      other: { request_id: a.requestId },
    });
    return a.quota;
  });
}

export interface LedgerlessRefundArgs {
  userId: number;
  tokenId: number;
  channelId: number;
  quota: number;
  content: string;
  modelName?: string;
  /** The state change that earns the refund; nothing is credited unless it wins. */
  claim: (tx: Db) => Promise<boolean>;
  now?: number;
}

/**
 * Refunds a charge that has no hold in the ledger: a task New API charged before this gateway took over its
 * database (its rows carry no request id). The claim, the credit and the refund row go in one transaction,
 * so the task's own compare-and-swap is what makes it happen once; `quota` is the row's own charge.
 */
export async function refundWithoutLedger(
  db: Db,
  a: LedgerlessRefundArgs,
  logs: LogTarget = db,
): Promise<number> {
  assertQuota("refund quota", a.quota);
  const now = a.now ?? nowSeconds();
  return await transactionWithLogs(db, logs, async (tx, addLog) => {
    if (!await a.claim(tx)) return 0;
    if (a.quota === 0) return 0;
    await tx.exec("UPDATE users SET quota = quota + ?, used_quota = used_quota - ? WHERE id = ?", [
      a.quota,
      a.quota,
      a.userId,
    ]);
    if (a.tokenId > 0) {
      await tx.exec(
        `UPDATE tokens SET used_quota = used_quota - ?,
          remain_quota = CASE WHEN unlimited_quota THEN remain_quota ELSE remain_quota + ? END WHERE id = ? AND user_id = ?`,
        [a.quota, a.quota, a.tokenId, a.userId],
      );
    }
    await addLog({
      userId: a.userId,
      type: LogType.refund,
      content: a.content,
      modelName: a.modelName,
      tokenId: a.tokenId,
      channelId: a.channelId,
      quota: a.quota,
      createdAt: now,
    });
    return a.quota;
  });
}
