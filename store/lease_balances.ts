/**
 * The quota book's balances on a store several instances share (PostgreSQL, MySQL): this instance spends
 * only what it has leased. Admission (`cover`) checks the lease's available amount (the lease row as last
 * committed, minus the book's unwritten charges and live holds) and, when short, takes a slice from the
 * balance in one statement (store/quota_leases.ts). A batch of settlements is charged to the lease rows in
 * the batch's transaction, with the used-quota counters.
 *
 * Slices: while the balance has at least 4 × a large slice (16 × the request's need), a take moves that
 * large slice; otherwise the subject is "tight": each take moves exactly what the request lacks, and what is
 * left over after each batch goes back to the balance, so the sum of leases never passes the balance and
 * the last quota can be spent to its end from any instance. A lease idle for one tick is returned; leases
 * are renewed every tick, and a lease whose instance died expires and is given back by any other instance.
 */
import type { Db } from "./db.ts";
import {
  type BalanceWriter,
  type BookHold,
  greatest,
  type QuotaBook,
  type TokenSums,
  type UserSums,
} from "./quota_book.ts";
import {
  dropEmptyLeases,
  LeaseKind,
  moveLease,
  reclaimExpiredLeases,
  renewLeases,
  returnLease,
  type TakeLease,
  takeLease,
} from "./quota_leases.ts";
import { log } from "../server/logger.ts";

interface Lease {
  kind: LeaseKind;
  id: number;
  userId: number;
  /** The lease row's amount as this instance has it (committed batches and takes included). */
  amount: number;
  /** Near the end of the balance: small slices, leftovers returned after each batch. */
  tight: boolean;
  usedAt: number;
  taking?: Promise<boolean>;
}

export interface LeaseOptions {
  /** How long a lease lives without renewal (QUOTA_LEASE_SECONDS). */
  leaseSeconds: number;
  /** A large slice is this many times the request's need (default 16). */
  sliceFactor?: number;
}

const keyOf = (kind: LeaseKind, id: number) => `${kind}:${id}`;

export class LeaseBalances implements BalanceWriter {
  readonly #leases = new Map<string, Lease>();
  #book?: QuotaBook;
  /** Takes that moved quota (statements on the request path), for tests and the bench. */
  takes = 0;

  constructor(readonly db: Db, readonly owner: string, private readonly opts: LeaseOptions) {}

  attach(book: QuotaBook): void {
    this.#book = book;
  }

