/**
 * The concurrency slots in a token's limit value, grouped by holder: each `TokenLimiter` (one per process)
 * is a holder with one expiry for all its running requests, so it renews them in one write and an update
 * looks at a handful of holders, not every request. A holder that stops renewing (a crash) loses all its
 * slots after the lease. Pure functions over the stored value; `token_limits.ts` does the I/O.
 */
import { bucketTtlMs } from "./rate.ts";

export interface Holder {
  /** Epoch ms after which these slots no longer count unless renewed. */
  until: number;
  /** The holder's running requests (ids local to the holder). */
  ids: number[];
}

export interface TokenState {
  rpm?: number;
  tpm?: { tat: number; limit: number };
  /** holder id → its slots */
  holders?: Record<string, Holder>;
  /** One entry per slot, as written before holders (lease id → expiry); counted until they expire. */
  leases?: Record<string, number>;
}

/** The holders and legacy leases still alive at `now`, and how many slots they take. */
export function liveSlots(state: TokenState, now: number) {
  let running = 0;
  let holders: Record<string, Holder> | undefined;
  for (const id in state.holders) {
    const h = state.holders[id];
    if (h.until > now && h.ids.length > 0) {
      (holders ??= {})[id] = h;
      running += h.ids.length;
    }
  }
  let leases: Record<string, number> | undefined;
  for (const id in state.leases) {
    if (state.leases[id] > now) {
      (leases ??= {})[id] = state.leases[id];
      running++;
    }
  }
  return { holders, leases, running };
}

/** `holders` with `holder`'s entry replaced (removed when it holds nothing). */
export function withHolder(
  holders: Record<string, Holder> | undefined,
  holder: string,
  entry: Holder,
): Record<string, Holder> | undefined {
  const next = { ...holders };
  if (entry.ids.length > 0) next[holder] = entry;
  else delete next[holder];
  for (const _ in next) return next;
  return undefined;
}

/**
 * The slots `holder` really holds when it renews: the stored ones it still knows of (admitted, or being
 * admitted in this very batch) plus every one it knows is running, which brings back slots that expired
 * while the KV was unreachable and drops any whose release failed to reach the KV.
 */
export function renewedIds(
  stored: number[] | undefined,
  running: Set<number>,
  admitting: Set<number>,
): number[] {
  const ids = new Set(running);
  for (const id of stored ?? []) if (admitting.has(id)) ids.add(id);
  return [...ids];
}

/** The value to store (undefined when nothing is left) and how long it matters. */
export function toStore(state: TokenState, now: number) {
  const out: TokenState = {};
  let ttl = 1000, empty = true;
  if (state.rpm !== undefined) {
    out.rpm = state.rpm;
    ttl = Math.max(ttl, bucketTtlMs(state.rpm, now));
    empty = false;
  }
  if (state.tpm !== undefined) {
    out.tpm = state.tpm;
    ttl = Math.max(ttl, bucketTtlMs(state.tpm.tat, now));
    empty = false;
  }
  if (state.holders) {
    out.holders = state.holders;
    for (const id in state.holders) ttl = Math.max(ttl, state.holders[id].until - now + 1000);
    empty = false;
  }
  if (state.leases) {
    out.leases = state.leases;
    for (const id in state.leases) ttl = Math.max(ttl, state.leases[id] - now + 1000);
    empty = false;
  }
  return { state: empty ? undefined : out, expireInMs: ttl };
}
