/**
 * `/metrics` times the round trips to the key store of limits, slots, lockouts and throttles: on a shared
 * Deno KV one read per key and then one atomic commit per update (the value is remembered), on Redis one
 * GET and then one compare-and-set per update; through the app, each per-IP limited `/api` call is one
 * Redis write more.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { buildHarness } from "../support/app.ts";
import { sqliteFixture } from "../support/stores.ts";
import { GatewayMetrics } from "../../server/metrics.ts";
import { incrementWindow, openKv } from "../../kv/kv.ts";
import { keyBackendOf } from "../../kv/key_backend.ts";
import { dropRedisPrefix, redisServerUrl, testRedisPrefix } from "../support/redis.ts";

function count(text: string, store: string, operation: string): number {
  const line = text.split("\n").find((l) =>
    l.startsWith(`new_api_kv_operation_duration_seconds_count{store="${store}",operation="${operation}"}`)
  );
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

const exposition = async (m: GatewayMetrics) => (await m.render()).body;

Deno.test("a shared KV: one read per key, then one commit per update", async () => {
  const metrics = new GatewayMetrics(undefined, { processMetrics: false });
  const kv = await Deno.openKv(":memory:");
  try {
    for (let i = 0; i < 3; i++) await incrementWindow(kv, ["t", "a"], 60_000);
    await incrementWindow(kv, ["t", "b"], 60_000);
    const text = await exposition(metrics);
    assertEquals([count(text, "kv", "read"), count(text, "kv", "write")], [2, 4], text);
    const sum = text.split("\n").find((l) =>
      l.startsWith('new_api_kv_operation_duration_seconds_sum{store="kv",operation="write"}')
    );
    assert(sum && Number(sum.split(" ")[1]) > 0, "durations are summed");
  } finally {
    kv.close();
    metrics.stop();
  }
});

Deno.test({
  name: "Redis: one GET per key, then one compare-and-set per update; the app's per-IP limit writes per call",
  ignore: !redisServerUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const prefix = testRedisPrefix();
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const kv = await openKv({ kvPath: ":memory:", redis: { url: redisServerUrl!, poolSize: 1, prefix } });
    try {
      for (let i = 0; i < 3; i++) await incrementWindow(kv, ["t", "a"], 60_000);
      const text = await exposition(metrics);
      assertEquals([count(text, "redis", "read"), count(text, "redis", "write")], [1, 3], text);
      assertEquals(count(text, "kv", "write"), 0, "nothing went to the KV");
    } finally {
      await keyBackendOf(kv)!.close();
      kv.close();
      metrics.stop();
    }

    const appPrefix = testRedisPrefix();
    await sqliteFixture(async (store) => {
      const token = "metrics-token-0123456789";
      const h = await buildHarness(store, {
        REDIS_CONN_STRING: redisServerUrl!,
        REDIS_KEY_PREFIX: appPrefix,
        METRICS_TOKEN: token,
        GLOBAL_API_RATE_LIMIT_ENABLE: "true",
      });
      try {
        const scrape = async () =>
          await (await h.call("GET", "/metrics", undefined, { authorization: `Bearer ${token}` })).text();
        const before = count(await scrape(), "redis", "write");
        for (let i = 0; i < 5; i++) {
          const res = await h.call("GET", "/api/status");
          assertEquals(res.status, 200);
          await res.body?.cancel();
        }
        const after = await scrape();
        assert(count(after, "redis", "write") - before >= 5, after);
        assert(count(after, "redis", "read") >= 1, after);
      } finally {
        await h.close();
      }
    });
    await dropRedisPrefix(prefix);
    await dropRedisPrefix(appPrefix);
  },
});
