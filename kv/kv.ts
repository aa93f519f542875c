/**
 * The one place that opens Deno KV and the thin helpers the rest of the code uses on it: retries of
 * "database is locked" (a local KV file shared by processes), fixed-window counters, and a queue.
 * A local KV file belongs to one process; instances that must share limits use Deno Deploy's KV or
 * a KV Connect server named by DENO_KV_URL.
 */
import type { Config } from "../config/env.ts";

export type Kv = Deno.Kv;

/** Opens KV from DENO_KV_URL, DENO_KV_PATH (file or `:memory:`), or Deno Deploy's built-in store. */
export async function openKv(config: Pick<Config, "kvUrl" | "kvPath">): Promise<Kv> {
  if (config.kvUrl) return await Deno.openKv(config.kvUrl);
  if (config.kvPath && config.kvPath !== ":memory:") {
    const dir = config.kvPath.includes("/") ? config.kvPath.slice(0, config.kvPath.lastIndexOf("/")) : "";
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  return await Deno.openKv(config.kvPath);
}

function isBusy(err: unknown): boolean {
  const message = (err as Error)?.message ?? "";
  return message.includes("database is locked") || message.includes("SQLITE_BUSY");
}

/** Runs a KV operation, retrying with jittered backoff while another process holds the file's lock. */
export async function withKvRetry<T>(op: () => Promise<T>, attempts = 50): Promise<T> {
  for (let i = 1;; i++) {
    try {
      return await op();
    } catch (err) {
      if (!isBusy(err) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.min(50, 2 * i) * (0.5 + Math.random())));
    }
  }
}

export interface WindowCount {
  /** Count in the current window, including this increment. */
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/**
 * Adds `amount` to the counter `key` for the current fixed window of `windowMs` and returns the new
 * count. Atomic across every handle of the same KV.
 */
export async function incrementWindow(
  kv: Kv,
  key: Deno.KvKey,
  windowMs: number,
  amount = 1,
): Promise<WindowCount> {
  const now = Date.now();
  const window = Math.floor(now / windowMs);
  const fullKey = [...key, window];
  const resetMs = (window + 1) * windowMs - now;
  return await withKvRetry(async () => {
    for (;;) {
      const current = await kv.get<Deno.KvU64>(fullKey);
      const next = (current.value?.value ?? 0n) + BigInt(amount);
      const res = await kv.atomic().check(current).set(fullKey, new Deno.KvU64(next), {
        expireIn: windowMs + 1000,
      }).commit();
      if (res.ok) return { count: Number(next), resetMs };
    }
  });
}

/** Enqueues a message with retries on a busy local file. */
export function enqueue(
  kv: Kv,
  message: unknown,
  options?: { delay?: number },
): Promise<Deno.KvCommitResult> {
  return withKvRetry(() => kv.enqueue(message, options));
}
