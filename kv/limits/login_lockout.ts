/**
 * Per-account password sign-in throttling, beside the per-IP limit: after `threshold` failed attempts for
 * one username its password sign-in is locked for `seconds`, doubling on each further lockout up to
 * `maxSeconds`. Counters live in KV under the username as typed (lower-cased), whether or not such an
 * account exists, so the lock says nothing about which accounts exist and holds across instances that
 * share a KV. An attempt is counted when it starts, so parallel guesses cannot all pass the check before
 * the first failure lands; a successful sign-in clears the record.
 */
import { updateKey } from "../key_update.ts";

export interface LockoutPolicy {
  /** Failed attempts that lock the account; 0 turns the lock off. */
  threshold: number;
  seconds: number;
  maxSeconds: number;
}

export interface LockoutState {
  /** Attempts counted since the last lock (or since the record began). */
  attempts: number;
  /** Locks so far; the next lasts `seconds × 2^lockouts`, capped. */
  lockouts: number;
  /** Epoch ms the current lock ends (0: none yet). */
  lockedUntil: number;
}

/** Whether the attempt may go on, and when not, how long the lock has left. */
export type AttemptAnswer = { ok: true } | { ok: false; retryAfterMs: number };

/** How long the `n`th lock (1-based) lasts, in ms. */
export function lockDurationMs(policy: LockoutPolicy, n: number): number {
  const seconds = policy.seconds * 2 ** Math.min(n - 1, 30);
  return Math.min(seconds, policy.maxSeconds) * 1000;
}

/**
 * Counts one attempt, or refuses it during a lock. The attempt that reaches the threshold still runs
 * (it is the threshold-th guess) and starts the lock for the ones after it.
 */
export function beginAttempt(
  state: LockoutState | undefined,
  now: number,
  policy: LockoutPolicy,
): { state: LockoutState | undefined; answer: AttemptAnswer } {
  const s = state ?? { attempts: 0, lockouts: 0, lockedUntil: 0 };
  if (s.lockedUntil > now) return { state, answer: { ok: false, retryAfterMs: s.lockedUntil - now } };
  const attempts = s.attempts + 1;
  if (attempts < policy.threshold) return { state: { ...s, attempts }, answer: { ok: true } };
  const lockouts = s.lockouts + 1;
  return {
    state: { attempts: 0, lockouts, lockedUntil: now + lockDurationMs(policy, lockouts) },
    answer: { ok: true },
  };
}

/** The record is forgotten (backoff and all) after a quiet spell as long as the longest lock. */
function ttlMs(state: LockoutState, now: number, policy: LockoutPolicy): number {
  return Math.max(state.lockedUntil - now, 0) + policy.maxSeconds * 1000;
}

function lockoutKey(username: string): Deno.KvKey {
  return ["limits", "login", username.trim().toLowerCase()];
}

/** Counts a password sign-in attempt for `username`, or answers how long its lock has left. */
export function takeLoginAttempt(
  kv: Deno.Kv,
  username: string,
  policy: LockoutPolicy,
): Promise<AttemptAnswer> {
  if (policy.threshold <= 0) return Promise.resolve({ ok: true });
  return updateKey<LockoutState, AttemptAnswer>(kv, lockoutKey(username), (state, now) => {
    const step = beginAttempt(state, now, policy);
    const ttl = step.state && ttlMs(step.state, now, policy);
    return { state: step.state, result: step.answer, expireInMs: ttl };
  });
}

/** A successful sign-in: the account's count and backoff start over. */
export function clearLoginAttempts(kv: Deno.Kv, username: string, policy: LockoutPolicy): Promise<void> {
  if (policy.threshold <= 0) return Promise.resolve();
  return updateKey<LockoutState, void>(
    kv,
    lockoutKey(username),
    () => ({ state: undefined, result: undefined }),
  );
}
