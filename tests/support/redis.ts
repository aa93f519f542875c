/**
 * The Redis server tests use, and `sharedKeysTest`, which runs a body against each home of the keys
 * `updateKey` maintains: a Deno KV file, and Redis (REDIS_CONN_STRING) under a key prefix of its own that
 * is deleted afterwards. TEST_REDIS_URL names the server; without it 127.0.0.1:6379 is tried. Under
 * CI=true a missing server is an error, never a skip.
 */
import { Redis } from "ioredis";
import { openKv } from "../../kv/kv.ts";
import { keyBackendOf } from "../../kv/key_backend.ts";
import { redisKeyOf } from "../../kv/redis_keys.ts";
import { withTempDir } from "./temp_dir.ts";

const inCi = Deno.env.get("CI") === "true";

async function detect(): Promise<string | undefined> {
  const url = Deno.env.get("TEST_REDIS_URL") ?? "redis://127.0.0.1:6379";
  const conn = new Redis(url, { lazyConnect: true, connectTimeout: 2000, retryStrategy: () => null });
  conn.on("error", () => {});
  try {
    await conn.connect();
    await conn.ping();
    return url;
  } catch {
    if (inCi) throw new Error(`CI=true but no Redis answers at ${url}; set TEST_REDIS_URL`);
    return undefined;
  } finally {
    conn.disconnect();
  }
}

/** A server URL when Redis is available; undefined (tests are ignored) only outside CI. */
export const redisServerUrl: string | undefined = await detect();

/** A key prefix no other test uses. */
export function testRedisPrefix(): string {
  return `napi_test:${crypto.randomUUID()}:`;
}

/** Deletes every key under `prefix`. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const conn = new Redis(redisServerUrl!, { lazyConnect: true });
  await conn.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await conn.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length) await conn.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    conn.disconnect();
  }
}

/** Counts the keys under `prefix` (what a test left in Redis). */
export async function countRedisKeys(prefix: string): Promise<number> {
  const conn = new Redis(redisServerUrl!, { lazyConnect: true });
  await conn.connect();
  try {
    return (await conn.keys(`${prefix}*`)).length;
  } finally {
    conn.disconnect();
  }
}

export interface SharedKeys {
  kind: "kv" | "redis";
  /** Another handle on the same shared state (another process, as far as limits can tell); closed after. */
  open(): Promise<Deno.Kv>;
  /** Ends a handle as a killed process would end: from now on its writes fail. */
  crash(kv: Deno.Kv): Promise<void>;
  /** The stored value of `key` where the backend keeps it (null when absent), bypassing `updateKey`. */
  get(key: Deno.KvKey): Promise<unknown>;
  set(key: Deno.KvKey, value: unknown): Promise<void>;
  delete(key: Deno.KvKey): Promise<void>;
}

type Raw = Pick<SharedKeys, "get" | "set" | "delete">;

function kvRaw(kv: () => Deno.Kv): Raw {
  return {
    get: async (key) => (await kv().get(key)).value,
    set: async (key, value) => void await kv().set(key, value),
    delete: (key) => kv().delete(key),
  };
}

function redisRaw(prefix: string): Raw {
  const call = async <T>(fn: (conn: Redis) => Promise<T>): Promise<T> => {
    const conn = new Redis(redisServerUrl!, { lazyConnect: true });
    await conn.connect();
    try {
      return await fn(conn);
    } finally {
      conn.disconnect();
    }
  };
  return {
    get: (key) => call(async (c) => JSON.parse((await c.get(redisKeyOf(prefix, key))) ?? "null")),
    set: (key, value) => call(async (c) => void await c.set(redisKeyOf(prefix, key), JSON.stringify(value))),
    delete: (key) => call(async (c) => void await c.del(redisKeyOf(prefix, key))),
  };
}

async function closeHandle(kv: Deno.Kv): Promise<void> {
  await keyBackendOf(kv)?.close();
  try {
    kv.close();
  } catch {
    // already closed (crashed)
  }
}

async function runShared(
  kind: SharedKeys["kind"],
  open: () => Promise<Deno.Kv>,
  raw: (first: () => Deno.Kv) => Raw,
  fn: (kv: Deno.Kv, shared: SharedKeys) => Promise<void>,
): Promise<void> {
  const handles: Deno.Kv[] = [];
  const shared: SharedKeys = {
    ...raw(() => handles[0]),
    kind,
    open: async () => {
      const kv = await open();
      handles.push(kv);
      return kv;
    },
    crash: (kv) => closeHandle(kv),
  };
  try {
    await fn(await shared.open(), shared);
  } finally {
    for (const kv of handles) await closeHandle(kv);
  }
}

/** Registers `name [kv]` (a KV file; every handle opens it) and `name [redis]`. */
export function sharedKeysTest(name: string, fn: (kv: Deno.Kv, shared: SharedKeys) => Promise<void>): void {
  Deno.test({
    name: `${name} [kv]`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => withTempDir((dir) => runShared("kv", () => openKv({ kvPath: `${dir}/kv.sqlite3` }), kvRaw, fn)),
  });
  Deno.test({
    name: `${name} [redis]`,
    ignore: !redisServerUrl,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const prefix = testRedisPrefix();
      try {
        await runShared(
          "redis",
          () => openKv({ kvPath: ":memory:", redis: { url: redisServerUrl!, poolSize: 1, prefix } }),
          () => redisRaw(prefix),
          fn,
        );
      } finally {
        await dropRedisPrefix(prefix);
      }
    },
  });
}
