/**
 * The quota book (embedded store, one process): the holds of live requests kept in memory, and their
 * settlements journaled in batches instead of one awaited transaction each.
 *
 * - A hold is in memory only: the wallet and token balances it is checked against are the catalog's,
 *   which this process owns (every change of a balance goes through it or reloads it, see `overlay`).
 *   Nothing durable is written at admission. A process that dies mid-request leaves nothing behind,
 *   which is today's rule for a request without a checkpoint (released, charged 0). A request that lives
 *   long enough to checkpoint (or to need a heartbeat) is first made durable (`persist`): its HELD row and
 *   the hold leave the book together in one transaction, and from then on it takes the ledger's path
 *   (reservations.ts) like on PostgreSQL.
 * - A settlement appends its journal rows (the SETTLED reservation row, the consume log row) and adds its
 *   deltas to per-user, per-token and per-channel sums. Every few ms (or every `batch` settlements) one
 *   transaction writes the journal rows with multi-row INSERTs and the sums with one UPDATE per row
 *   touched. Journal and balances commit together, so every request whose journal row committed is
 *   charged exactly once, after a crash too, and none whose row did not: no replay is needed at start (a
 *   separate high-water mark would always equal the journal's head). What a SIGKILL can lose is the last
 *   batch not yet committed (at most `intervalMs` of answered requests): neither charged nor logged.
 * - Balances are only ever written as deltas (`quota = quota + ?`), so other writers of users.quota and
 *   tokens.remain_quota (admin edits, redemptions, top-ups, refunds) lose nothing and take nothing from
 *   the book; when the catalog reloads a balance from the store it adds `overlay` (what the store has
 *   not been told yet: unflushed settlements minus live holds), so admission stays exact.
 */
import type { Db, Dialect, SqlValue } from "./db.ts";
import { insertLogs, LogType, type NewLog } from "./logs.ts";
import { ReservationStatus } from "./reservations.ts";
import { log } from "../server/logger.ts";

export interface BookHold {
  requestId: string;
  userId: number;
  tokenId: number;
  /** Held from the wallet (grows with extensions). */
  amount: number;
  /** Held from a limited token (0 for an unlimited token or none). */
  tokenAmount: number;
  /** The token's remain_quota moves by the charge (a limited token); defaults to `tokenAmount > 0`. */
  tokenLimited?: boolean;
  createdAt: number;
}

export interface BookSettle {
  requestId: string;
  /** The charge (≥ 0, saturated). */
  quota: number;
  channelId: number;
  /** What the wallet did not have (computed by the caller from the live balance). */
  shortfall: number;
  /** What of `quota` the wallet pays (default all of it; a subscription-paid request: what it overflowed). */
  walletQuota?: number;
  /** The consume row (quota and type filled in here), or null when consume logging is off. */
  log: Omit<NewLog, "quota" | "type"> | null;
  owner: string;
  resolution: string;
  expiresAt: number;
  now: number;
}

export interface UserSums {
  quota: number;
  used: number;
  count: number;
}

export interface TokenSums {
  remain: number;
  used: number;
  accessed: number;
}

/**
 * Where a batch's balance sums go. `DirectBalances` (the embedded store) writes them to users and tokens;
 * store/lease_balances.ts (several instances) charges them to this instance's lease rows.
 */
export interface BalanceWriter {
  /** Writes the sums inside the batch's transaction. */
  write(tx: Db, users: ReadonlyMap<number, UserSums>, tokens: ReadonlyMap<number, TokenSums>): Promise<void>;
  /** The sums left memory for a store transaction (+1), or came back from a failed one (−1). */
  moved?(users: ReadonlyMap<number, UserSums>, tokens: ReadonlyMap<number, TokenSums>, sign: 1 | -1): void;
  /** A hold made durable (`persist`): its amounts leave the balances inside `tx`. */
  persistHold(tx: Db, h: BookHold): Promise<void>;
  /** Called after each committed batch. */
  afterFlush?(): Promise<void>;
}

