/**
 * Redis as the shared home of the keys `updateKey` maintains (New API's REDIS_CONN_STRING): per-token and
 * per-IP rate buckets, concurrency slots and their leases, model request limits, login lockouts and the
 * notification throttle. The update steps stay the pure functions every limiter already has (the GCRA of
 * `limits/rate.ts`, the slot leases of `limits/token_leases.ts`), so both backends answer the same way;
 * Redis only makes each step atomic across instances, with one Lua compare-and-set per batch: the new value
 * is written only if the key still holds the value the step started from, and a lost race re-runs the
 * step on the value the script hands back. Concurrent updates of one key in a process are applied
 * together in one round trip, and the value this process last wrote is remembered so the next batch
 * needs no read. TTLs are Redis expiries (PX), so a dead instance's slots and stale buckets go on their own.
 *
 * Client: npm `ioredis` (MIT, maintained by Redis Ltd., pipelining on one connection per pool slot,
 * reconnects on its own, caches scripts by SHA with EVALSHA). Instances agree on time through their own
 * clocks, as they do on a shared Deno KV.
 */
import { Redis } from "ioredis";
import { applyBatch, type Outcome, type Pending, type Update } from "./key_update.ts";
import type { KeyBackend } from "./key_backend.ts";
import { log } from "../server/logger.ts";
import { timed } from "./timings.ts";

/** KEYS[1]; ARGV: the value the step saw ('' = none), the new value ('' = delete), TTL in ms ('' = none). */
const compareAndSet = `
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return {0, cur} end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return {1}
`;

type Connection = Redis & {
  napiCompareAndSet(key: string, seen: string, next: string, ttl: string): Promise<[number, string?]>;
};

/** Values remembered per process (the raw text last written or read), bounded like `committed.ts`. */
const maxRemembered = 4096;

/** A Redis key for a KV key: parts joined by ':' (a ':' or '%' inside a part is escaped). */
export function redisKeyOf(prefix: string, key: Deno.KvKey): string {
  return prefix + key.map((p) => String(p).replaceAll("%", "%25").replaceAll(":", "%3A")).join(":");
}

const encode = (state: unknown) => state === undefined ? "" : JSON.stringify(state);
const decode = (raw: string) => raw === "" ? undefined : JSON.parse(raw);

export class RedisKeys implements KeyBackend {
  readonly #connections: Connection[];
  readonly #prefix: string;
  readonly #waiting = new Map<string, Pending[]>();
  readonly #remembered = new Map<string, string>();

  constructor(connections: Redis[], prefix: string) {
    this.#connections = connections as Connection[];
    this.#prefix = prefix;
  }

  update<S, R>(key: Deno.KvKey, id: string, update: Update<S, R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const pending: Pending = { update, resolve: resolve as (v: unknown) => void, reject };
      const queue = this.#waiting.get(id);
      if (queue) {
        queue.push(pending);
        return;
      }
      this.#waiting.set(id, [pending]);
      void this.#flush(redisKeyOf(this.#prefix, key), id);
    });
  }

  async #flush(key: string, id: string): Promise<void> {
    for (;;) {
      const batch = this.#waiting.get(id)!.splice(0);
      if (batch.length === 0) {
        this.#waiting.delete(id);
        return;
      }
      try {
        const outcomes = await this.#commit(key, id, batch);
        outcomes.forEach((o, i) => o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error));
      } catch (err) {
        this.#remembered.delete(id); // a failed call may or may not have landed
        for (const p of batch) p.reject(err);
      }
    }
  }

  #connectionFor(id: string): Connection {
    if (this.#connections.length === 1) return this.#connections[0];
    let h = 0;
    for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
    return this.#connections[Math.abs(h) % this.#connections.length];
  }

  async #commit(key: string, id: string, batch: Pending[]): Promise<Outcome[]> {
    const conn = this.#connectionFor(id);
    let seen = this.#remembered.get(id);
    let fromMemory = seen !== undefined;
    for (;;) {
      seen ??= (await timed("redis", "read", () => conn.get(key))) ?? "";
      const before = decode(seen);
      const { state, expireInMs, outcomes } = applyBatch(batch, before, Date.now());
      if (state === before) {
        // Nothing to write; an answer from memory is confirmed by a read, as on KV.
        if (!fromMemory) return outcomes;
        const fresh = (await timed("redis", "read", () => conn.get(key))) ?? "";
        if (fresh === seen) return outcomes;
        seen = fresh;
        fromMemory = false;
        this.#remember(id, fresh);
        continue;
      }
      const next = encode(state);
      const ttl = expireInMs === undefined || next === "" ? "" : String(Math.max(1, Math.ceil(expireInMs)));
      const expected = seen;
      const [written, current] = await timed(
        "redis",
        "write",
        () => conn.napiCompareAndSet(key, expected, next, ttl),
      );
      if (written === 1) {
        this.#remember(id, next);
        return outcomes;
      }
      // Another instance wrote the key: run the batch again on what it holds now.
      seen = current ?? "";
      fromMemory = false;
      this.#remember(id, seen);
    }
  }

  #remember(id: string, raw: string): void {
    this.#remembered.delete(id);
    this.#remembered.set(id, raw);
    if (this.#remembered.size > maxRemembered) this.#remembered.delete(this.#remembered.keys().next().value!);
  }

  async close(): Promise<void> {
    await Promise.all(this.#connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

/** Where a connection string points, without its credentials (for messages). */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}${u.pathname.length > 1 ? u.pathname : ""}`;
  } catch {
    return "the configured address";
  }
}

/**
 * Opens `poolSize` connections to the Redis at `url` and checks each answers; throws one line naming
 * where it tried when one does not (the server refuses to start then). Commands fail after a couple of
 * seconds while Redis is unreachable later, so each limiter's KV error handling applies unchanged.
 */
export async function openRedisKeys(
  options: { url: string; poolSize: number; prefix: string },
): Promise<RedisKeys> {
  const connections: Redis[] = [];
  let lastError: Error | undefined;
  try {
    for (let i = 0; i < options.poolSize; i++) {
      const conn = new Redis(options.url, {
        lazyConnect: true,
        connectTimeout: 5000,
        commandTimeout: 5000,
        maxRetriesPerRequest: 1,
        retryStrategy: (times: number) => Math.min(times * 100, 2000),
      });
      // Quiet until the first connection: a failure at start is the one line thrown below.
      let reported = true;
      conn.on("error", (err: Error) => {
        lastError = err;
        if (reported) return;
        reported = true;
        log.warn("Redis connection error; retrying", { at: where(options.url), error: err.message });
      });
      conn.on("ready", () => reported = false);
      conn.defineCommand("napiCompareAndSet", { numberOfKeys: 1, lua: compareAndSet });
      connections.push(conn);
      await conn.connect();
      await conn.ping();
    }
  } catch (err) {
    for (const c of connections) c.disconnect();
    // The socket's own error (refused, timed out, bad password) says more than "Connection is closed".
    const reason = ((lastError as Error | undefined) ?? (err as Error)).message.split("\n")[0];
    throw new Error(`REDIS_CONN_STRING: cannot use Redis at ${where(options.url)}: ${reason}`);
  }
  return new RedisKeys(connections, options.prefix);
}
