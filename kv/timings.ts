/**
 * Where the round trips to the shared key stores are timed for `/metrics`: every KV read and atomic
 * commit made for `updateKey` (and the owned keys' first read and write-behind), every Redis read and
 * compare-and-set. `server/metrics.ts` sets `keyTimings.observe` (process-wide, as the stores are); unset,
 * `timed` only runs the call.
 */
export type KeyStoreName = "kv" | "redis";
export type KeyOperation = "read" | "write";

export const keyTimings: { observe?: (store: KeyStoreName, operation: KeyOperation, ms: number) => void } =
  {};

/** Runs `call` and reports its duration (failures included) under `store` and `operation`. */
export async function timed<T>(
  store: KeyStoreName,
  operation: KeyOperation,
  call: () => Promise<T>,
): Promise<T> {
  const observe = keyTimings.observe;
  if (!observe) return await call();
  const started = performance.now();
  try {
    return await call();
  } finally {
    observe(store, operation, performance.now() - started);
  }
}
