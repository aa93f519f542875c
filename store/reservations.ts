/**
 * The quota ledger: reserve → (extend)* → settle | release, durable and exactly once per request id.
 *
 * - `reserveQuota` takes the hold from the user and (unless unlimited) the token with conditional updates
 *   (`... WHERE quota >= ?`) and writes the HELD row, all in one transaction: all or nothing. A refused
 *   hold says what the request needs and what the user (or token) has left.
 * - `extendHold` grows a live hold against the user's wallet (a stream whose running cost passed it);
 *   refused when the wallet cannot cover the extension (the relay then cuts the stream).
 * - `settleReservation` flips HELD → SETTLED with a compare-and-swap and charges the FULL usage to the
 *   user's wallet (refunding the unused hold, or taking the overrun), moves a limited token's
 *   remain_quota by the same full charge, updates the used-quota and request counters and writes the
 *   consume log row, in the same transaction.
 * - `releaseReservation` flips HELD → RELEASED and refunds the whole hold.
 * Whoever loses the compare-and-swap (a second settle, a sweeper racing a late settle) changes nothing.
 * Lock order is always users → tokens → channels, so concurrent billing transactions cannot deadlock.
 *
 * Overdraft rule (docs/architecture.md, "Billing"): usage is never left unpaid. The token's remain_quota
 * is an admission limit, never a cap on the charge: it may go below 0, and a token at or below 0 admits
 * nothing. The wallet never goes below 0 by admission (a hold needs `quota >= hold` and `quota > 0`);
 * it goes below 0 only when a request settles for more than its hold and the wallet no longer has the
 * overrun. So the debt is bounded: a wallet is never lower than −(sum of `charge − hold` over the
 * requests that were in flight when it crossed 0), and a negative wallet admits nothing until topped up.
 * Streams keep their overrun small by extending the hold as they go (`extendHold`); the part of a
 * charge the wallet did not have is recorded as `shortfall` (and `admin_info.quota_shortfall`).
 * Heartbeats, checkpoints and the sweeper's queries are in reservation_upkeep.ts; refunds in refunds.ts.
 */
import { asInt, type Db, nowSeconds, queryOne, type Row, UniqueViolation, updateReturning } from "./db.ts";
import { LogType, type NewLog } from "./logs.ts";
import { type LogTarget, transactionWithLogs } from "./transaction_logs.ts";
import { DuplicateReservationError, InsufficientQuotaError } from "../relay/billing/errors.ts";

export const ReservationStatus = { held: "HELD", settled: "SETTLED", released: "RELEASED" } as const;

/** What the sweeper needs to write the consume row of a request whose process died. */
export interface ReservationMeta {
  log: Omit<NewLog, "quota" | "promptTokens" | "completionTokens" | "type">;
  /** The request is paid by a subscription (store/subscription_funding.ts), not the wallet. */
  funding?: { source: "subscription"; subscriptionId: number };
}

export interface Reservation {
  id: number;
  requestId: string;
  userId: number;
  tokenId: number;
  channelId: number;
  amount: number;
  tokenAmount: number;
  status: string;
  createdAt: number;
  expiresAt: number;
  settledQuota: number;
  shortfall: number;
  refundedQuota: number;
  checkpointQuota: number;
  checkpointPrompt: number;
  checkpointCompletion: number;
  owner: string;
  resolution: string;
  meta: ReservationMeta | null;
}

export const RESERVATION_COLUMNS =
  `id, request_id, user_id, token_id, channel_id, amount, token_amount, status, created_at,
  expires_at, settled_quota, shortfall, refunded_quota, checkpoint_quota, checkpoint_prompt,
  checkpoint_completion, owner, resolution, meta`;

function parseMeta(v: unknown): ReservationMeta | null {
  if (typeof v !== "string" || !v) return null;
  try {
    return JSON.parse(v) as ReservationMeta;
  } catch {
    return null;
  }
}