  #overlay(kind: LeaseKind, id: number): number {
    const b = this.#book;
    if (!b) return 0;
    return kind === LeaseKind.user ? b.userOverlay(id) : b.tokenOverlay(id);
  }

  /** What this instance may still hold or charge against the subject without taking more. */
  available(kind: LeaseKind, id: number): number {
    const l = this.#leases.get(keyOf(kind, id));
    return (l?.amount ?? 0) + this.#overlay(kind, id);
  }

  /** The lease row's amount as this instance has it (0 when none). */
  leased(kind: LeaseKind, id: number): number {
    return this.#leases.get(keyOf(kind, id))?.amount ?? 0;
  }

  #lease(kind: LeaseKind, id: number, userId: number): Lease {
    const key = keyOf(kind, id);
    let l = this.#leases.get(key);
    if (!l) this.#leases.set(key, l = { kind, id, userId, amount: 0, tight: false, usedAt: Date.now() });
    return l;
  }

  #expiresAt(): number {
    return Math.floor(Date.now() / 1000) + this.opts.leaseSeconds;
  }

  /**
   * Makes `need` available (and at least 1: a balance at or below 0 admits nothing), taking from the
   * balance when short. `hint` is what one request of this kind costs, which sizes a large slice. False
   * when the balance cannot cover it. The caller re-checks `available` synchronously before holding.
   */
  async cover(kind: LeaseKind, id: number, need: number, hint: number, userId = id): Promise<boolean> {
    const l = this.#lease(kind, id, userId);
    l.usedAt = Date.now();
    for (let attempt = 0; attempt < 4; attempt++) {
      const available = this.available(kind, id);
      if (available >= need && available > 0) return true;
      if (l.taking) {
        await l.taking;
        continue;
      }
      const lack = Math.max(1, need - available);
      l.taking = this.#take(l, lack, Math.max(1, hint, need)).finally(() => (l.taking = undefined));
      if (!(await l.taking)) {
        const after = this.available(kind, id);
        return after >= need && after > 0;
      }
    }
    const available = this.available(kind, id);
    return available >= need && available > 0;
  }

  /** One take, retried on a deadlock or another transient error (a failed statement moved nothing). */
  async #takeLease(a: TakeLease): Promise<boolean> {
    for (let attempt = 1;; attempt++) {
      try {
        const take = () => takeLease(this.db, a);
        return await (this.#book ? this.#book.exclusive(take) : take());
      } catch (err) {
        if (attempt >= 4 || err instanceof RangeError) throw err;
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
      }
    }
  }

  async #take(l: Lease, lack: number, perRequest: number): Promise<boolean> {
    const big = lack + perRequest * (this.opts.sliceFactor ?? 16);
    const base = { owner: this.owner, kind: l.kind, subjectId: l.id, userId: l.userId };
    if (
      !l.tight &&
      await this.#takeLease({ ...base, take: big, atLeast: big * 4, expiresAt: this.#expiresAt() })
    ) {
      l.amount += big;
      this.takes++;
      return true;
    }
    const ok = await this.#takeLease({ ...base, take: lack, atLeast: lack, expiresAt: this.#expiresAt() });
    if (ok) {
      l.amount += lack;
      this.takes++;
    }
    // Tight until a large slice fits again (checked again when the lease is next idle and returned).
    l.tight = true;
    return ok;
  }

  moved(users: ReadonlyMap<number, UserSums>, tokens: ReadonlyMap<number, TokenSums>, sign: 1 | -1): void {
    for (const [id, u] of users) {
      const l = this.#leases.get(keyOf(LeaseKind.user, id));
      if (l) l.amount += sign * u.quota;
    }
    for (const [id, t] of tokens) {
      const l = this.#leases.get(keyOf(LeaseKind.token, id));
      if (l) l.amount += sign * t.remain;
    }
  }

  async write(
    tx: Db,
    users: ReadonlyMap<number, UserSums>,
    tokens: ReadonlyMap<number, TokenSums>,
  ): Promise<void> {
    for (const [id, u] of users) {
      if (u.quota !== 0) await moveLease(tx, this.owner, LeaseKind.user, id, u.quota);
      await tx.exec(
        "UPDATE users SET used_quota = used_quota + ?, request_count = request_count + ? WHERE id = ?",
        [u.used, u.count, id],
      );
    }
    for (const [id, t] of tokens) {
      if (t.remain !== 0) await moveLease(tx, this.owner, LeaseKind.token, id, t.remain);
      await tx.exec(
        `UPDATE tokens SET used_quota = used_quota + ?, accessed_time = ${
          greatest(tx.dialect)
        }(accessed_time, ?)
         WHERE id = ?`,
        [t.used, t.accessed, id],
      );
    }
  }

  async persistHold(tx: Db, h: BookHold): Promise<void> {
    // The durable hold is the ledger's: it leaves the lease (the ledger's settle refunds the balance).
    await moveLease(tx, this.owner, LeaseKind.user, h.userId, -h.amount);
    this.#lease(LeaseKind.user, h.userId, h.userId).amount -= h.amount;
    if (h.tokenAmount > 0) {
      await moveLease(tx, this.owner, LeaseKind.token, h.tokenId, -h.tokenAmount);
      this.#lease(LeaseKind.token, h.tokenId, h.userId).amount -= h.tokenAmount;
    }
  }

  /**
   * Gives back what is free of a lease (what live holds and unwritten charges do not need). Outside a batch
   * (`between`: from the lease upkeep), it waits for the book to be between batches.
   */
  async #giveBack(l: Lease, o: { debtToo?: boolean; between?: boolean } = {}): Promise<void> {
    if (l.taking) return;
    if (o.between && this.#book) {
      return await this.#book.exclusive(() => this.#giveBack(l, { ...o, between: false }));
    }
    const free = this.available(l.kind, l.id);
    // A lease below 0 (charges past it, the overdraft rule's debt) is settled into the balance at shutdown.
    if (free === 0 || (free < 0 && !o.debtToo)) return;
    l.amount -= free;
    try {
      await returnLease(this.db, this.owner, l.kind, l.id, free);
    } catch (err) {
      l.amount += free;
      throw err;
    }
  }

  /** After a batch: tight leases give their leftovers back at once. */
  async afterFlush(): Promise<void> {
    for (const l of this.#leases.values()) if (l.tight) await this.#giveBack(l);
  }

  /**
   * The lease heartbeat (every `leaseSeconds` / 3): renews this instance's rows, gives back leases idle
   * since the last tick (a returned lease is taken large again next time, if the balance allows), and
   * reclaims expired leases of instances that died.
   */
  async tick(now = Date.now()): Promise<void> {
    const idleMs = this.opts.leaseSeconds * 1000 / 3;
    await renewLeases(this.db, this.owner, this.#expiresAt());
    for (const l of [...this.#leases.values()]) {
      if (now - l.usedAt < idleMs) continue;
      await this.#giveBack(l, { between: true });
      if (l.amount === 0 && !l.taking && this.#overlay(l.kind, l.id) === 0) {
        this.#leases.delete(keyOf(l.kind, l.id));
      }
      l.tight = false;
    }
    const reclaimed = await reclaimExpiredLeases(this.db, Math.floor(now / 1000));
    if (reclaimed > 0) log.warn("returned quota leases of an instance that stopped", { leases: reclaimed });
  }

  /** Gives every lease back (shutdown, after the book's last batch). */
  async returnAll(): Promise<void> {
    for (const l of this.#leases.values()) {
      try {
        await this.#giveBack(l, { debtToo: true, between: true });
      } catch (err) {
        log.error("returning a quota lease failed; it expires and is reclaimed", { error: String(err) });
      }
    }
    await dropEmptyLeases(this.db, this.owner).catch(() => {});
  }
}
