/** GCRA buckets stored in KV, one number per key; see `rate.ts` for the algorithm. */
import { updateKey } from "../key_update.ts";
import { bucketTtlMs, chargeRate, peekRate, type Rate, takeRate } from "./rate.ts";

export interface LimitAnswer {
  ok: boolean;
  /** When rejected: ms until a retry would pass. */
  retryAfterMs: number;
}

/** Takes `cost` units from the bucket at `key`, or rejects without taking anything. */
export function takeKeyedRate(kv: Deno.Kv, key: Deno.KvKey, rate: Rate, cost = 1): Promise<LimitAnswer> {
  return updateKey<number, LimitAnswer>(kv, key, (tat, now) => {
    const d = takeRate(tat, now, rate, cost);
    return {
      state: d.tat,
      result: { ok: d.ok, retryAfterMs: d.retryAfterMs },
      expireInMs: bucketTtlMs(d.tat, now),
    };
  });
}

/** Checks that the bucket at `key` has something left, without taking. */
export function peekKeyedRate(kv: Deno.Kv, key: Deno.KvKey, rate: Rate): Promise<LimitAnswer> {
  return updateKey<number, LimitAnswer>(kv, key, (tat, now) => {
    const d = peekRate(tat, now, rate);
    return {
      state: tat,
      result: { ok: d.ok, retryAfterMs: d.retryAfterMs },
      expireInMs: bucketTtlMs(tat, now),
    };
  });
}

/** Charges `cost` units after the fact (may overdraw; see `chargeRate`). */
export function chargeKeyedRate(kv: Deno.Kv, key: Deno.KvKey, rate: Rate, cost: number): Promise<void> {
  return updateKey<number, void>(kv, key, (tat, now) => {
    const next = chargeRate(tat, now, rate, cost);
    return { state: next, result: undefined, expireInMs: bucketTtlMs(next, now) };
  });
}
