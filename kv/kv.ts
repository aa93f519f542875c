/**
 * The one place that opens Deno KV and the thin helpers the rest of the code uses on it: retries of
 * "database is locked" (a local KV file shared by processes), fixed-window counters, and a queue.
 * A local KV file belongs to one process; instances that must share limits use a Redis named by
 * REDIS_CONN_STRING (`redis_keys.ts`), Deno Deploy's KV, or a KV Connect server named by DENO_KV_URL.
 */
import type { Config } from "../config/env.ts";
import { updateKey } from "./key_update.ts";
import { withKvRetry } from "./retry.ts";
import { preparePrivateFile, tightenSqliteSidecars } from "../store/private_file.ts";
import { useKeyBackend } from "./key_backend.ts";
import { openRedisKeys } from "./redis_keys.ts";

export { kvBusyRetries, withKvRetry } from "./retry.ts";

export type Kv = Deno.Kv;

/**
 * Opens KV from DENO_KV_URL, DENO_KV_PATH (file or `:memory:`), or Deno Deploy's built-in store. A local
 * file is created 0600 in a 0700 directory (`store/private_file.ts`). With REDIS_CONN_STRING the keys
 * `updateKey` maintains (limits, slots, lockouts, throttles) live in that Redis instead, which must answer
 * now: an unreachable one throws a one-line reason and nothing is left open.
 */
export async function openKv(
  config: Pick<Config, "kvUrl" | "kvPath"> & Pick<Partial<Config>, "redis">,
): Promise<Kv> {
  const redis = config.redis ? await openRedisKeys(config.redis) : undefined;
  const kv = await openKvStore(config).catch(async (err) => {
    await redis?.close();
    throw err;
  });
  if (redis) useKeyBackend(kv, redis);
  return kv;
}

async function openKvStore(config: Pick<Config, "kvUrl" | "kvPath">): Promise<Kv> {
  if (config.kvUrl) return await Deno.openKv(config.kvUrl);
  const file = config.kvPath && config.kvPath !== ":memory:" ? config.kvPath : undefined;
  if (file) await preparePrivateFile(file);
  const kv = await Deno.openKv(config.kvPath);
  if (file) await tightenSqliteSidecars(file);
  return kv;
}

export interface WindowCount {
  /** Count in the current window, including this increment. */
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/**
 * Adds `amount` to the counter `key` for the current fixed window of `windowMs` and returns the new
 * count. Atomic across every handle of the same KV; concurrent calls in one process share commits.
 */
export function incrementWindow(
  kv: Kv,
  key: Deno.KvKey,
  windowMs: number,
  amount = 1,
): Promise<WindowCount> {
  const window = Math.floor(Date.now() / windowMs);
  return updateKey<number, WindowCount>(kv, [...key, window], (count = 0, now) => ({
    state: count + amount,
    result: { count: count + amount, resetMs: Math.max(1, (window + 1) * windowMs - now) },
    expireInMs: windowMs + 1000,
  }));
}

/** Enqueues a message with retries on a busy local file. */
export function enqueue(
  kv: Kv,
  message: unknown,
  options?: { delay?: number },
): Promise<Deno.KvCommitResult> {
  return withKvRetry(() => kv.enqueue(message, options));
}