export function reservationFromRow(r: Row): Reservation {
  return {
    id: asInt(r.id),
    requestId: String(r.request_id ?? ""),
    userId: asInt(r.user_id),
    tokenId: asInt(r.token_id),
    channelId: asInt(r.channel_id),
    amount: asInt(r.amount),
    tokenAmount: asInt(r.token_amount),
    status: String(r.status ?? ""),
    createdAt: asInt(r.created_at),
    expiresAt: asInt(r.expires_at),
    settledQuota: asInt(r.settled_quota),
    shortfall: asInt(r.shortfall),
    refundedQuota: asInt(r.refunded_quota),
    checkpointQuota: asInt(r.checkpoint_quota),
    checkpointPrompt: asInt(r.checkpoint_prompt),
    checkpointCompletion: asInt(r.checkpoint_completion),
    owner: String(r.owner ?? ""),
    resolution: String(r.resolution ?? ""),
    meta: parseMeta(r.meta),
  };
}

export function assertQuota(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
  }
}

export async function getReservation(db: Db, requestId: string): Promise<Reservation | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${RESERVATION_COLUMNS} FROM quota_reservations WHERE request_id = ?`,
    [
      requestId,
    ],
  );
  return row ? reservationFromRow(row) : undefined;
}

export interface ReserveArgs {
  requestId: string;
  userId: number;
  /** 0 when the request is not made with a token (e.g. the console playground). */
  tokenId: number;
  tokenUnlimited: boolean;
  amount: number;
  expiresAt: number;
  owner: string;
  meta: ReservationMeta;
  now?: number;
  /** A subscription holds the request's cost: the wallet holds nothing and is not checked. */
  walletFree?: boolean;
}

/**
 * Holds `amount` from the user and the token and records the hold; throws InsufficientQuotaError (with
 * what is left) when either cannot cover it. A wallet at or below 0, or a limited token at or below 0,
 * admits nothing even for a hold of 0.
 */
export async function reserveQuota(db: Db, a: ReserveArgs): Promise<{ tokenAmount: number }> {
  assertQuota("reservation amount", a.amount);
  const tokenLimited = a.tokenId > 0 && !a.tokenUnlimited;
  const tokenAmount = tokenLimited ? a.amount : 0;
  const walletAmount = a.walletFree ? 0 : a.amount;
  try {
    await db.transaction(async (tx) => {
      // Issued together (PostgreSQL pipelines them; SQLite runs them in this order), checked afterwards:
      // a refused hold throws, and the transaction takes the insert back with it.
      const now = a.now ?? nowSeconds();
      const [user, token] = await Promise.all([
        a.walletFree ? undefined : tx.exec(
          "UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ? AND quota > 0 AND deleted_at IS NULL",
          [a.amount, a.userId, a.amount],
        ),
        tokenLimited
          ? tx.exec(
            `UPDATE tokens SET remain_quota = remain_quota - ? WHERE id = ? AND user_id = ? AND remain_quota >= ?
             AND remain_quota > 0`,
            [tokenAmount, a.tokenId, a.userId, tokenAmount],
          )
          : undefined,
        tx.exec(
          `INSERT INTO quota_reservations (request_id, user_id, token_id, amount, token_amount, status, created_at,
            expires_at, owner, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            a.requestId,
            a.userId,
            a.tokenId,
            walletAmount,
            tokenAmount,
            ReservationStatus.held,
            now,
            a.expiresAt,
            a.owner,
            JSON.stringify(a.meta),
          ],
        ),
      ]);
      if (user && user.changes !== 1) {
        const row = await queryOne(tx, "SELECT quota FROM users WHERE id = ? AND deleted_at IS NULL", [
          a.userId,
        ]);
        throw new InsufficientQuotaError("user", a.amount, asInt(row?.quota));
      }
      if (token && token.changes !== 1) {
        const row = await queryOne(tx, "SELECT remain_quota FROM tokens WHERE id = ? AND user_id = ?", [
          a.tokenId,
          a.userId,
        ]);
        throw new InsufficientQuotaError("token", tokenAmount, asInt(row?.remain_quota));
      }
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw new DuplicateReservationError(a.requestId);
    throw err;
  }
  return { tokenAmount };
}

