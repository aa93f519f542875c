/**
 * Three instances on one PostgreSQL and one Redis (REDIS_CONN_STRING): a token's RPM of 60 admits exactly
 * 60 requests however they spread over the instances, and a concurrency slot held by an instance that
 * dies (never released) comes back once its lease expires. Without Redis each instance keeps its limits
 * in its own KV, which the control test measures: three times the limit gets through.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, buildHarness } from "../../support/app.ts";
import { testSecrets } from "../../support/stores.ts";
import { createTempDatabase, postgresServerUrl } from "../../support/postgres.ts";
import { dropRedisPrefix, redisServerUrl, testRedisPrefix } from "../../support/redis.ts";
import { openPostgres } from "../../../store/postgres.ts";
import { migrate } from "../../../store/migrate.ts";
import { allTables } from "../../../store/schema/index.ts";
import { migrations } from "../../../store/migrations/index.ts";
import { keyBackendOf } from "../../../kv/key_backend.ts";
import { TokenLimiter } from "../../../kv/limits/token_limits.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, type RelaySetupOptions, settled } from "../../support/relay.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "count me" }] };
type Instance = AppHarness & { close(): Promise<void> };

/**
 * Starts three instances on a fresh PostgreSQL database (with Redis under a fresh prefix when `redis`),
 * sets up a token on the first before the others start (so they load it), and runs `fn`.
 */
async function threeInstances(
  redis: boolean,
  setup: (url: string) => RelaySetupOptions,
  fn: (instances: Instance[], s: Awaited<ReturnType<typeof relaySetup>>) => Promise<void>,
  upstream: { latencyMs?: number } = {},
): Promise<void> {
  const temp = await createTempDatabase();
  const prefix = testRedisPrefix();
  const env: Record<string, string> = redis
    ? { REDIS_CONN_STRING: redisServerUrl!, REDIS_KEY_PREFIX: prefix }
    : {};
  const open = () =>
    openPostgres({ url: temp.url, max: 5, maxLifetimeSeconds: 60, connectTimeoutSeconds: 5 });
  const fixture = {
    kind: "postgres" as const,
    open,
    openMigrated: async () => {
      const db = await open();
      await migrate(db, allTables, migrations, { secrets: testSecrets });
      return db;
    },
  };
  await using fake = await startFakeUpstream(upstream);
  const instances: Instance[] = [];
  try {
    instances.push(await buildHarness(fixture, env));
    const s = await relaySetup(instances[0], setup(fake.url));
    instances.push(await buildHarness(fixture, env), await buildHarness(fixture, env));
    await fn(instances, s);
  } finally {
    for (const h of instances) await h.close().catch(() => {});
    await temp.drop();
    await dropRedisPrefix(prefix);
  }
}

/** Sends 180 requests at once, 60 through each instance; returns how many got 200. */
async function admittedOf180(redis: boolean): Promise<number> {
  let admitted = 0;
  await threeInstances(
    redis,
    (url) => ({ channels: [fakeChannel(url)], token: { rpmLimit: 60 } }),
    async (instances, s) => {
      const answers = await Promise.all(
        Array.from({ length: 180 }, (_, i) => chat(instances[i % 3], s.key, ask)),
      );
      const statuses = answers.map((r) => r.status);
      for (const r of answers) await r.body?.cancel();
      admitted = statuses.filter((c) => c === 200).length;
      assertEquals(admitted + statuses.filter((c) => c === 429).length, 180, "every answer is 200 or 429");
      for (const h of instances) await settled(h);
    },
  );
  return admitted;
}

const ignore = !postgresServerUrl || !redisServerUrl;

Deno.test({
  name: "a per-token RPM of 60 admits exactly 60 of 180 requests spread over three instances on one Redis",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assertEquals(await admittedOf180(true), 60);
  },
});

Deno.test({
  name: "control: without REDIS_CONN_STRING each instance's own KV admits 60, 180 in all",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assertEquals(await admittedOf180(false), 180);
  },
});

Deno.test({
  name: "a concurrency slot held by an instance that dies, never released, frees when its lease expires",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const leaseMs = 600;
    await threeInstances(
      true,
      (url) => ({ channels: [fakeChannel(url)], token: { concurrencyLimit: 1 } }),
      async ([a, b, c], s) => {
        // The default lease is 30 s; a short one keeps the test short (the mechanism is the same).
        for (const h of [a, b, c]) {
          h.deps.limiters.token.stop();
          h.deps.limiters.token = new TokenLimiter(h.deps.kv, { leaseMs });
        }
        const held = chat(a, s.key, ask); // runs 4 s upstream, holding the one slot
        let refused = false;
        for (let i = 0; i < 50 && !refused; i++) {
          await new Promise((r) => setTimeout(r, 20));
          const res = await chat(b, s.key, ask);
          await res.body?.cancel();
          refused = res.status === 429;
        }
        assert(refused, "B is refused while A holds the slot");
        // A dies: it stops renewing, and its connections to Redis are gone, so it never releases.
        const died = Date.now();
        a.deps.limiters.token.stop();
        await keyBackendOf(a.deps.kv)!.close();
        const res = await chat(c, s.key, ask);
        await res.body?.cancel();
        assertEquals(res.status, 429, "C is refused too while the dead holder's lease runs");
        let freedAfter: number | undefined;
        while (Date.now() - died < 3000) {
          const sent = Date.now();
          const next = await chat(b, s.key, ask); // admitted ones take 4 s upstream: time the sending
          await next.body?.cancel();
          if (next.status === 200) {
            freedAfter = sent - died;
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        assert(freedAfter !== undefined, "the slot came back");
        // The last renewal was at most a third of the lease before the death.
        assert(
          freedAfter >= leaseMs / 2,
          `freed ${freedAfter} ms after the death, not before the lease ran out`,
        );
        console.log(`slot of the dead instance freed ${freedAfter} ms after it died (lease ${leaseMs} ms)`);
        await (await held).body?.cancel();
      },
      { latencyMs: 4000 },
    );
  },
});

Deno.test({
  name: "Redis lost at runtime: the token limit fails open as on KV, requests are served",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await threeInstances(
      true,
      (url) => ({ channels: [fakeChannel(url)], token: { rpmLimit: 1 } }),
      async ([a], s) => {
        assertEquals((await chat(a, s.key, ask)).status, 200);
        assertEquals((await chat(a, s.key, ask)).status, 429, "the limit holds while Redis answers");
        await keyBackendOf(a.deps.kv)!.close();
        const started = Date.now();
        const res = await chat(a, s.key, ask);
        assertEquals(res.status, 200, "served without its limit, as when KV fails");
        assert(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
        await settled(a);
      },
    );
  },
});