/** SQLite's scalar MAX is GREATEST elsewhere. */
export const greatest = (dialect: Dialect) => dialect === "sqlite" ? "MAX" : "GREATEST";

/** Balances written as deltas to users and tokens (the process owns the store). */
export class DirectBalances implements BalanceWriter {
  async write(
    tx: Db,
    users: ReadonlyMap<number, UserSums>,
    tokens: ReadonlyMap<number, TokenSums>,
  ): Promise<void> {
    for (const [id, u] of users) {
      await tx.exec(
        `UPDATE users SET quota = quota + ?, used_quota = used_quota + ?, request_count = request_count + ?
         WHERE id = ?`,
        [u.quota, u.used, u.count, id],
      );
    }
    for (const [id, t] of tokens) {
      await tx.exec(
        `UPDATE tokens SET remain_quota = remain_quota + ?, used_quota = used_quota + ?,
          accessed_time = ${greatest(tx.dialect)}(accessed_time, ?) WHERE id = ?`,
        [t.remain, t.used, t.accessed, id],
      );
    }
  }

  async persistHold(tx: Db, h: BookHold): Promise<void> {
    await tx.exec("UPDATE users SET quota = quota - ? WHERE id = ?", [h.amount, h.userId]);
    if (h.tokenAmount > 0) {
      await tx.exec("UPDATE tokens SET remain_quota = remain_quota - ? WHERE id = ?", [
        h.tokenAmount,
        h.tokenId,
      ]);
    }
  }
}

interface Batch {
  users: Map<number, UserSums>;
  tokens: Map<number, TokenSums>;
  channels: Map<number, number>;
  rows: SqlValue[][];
  logs: NewLog[];
}

const emptyBatch = (): Batch => ({
  users: new Map(),
  tokens: new Map(),
  channels: new Map(),
  rows: [],
  logs: [],
});

const ROW_COLUMNS =
  `request_id, user_id, token_id, channel_id, amount, token_amount, status, created_at, expires_at,
  settled_at, settled_quota, shortfall, owner, resolution`;
const ROW_PARAMS = `(${new Array(14).fill("?").join(", ")})`;

/**
 * Splits `n` rows into multi-row statements of 64, 16, 4 and 1 rows: a handful of distinct SQL texts, so
 * the connection's prepared statements are reused instead of one new statement per batch size.
 */
export function chunks(n: number): [start: number, size: number][] {
  const out: [number, number][] = [];
  let at = 0;
  for (const size of [64, 16, 4, 1]) {
    while (n - at >= size) {
      out.push([at, size]);
      at += size;
    }
  }
  return out;
}

export class QuotaBook {
  readonly #holds = new Map<string, BookHold>();
  readonly #heldUser = new Map<number, number>();
  readonly #heldToken = new Map<number, number>();
  #batch = emptyBatch();
  #settlements = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #flushing: Promise<void> = Promise.resolve();
  /** Bumped whenever unflushed sums move into (or back out of) a store transaction. */
  version = 0;
  failures = 0;

  readonly balances: BalanceWriter;

  constructor(
    readonly db: Db,
    private readonly opts: { intervalMs?: number; batch?: number; balances?: BalanceWriter } = {},
  ) {
    this.balances = opts.balances ?? new DirectBalances();
  }