/**
 * Grows a HELD reservation by `amount`, taken from the user's wallet only (the token limits admission,
 * not what a running request may cost). False, with nothing changed, when the wallet cannot cover it or
 * the hold is no longer HELD.
 */
export async function extendHold(
  db: Db,
  requestId: string,
  userId: number,
  amount: number,
): Promise<boolean> {
  assertQuota("hold extension", amount);
  if (amount === 0) return true;
  // The hold row first, then the wallet: the same lock order as a settle (reservation → users).
  return await db.transaction(async (tx) => {
    const hold = await tx.exec(
      "UPDATE quota_reservations SET amount = amount + ? WHERE request_id = ? AND user_id = ? AND status = ?",
      [amount, requestId, userId, ReservationStatus.held],
    );
    if (hold.changes !== 1) return false;
    const user = await tx.exec(
      "UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ? AND deleted_at IS NULL",
      [amount, userId, amount],
    );
    // The wallet cannot cover it: throwing rolls the hold's growth back.
    if (user.changes !== 1) throw new WalletShort();
    return true;
  }).catch((err) => {
    if (err instanceof WalletShort) return false;
    throw err;
  });
}

class WalletShort extends Error {}

export interface Outcome {
  /** False when the reservation was already terminal (or missing): nothing changed. */
  applied: boolean;
  /** The status after the call (MISSING when there is no such reservation). */
  status: string;
  userId: number;
  tokenId: number;
  /** Quota returned to the user's wallet (+) or taken beyond the hold (−), relative to the hold. */
  userDelta: number;
  /** The same for the token's remaining quota. */
  tokenDelta: number;
  charged: number;
  shortfall: number;
}

const notApplied = async (tx: Db, requestId: string): Promise<Outcome> => {
  const row = await queryOne<{ status: string; user_id: number; token_id: number }>(
    tx,
    "SELECT status, user_id, token_id FROM quota_reservations WHERE request_id = ?",
    [requestId],
  );
  return {
    applied: false,
    status: row?.status ?? "MISSING",
    userId: asInt(row?.user_id),
    tokenId: asInt(row?.token_id),
    userDelta: 0,
    tokenDelta: 0,
    charged: 0,
    shortfall: 0,
  };
};

/**
 * Flips HELD → `status`; returns the row when this call won, undefined when it was already terminal. A
 * settle also records its charge (always the full usage).
 */
async function claim(
  tx: Db,
  requestId: string,
  status: string,
  resolution: string,
  now: number,
  settled?: { quota: number; channelId: number },
) {
  const [row] = await updateReturning(tx, {
    table: "quota_reservations",
    sql: `UPDATE quota_reservations SET status = ?, settled_at = ?, resolution = ?${
      settled ? ", settled_quota = ?, shortfall = 0, channel_id = ?" : ""
    }
     WHERE request_id = ? AND status = ?`,
    params: [
      status,
      now,
      resolution,
      ...(settled ? [settled.quota, settled.channelId] : []),
      requestId,
      ReservationStatus.held,
    ],
    columns: RESERVATION_COLUMNS,
    key: ["request_id", requestId],
  });
  return row ? reservationFromRow(row) : undefined;
}

export interface SettleArgs {
  requestId: string;
  /** The charge for the actual usage (already saturated, ≥ 0). */
  quota: number;
  /** Channel that produced the answer (its used_quota grows); 0 for none. */
  channelId: number;
  /** The consume row (quota and `type` are filled in here); null when consume logging is off. */
  log: Omit<NewLog, "quota" | "type"> | null;
  resolution?: string;
  now?: number;
  /** What of `quota` the wallet pays (default all of it; a subscription-paid request: what it overflowed). */
  walletQuota?: number;
}

/**
 * Settles a held reservation at `quota`, exactly once, charging all of it to the user's wallet whatever
 * the token's limit says (see the overdraft rule at the top). The common case (the answer cost no more
 * than the hold) is one statement per row touched: the reservation, the user, the token, the channel, the
 * log.
 */
