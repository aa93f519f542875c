/**
 * Two server processes on one PostgreSQL or MySQL database, each with its own KV file: a token disabled
 * through one is refused by the other within a second (NOTIFY on PostgreSQL, the cache_changes feed on
 * MySQL), an option changed on one shows on the other, and the scheduled channel test runs on one only.
 */
import { assertEquals } from "../support/assert.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { postgresServerUrl } from "../support/postgres.ts";
import { mysqlServerUrl } from "../support/mysql.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { prepareGateway } from "../../bench/gateway_setup.ts";
import { CHAT_MODEL } from "../../bench/scenarios.ts";
import { loadConfig } from "../../config/env.ts";
import { resolveSecrets } from "../../config/secrets.ts";
import { openStore } from "../../store/open.ts";
import { getUserByUsername, setAccessTokenHash } from "../../store/users.ts";
import { accessTokenHash, generateAccessToken } from "../../auth/credentials.ts";

/** Polls `check` until it is true; returns how long that took, or throws after `timeoutMs`. */
async function within(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

for (const [kind, serverUrl] of [["postgres", postgresServerUrl], ["mysql", mysqlServerUrl]] as const) {
  Deno.test({
    name: `two instances on one database stay coherent; the channel test job runs on one of them [${kind}]`,
    ignore: !serverUrl,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      await using fake = await startFakeUpstream({});
      const gateway = await prepareGateway({
        upstreamUrl: fake.url,
        sqlDsn: serverUrl,
        tokenConcurrency: 100,
      });
      const servers: RunningServer[] = [];
      const dirs: string[] = [];
      try {
        const config = loadConfig(gateway.env);
        const db = await openStore(config);
        const rootAccess = generateAccessToken();
        const root = await getUserByUsername(db, "root");
        await setAccessTokenHash(
          db,
          root!.id,
          accessTokenHash((await resolveSecrets(config)).cryptoSecret, rootAccess),
        );
        await db.close();

        // Scheduled channel tests every minute on both; each instance keeps its own KV file.
        for (const name of ["a", "b"]) {
          const dataDir = await Deno.makeTempDir({ prefix: `napi_instance_${name}_` });
          dirs.push(dataDir);
          servers.push(await startServer({ ...gateway.env, DATA_DIR: dataDir, CHANNEL_TEST_FREQUENCY: "1" }));
        }
        const [a, b] = servers;
        const started = performance.now();
        const relay = (server: RunningServer) =>
          fetch(`${server.url}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${gateway.tokenKey}`, "content-type": "application/json" },
            body: JSON.stringify({ model: CHAT_MODEL, messages: [{ role: "user", content: "hello" }] }),
          });
        const admin = (server: RunningServer, method: string, path: string, body?: unknown) =>
          fetch(`${server.url}${path}`, {
            method,
            headers: { authorization: rootAccess, "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          }).then((r) => r.json());

        const ok = await relay(b);
        assertEquals(ok.status, 200, await ok.text());

        const tokens = await admin(a, "GET", "/api/token/?p=1&page_size=10");
        const tokenId = tokens.data.items.find((t: { name: string }) => t.name === "bench").id;
        const disabled = await admin(a, "PUT", "/api/token/?status_only=true", { id: tokenId, status: 2 });
        assertEquals(disabled.success, true, JSON.stringify(disabled));
        const refusedAfter = await within(1000, "instance b refusing the disabled token", async () => {
          const res = await relay(b);
          await res.body?.cancel();
          return res.status === 401;
        });
        console.log(`[${kind}] instance b refused the disabled token after ${Math.round(refusedAfter)} ms`);

        const renamed = await admin(a, "PUT", "/api/option/", { key: "SystemName", value: "Two Instances" });
        assertEquals(renamed.success, true, JSON.stringify(renamed));
        await within(2000, "instance b showing the new option", async () => {
          const status = await (await fetch(`${b.url}/api/status`)).json();
          return status.data.system_name === "Two Instances";
        });

        // Both instances tick once a minute; only the lease holder tests the channel.
        const isTest = (r: { json?: unknown }) =>
          JSON.stringify(r.json ?? "").includes(CHAT_MODEL) &&
          !JSON.stringify(r.json ?? "").includes("hello");
        const testsBefore = fake.requests.filter(isTest).length;
        await new Promise((r) => setTimeout(r, Math.max(0, 72_000 - (performance.now() - started))));
        const channelTests = fake.requests.filter(isTest).length - testsBefore;
        assertEquals(channelTests, 1, "one scheduled test of the one channel, by one instance");
      } finally {
        for (const s of servers) await s.stop();
        for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
        await gateway.cleanup();
      }
    },
  });
}
