/**
 * What only the Redis backend has to show: keys are plain Redis strings under the prefix with Redis TTLs
 * (so a dead instance's state goes away untouched), a pool of connections shares keys exactly, and a
 * write made behind this process's back (another instance) is seen by its next update.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { Redis } from "ioredis";
import { openKv } from "../../kv/kv.ts";
import { keyBackendOf } from "../../kv/key_backend.ts";
import { redisKeyOf } from "../../kv/redis_keys.ts";
import { incrementWindow } from "../../kv/kv.ts";
import { takeKeyedRate } from "../../kv/limits/keyed_rate.ts";
import { dropRedisPrefix, redisServerUrl, testRedisPrefix } from "../support/redis.ts";

async function withRedisKv(poolSize: number, fn: (kv: Deno.Kv, raw: Redis, prefix: string) => Promise<void>) {
  const prefix = testRedisPrefix();
  const kv = await openKv({ kvPath: ":memory:", redis: { url: redisServerUrl!, poolSize, prefix } });
  const raw = new Redis(redisServerUrl!);
  try {
    await fn(kv, raw, prefix);
  } finally {
    await keyBackendOf(kv)!.close();
    kv.close();
    raw.disconnect();
    await dropRedisPrefix(prefix);
  }
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: !redisServerUrl, sanitizeResources: false, sanitizeOps: false, fn });

test("a bucket is a Redis key under the prefix with a TTL, and nothing lands in the KV", async () => {
  await withRedisKv(1, async (kv, raw, prefix) => {
    const key = ["limits", "ip", "api", "10.0.0.1"];
    assert((await takeKeyedRate(kv, key, { limit: 10, periodMs: 60_000 })).ok);
    const name = redisKeyOf(prefix, key);
    assertEquals(name, `${prefix}limits:ip:api:10.0.0.1`);
    const tat = JSON.parse((await raw.get(name))!);
    assert(tat > Date.now() && tat <= Date.now() + 6000, `tat ${tat - Date.now()} ms ahead`);
    const ttl = await raw.pttl(name);
    assert(ttl > 1000 && ttl <= 7000, `PTTL ${ttl}`);
    assertEquals((await kv.get(key)).value, null, "the KV holds nothing");
  });
});

test("':' inside a key part cannot collide with another key's parts", () => {
  assert(redisKeyOf("p:", ["a:b", "c"]) !== redisKeyOf("p:", ["a", "b:c"]));
  assertEquals(redisKeyOf("p:", ["login", "x:y%z"]), "p:login:x%3Ay%25z");
  return Promise.resolve();
});

test("REDIS_POOL_SIZE connections share counters exactly over 500 keys", async () => {
  await withRedisKv(4, async (kv) => {
    await Promise.all(Array.from({ length: 2000 }, (_, i) => incrementWindow(kv, ["pool", i % 500], 60_000)));
    const after = await Promise.all(
      Array.from({ length: 500 }, (_, i) => incrementWindow(kv, ["pool", i], 60_000)),
    );
    assert(after.every((c) => c.count === 5), "each key counted 4 then 5");
  });
});

test("a value changed behind this process's back is what its next update starts from", async () => {
  await withRedisKv(1, async (kv, raw, prefix) => {
    // Keep clear of a minute's edge, where the counter's window would change under the test.
    if (60_000 - Date.now() % 60_000 < 1000) await new Promise((r) => setTimeout(r, 1000));
    assertEquals((await incrementWindow(kv, ["behind"], 60_000)).count, 1);
    const window = Math.floor(Date.now() / 60_000);
    await raw.set(redisKeyOf(prefix, ["behind", window]), "41", "PX", 60_000);
    assertEquals((await incrementWindow(kv, ["behind"], 60_000)).count, 42);
  });
});