export async function settleReservation(db: Db, a: SettleArgs, logs: LogTarget = db): Promise<Outcome> {
  assertQuota("settled quota", a.quota);
  const now = a.now ?? nowSeconds();
  return await transactionWithLogs(db, logs, async (tx, addLog) => {
    const r = await claim(tx, a.requestId, ReservationStatus.settled, a.resolution ?? "settle", now, {
      quota: a.quota,
      channelId: a.channelId,
    });
    if (!r) return await notApplied(tx, a.requestId);
    const charged = a.quota;
    const userDelta = r.amount - (a.walletQuota ?? charged);
    // A token limited when the hold was taken moves by the full charge (and may go below 0).
    const tokenDelta = r.tokenAmount > 0 ? r.tokenAmount - charged : 0;
    let shortfall = 0;
    const userUpdate =
      `UPDATE users SET quota = quota + ?, used_quota = used_quota + ?, request_count = request_count + 1
       WHERE id = ?`;
    const userArgs = [userDelta, charged, r.userId];
    if (userDelta < 0) {
      // The answer cost more than the hold: take the overrun whatever is left; the part the wallet did
      // not have becomes its (bounded) debt and is recorded as the shortfall.
      // Read back after the update (the row is locked by it), not with RETURNING: portable to every driver.
      await tx.exec(userUpdate, userArgs);
      const row = await queryOne(tx, "SELECT quota FROM users WHERE id = ?", [r.userId]);
      shortfall = Math.min(-userDelta, Math.max(0, -asInt(row?.quota)));
      if (shortfall > 0) {
        await tx.exec("UPDATE quota_reservations SET shortfall = ? WHERE id = ?", [shortfall, r.id]);
      }
    }
    // Issued together (PostgreSQL pipelines them; SQLite runs them in this order), so the hot rows (the
    // user, the token, the channel) stay locked for one round trip.
    const other = a.log ? { ...(a.log.other ?? {}) } : {};
    if (a.log && shortfall > 0) {
      other.admin_info = {
        ...(other.admin_info as Record<string, unknown> ?? {}),
        quota_shortfall: shortfall,
      };
    }
    await Promise.all([
      userDelta < 0 ? undefined : tx.exec(userUpdate, userArgs),
      r.tokenId > 0
        ? tx.exec(
          "UPDATE tokens SET remain_quota = remain_quota + ?, used_quota = used_quota + ?, accessed_time = ? WHERE id = ?",
          [tokenDelta, charged, now, r.tokenId],
        )
        : undefined,
      a.channelId > 0 && charged > 0
        ? tx.exec("UPDATE channels SET used_quota = used_quota + ? WHERE id = ?", [charged, a.channelId])
        : undefined,
      a.log
        ? addLog({
          ...a.log,
          other,
          type: LogType.consume,
          quota: charged,
          createdAt: a.log.createdAt ?? now,
        })
        : undefined,
    ]);
    return {
      applied: true,
      status: ReservationStatus.settled,
      userId: r.userId,
      tokenId: r.tokenId,
      userDelta,
      tokenDelta,
      charged,
      shortfall,
    };
  });
}

/** Releases a held reservation with a full refund, exactly once. */
export async function releaseReservation(
  db: Db,
  requestId: string,
  resolution = "release",
  now = nowSeconds(),
): Promise<Outcome> {
  return await db.transaction(async (tx) => {
    const r = await claim(tx, requestId, ReservationStatus.released, resolution, now);
    if (!r) return await notApplied(tx, requestId);
    if (r.amount > 0) await tx.exec("UPDATE users SET quota = quota + ? WHERE id = ?", [r.amount, r.userId]);
    if (r.tokenAmount > 0) {
      await tx.exec("UPDATE tokens SET remain_quota = remain_quota + ? WHERE id = ?", [
        r.tokenAmount,
        r.tokenId,
      ]);
    }
    return {
      applied: true,
      status: ReservationStatus.released,
      userId: r.userId,
      tokenId: r.tokenId,
      userDelta: r.amount,
      tokenDelta: r.tokenAmount,
      charged: 0,
      shortfall: 0,
    };
  });
}