  /** What the store's balance of a user lacks: unflushed settlements minus live holds. */
  userOverlay(id: number): number {
    return (this.#batch.users.get(id)?.quota ?? 0) - (this.#heldUser.get(id) ?? 0);
  }

  tokenOverlay(id: number): number {
    return (this.#batch.tokens.get(id)?.remain ?? 0) - (this.#heldToken.get(id) ?? 0);
  }

  has(requestId: string): boolean {
    return this.#holds.has(requestId);
  }

  get(requestId: string): Readonly<BookHold> | undefined {
    return this.#holds.get(requestId);
  }

  /** Live in-memory holds. */
  get size(): number {
    return this.#holds.size;
  }

  /** Settlements not yet committed. */
  get pending(): number {
    return this.#settlements;
  }

  #add(map: Map<number, number>, id: number, delta: number): void {
    const v = (map.get(id) ?? 0) + delta;
    if (v === 0) map.delete(id);
    else map.set(id, v);
  }

  /** Records a hold the caller has checked against the live balances. */
  hold(h: BookHold): void {
    this.#holds.set(h.requestId, { ...h });
    this.#add(this.#heldUser, h.userId, h.amount);
    if (h.tokenAmount > 0) this.#add(this.#heldToken, h.tokenId, h.tokenAmount);
  }

  extend(requestId: string, amount: number): void {
    const h = this.#holds.get(requestId);
    if (!h) throw new Error(`no hold ${requestId} in the quota book`);
    h.amount += amount;
    this.#add(this.#heldUser, h.userId, amount);
  }

  /** Removes a hold from the book (released, or made durable); returns it. */
  take(requestId: string): BookHold | undefined {
    const h = this.#holds.get(requestId);
    if (!h) return undefined;
    this.#holds.delete(requestId);
    this.#add(this.#heldUser, h.userId, -h.amount);
    if (h.tokenAmount > 0) this.#add(this.#heldToken, h.tokenId, -h.tokenAmount);
    return h;
  }

  /**
   * Ends a hold at `quota`: the full charge goes to the wallet, a limited token moves by the same charge,
   * the channel's and the counters' sums grow, and the journal rows are queued. Returns the hold, or
   * undefined when it is not in the book.
   */
  settle(s: BookSettle): BookHold | undefined {
    const h = this.take(s.requestId);
    if (!h) return undefined;
    const b = this.#batch;
    const u = b.users.get(h.userId) ?? { quota: 0, used: 0, count: 0 };
    u.quota -= s.walletQuota ?? s.quota;
    u.used += s.quota;
    u.count += 1;
    b.users.set(h.userId, u);
    if (h.tokenId > 0) {
      const t = b.tokens.get(h.tokenId) ?? { remain: 0, used: 0, accessed: 0 };
      if (h.tokenLimited ?? h.tokenAmount > 0) t.remain -= s.quota;
      t.used += s.quota;
      t.accessed = Math.max(t.accessed, s.now);
      b.tokens.set(h.tokenId, t);
    }
    if (s.channelId > 0 && s.quota > 0) this.#add(b.channels, s.channelId, s.quota);
    b.rows.push([
      h.requestId,
      h.userId,
      h.tokenId,
      s.channelId,
      h.amount,
      h.tokenAmount,
      ReservationStatus.settled,
      h.createdAt,
      s.expiresAt,
      s.now,
      s.quota,
      s.shortfall,
      s.owner,
      s.resolution,
    ]);
    if (s.log) {
      const other = { ...(s.log.other ?? {}) };
      if (s.shortfall > 0) {
        other.admin_info = {
          ...(other.admin_info as Record<string, unknown> ?? {}),
          quota_shortfall: s.shortfall,
        };
      }
      b.logs.push({
        ...s.log,
        other,
        type: LogType.consume,
        quota: s.quota,
        createdAt: s.log.createdAt ?? s.now,
      });
    }
    this.#settlements++;
    if (this.#settlements >= (this.opts.batch ?? 256)) void this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush(), this.opts.intervalMs ?? 5);
    }
    return h;
  }

  /**
   * Writes a durable HELD row for a hold and removes it from the book, in one transaction with the
   * balance moves the ledger's `reserveQuota` would have made (unconditional: the book admitted it).
   */
  async persist(
    requestId: string,
    row: { owner: string; expiresAt: number; meta: string },
  ): Promise<boolean> {
    if (!this.#holds.has(requestId)) return false;
    return await this.db.transaction(async (tx) => {
      // Looked up when the transaction runs: a settle or release that came first leaves nothing to persist.
      const h = this.#holds.get(requestId);
      if (!h) return false;
      await tx.exec(
        `INSERT INTO quota_reservations (request_id, user_id, token_id, amount, token_amount, status, created_at,
          expires_at, owner, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          h.requestId,
          h.userId,
          h.tokenId,
          h.amount,
          h.tokenAmount,
          ReservationStatus.held,
          h.createdAt,
          row.expiresAt,
          row.owner,
          row.meta,
        ],
      );
      await this.balances.persistHold(tx, h);
      // The store has the hold now (in this transaction): the book no longer counts it.
      this.take(requestId);
      this.version++;
      return true;
    });
  }

  /**
   * Runs `fn` between batches, never beside one (a lease take locks the rows a batch writes: run one at a
   * time per instance, they cannot wait on each other).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#flushing.then(fn);
    this.#flushing = run.then(() => {}, () => {});
    return run;
  }

  /**
   * Commits everything queued so far (one transaction). Never rejects: on failure the sums stay queued
   * (logged, `failures` counts the failed attempts in a row) and a retry is scheduled.
   */
  flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#settlements === 0) return;
    let taken: { batch: Batch; count: number } | undefined;
    const restore = () => {
      if (!taken) return;
      this.#merge(taken.batch, taken.count);
      this.balances.moved?.(taken.batch.users, taken.batch.tokens, -1);
      taken = undefined;
      this.version++;
    };
    try {
      await this.db.transaction(async (tx) => {
        // Taken when the transaction runs: no reader of this connection sees the store between the two.
        taken = { batch: this.#batch, count: this.#settlements };
        this.#batch = emptyBatch();
        this.#settlements = 0;
        this.version++;
        const b = taken.batch;
        this.balances.moved?.(b.users, b.tokens, 1);
        const mysql = tx.dialect === "mysql";
        for (const [i, n] of chunks(b.rows.length)) {
          const part = b.rows.slice(i, i + n);
          await tx.exec(
            `INSERT${mysql ? " IGNORE" : ""} INTO quota_reservations (${ROW_COLUMNS})
             VALUES ${part.map(() => ROW_PARAMS).join(", ")}${
              mysql ? "" : " ON CONFLICT (request_id) DO NOTHING"
            }`,
            part.flat(),
          );
        }
        await this.balances.write(tx, b.users, b.tokens);
        for (const [id, used] of b.channels) {
          await tx.exec("UPDATE channels SET used_quota = used_quota + ? WHERE id = ?", [used, id]);
        }
        for (const [i, n] of chunks(b.logs.length)) await insertLogs(tx, b.logs.slice(i, i + n), n);
      });
      taken = undefined;
      this.failures = 0;
      // Readers that spanned the commit read again (catalog overlay).
      this.version++;
      await this.balances.afterFlush?.().catch((err) =>
        log.error("quota book: after-batch lease upkeep failed", { error: String(err) })
      );
    } catch (err) {
      restore();
      this.failures++;
      log.error("quota book: writing settlements failed; kept for the next batch", {
        settlements: this.#settlements,
        error: String(err),
      });
      if (this.#timer === undefined) {
        this.#timer = setTimeout(() => void this.flush(), Math.min(5000, 50 * 2 ** this.failures));
      }
    }
  }

  /** Puts a batch that could not be written back in front of what arrived since. */
  #merge(old: Batch, count: number): void {
    const b = this.#batch;
    for (const [id, u] of old.users) {
      const cur = b.users.get(id) ?? { quota: 0, used: 0, count: 0 };
      b.users.set(id, { quota: cur.quota + u.quota, used: cur.used + u.used, count: cur.count + u.count });
    }
    for (const [id, t] of old.tokens) {
      const cur = b.tokens.get(id) ?? { remain: 0, used: 0, accessed: 0 };
      b.tokens.set(id, {
        remain: cur.remain + t.remain,
        used: cur.used + t.used,
        accessed: Math.max(cur.accessed, t.accessed),
      });
    }
    for (const [id, used] of old.channels) this.#add(b.channels, id, used);
    b.rows = old.rows.concat(b.rows);
    b.logs = old.logs.concat(b.logs);
    this.#settlements += count;
  }
}
