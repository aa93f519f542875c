/**
 * Upkeep of held reservations: the live process's heartbeat and usage checkpoints, and the query the
 * sweeper uses to find holds whose process stopped.
 */
import { type Db } from "./db.ts";
import {
  assertQuota,
  type Reservation,
  RESERVATION_COLUMNS,
  reservationFromRow,
  ReservationStatus,
} from "./reservations.ts";

export interface CheckpointArgs {
  requestId: string;
  /** Priced usage seen so far (what the sweeper would settle at). */
  quota: number;
  promptTokens: number;
  completionTokens: number;
  channelId: number;
  expiresAt: number;
}

/** Records progress on a held reservation and extends its expiry; false once it is terminal. */
export async function checkpointReservation(db: Db, c: CheckpointArgs): Promise<boolean> {
  assertQuota("checkpoint quota", c.quota);
  const r = await db.exec(
    `UPDATE quota_reservations SET checkpoint_quota = ?, checkpoint_prompt = ?, checkpoint_completion = ?,
      channel_id = ?, expires_at = ? WHERE request_id = ? AND status = ?`,
    [
      c.quota,
      c.promptTokens,
      c.completionTokens,
      c.channelId,
      c.expiresAt,
      c.requestId,
      ReservationStatus.held,
    ],
  );
  return r.changes === 1;
}

/**
 * Extends the expiry of held reservations (the heartbeat of the live process that owns them); returns
 * how many were extended.
 */
export async function extendReservations(
  db: Db,
  requestIds: readonly string[],
  expiresAt: number,
): Promise<number> {
  if (requestIds.length === 0) return 0;
  const r = await db.exec(
    `UPDATE quota_reservations SET expires_at = ? WHERE status = ? AND expires_at < ?
     AND request_id IN (${requestIds.map(() => "?").join(", ")})`,
    [expiresAt, ReservationStatus.held, expiresAt, ...requestIds],
  );
  return r.changes;
}

/** HELD rows the sweeper should resolve: past their expiry, or (with `notOwner`) held by another process. */
export async function staleReservations(
  db: Db,
  q: { now: number; notOwner?: string; limit: number },
): Promise<Reservation[]> {
  const rows = q.notOwner === undefined
    ? await db.query(
      `SELECT ${RESERVATION_COLUMNS} FROM quota_reservations WHERE status = ? AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      [ReservationStatus.held, q.now, q.limit],
    )
    : await db.query(
      `SELECT ${RESERVATION_COLUMNS} FROM quota_reservations WHERE status = ? AND (expires_at <= ? OR owner <> ?)
       ORDER BY expires_at LIMIT ?`,
      [ReservationStatus.held, q.now, q.notOwner, q.limit],
    );
  return rows.map(reservationFromRow);
}

/**
 * Deletes up to `limit` settled or released rows whose hold ended before `before` (seconds), oldest
 * first, through the (status, expires_at) index; returns how many went. Nothing needs a terminal row once
 * refunds of its charge are no longer expected.
 */
export async function pruneReservations(db: Db, q: { before: number; limit: number }): Promise<number> {
  let deleted = 0;
  for (const status of [ReservationStatus.settled, ReservationStatus.released]) {
    const r = await db.exec(
      // The derived table (doomed) is for MySQL, which refuses LIMIT in an IN subquery and a subquery
      // reading the table being deleted from.
      `DELETE FROM quota_reservations WHERE id IN (SELECT id FROM
        (SELECT id FROM quota_reservations WHERE status = ? AND expires_at < ? ORDER BY expires_at LIMIT ?) doomed)`,
      [status, q.before, q.limit],
    );
    deleted += r.changes;
  }
  return deleted;
}
