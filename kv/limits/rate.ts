/**
 * The one rate algorithm behind every limit: GCRA, a token bucket of `limit` units that refills evenly
 * over `periodMs` (the way OpenAI describes RPM/TPM). Its whole state is one number, the theoretical
 * arrival time (`tat`, epoch ms), so it fits one KV value and has no window edge where limits double.
 */

export interface Rate {
  /** Units per period (requests, tokens, notifications); 0 or less means unlimited. */
  limit: number;
  periodMs: number;
}

export interface RateDecision {
  ok: boolean;
  /** The bucket after the decision (unchanged when rejected). */
  tat: number | undefined;
  /** When rejected: ms until the request would fit. */
  retryAfterMs: number;
}

// Float slack so that e.g. 7 requests of 60000/7 ms still fit in 60000 ms.
const slack = 1e-6;

function interval(rate: Rate): number {
  return rate.periodMs / rate.limit;
}

/** Takes `cost` units if the bucket holds them; otherwise leaves it as it was. */
export function takeRate(tat: number | undefined, now: number, rate: Rate, cost = 1): RateDecision {
  if (rate.limit <= 0) return { ok: true, tat, retryAfterMs: 0 };
  const next = Math.max(tat ?? now, now) + cost * interval(rate);
  if (next - now <= rate.periodMs + slack) return { ok: true, tat: next, retryAfterMs: 0 };
  return { ok: false, tat, retryAfterMs: Math.max(1, next - rate.periodMs - now) };
}

/** Would one more unit fit? Takes nothing (for limits charged afterwards, like tokens per minute). */
export function peekRate(tat: number | undefined, now: number, rate: Rate): RateDecision {
  const d = takeRate(tat, now, rate, 1);
  return { ok: d.ok, tat, retryAfterMs: d.retryAfterMs };
}

/**
 * Charges `cost` units after the fact, even past the limit: the overdraft is paid back before the next
 * request passes `peekRate`. The debt is capped at one extra period so one huge answer cannot lock a
 * key for hours.
 */
export function chargeRate(
  tat: number | undefined,
  now: number,
  rate: Rate,
  cost: number,
): number | undefined {
  if (rate.limit <= 0 || cost <= 0) return tat;
  return Math.min(Math.max(tat ?? now, now) + cost * interval(rate), now + 2 * rate.periodMs);
}

/** Gives back `cost` units taken by a request that was then not served. */
export function refundRate(tat: number | undefined, now: number, rate: Rate, cost = 1): number | undefined {
  if (rate.limit <= 0 || tat === undefined) return tat;
  const back = tat - cost * interval(rate);
  return back <= now ? undefined : back;
}

/** How long a stored bucket matters: after `tat` it is full again and can be forgotten. */
export function bucketTtlMs(tat: number | undefined, now: number): number {
  return tat === undefined ? 1000 : Math.max(1000, tat - now + 1000);
}

/** Seconds for a Retry-After header: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
