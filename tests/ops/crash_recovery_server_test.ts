/**
 * SIGKILL during 20 in-flight streams through the real relay (SQLite, so the quota book: holds in memory,
 * settlements journaled in batches), then restart (twice): the 30 requests answered before the kill are
 * charged exactly once each (their journal rows committed), the 20 in flight are charged nothing (today's
 * rule for a request without a checkpoint: released), nothing is left HELD, and the user's and token's
 * balances match the consume log.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startServer } from "../support/server.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { prepareGateway } from "../../bench/gateway_setup.ts";
import { CHAT_MODEL } from "../../bench/scenarios.ts";

interface Ledger {
  held: number;
  reservations: number;
  userQuota: number;
  tokenQuota: number;
  logged: number;
  logRows: number;
  settled: number;
  duplicateLogs: number;
}

async function ledger(dataDir: string): Promise<Ledger> {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(`${dataDir}/one-api.db`);
  try {
    const one = (sql: string) => Number(Object.values(db.prepare(sql).get() ?? { v: 0 })[0] ?? 0);
    return {
      held: one("SELECT COUNT(*) FROM quota_reservations WHERE status = 'HELD'"),
      reservations: one("SELECT COUNT(*) FROM quota_reservations"),
      userQuota: one("SELECT quota FROM users WHERE username = 'root'"),
      tokenQuota: one("SELECT remain_quota FROM tokens WHERE name = 'bench'"),
      logged: one("SELECT COALESCE(SUM(quota), 0) FROM logs WHERE type = 2"),
      logRows: one("SELECT COUNT(*) FROM logs WHERE type = 2"),
      settled: one("SELECT COUNT(*) FROM quota_reservations WHERE status = 'SETTLED'"),
      duplicateLogs: one(
        "SELECT COUNT(*) FROM (SELECT request_id FROM logs WHERE type = 2 AND request_id <> '' GROUP BY request_id HAVING COUNT(*) > 1)",
      ),
    };
  } finally {
    db.close();
  }
}

Deno.test({
  name:
    "SIGKILL during 20 in-flight streams: after restart every hold is resolved once and balances match the log",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using fake = await startFakeUpstream({ chunks: 60, chunkIntervalMs: 200 });
    const gateway = await prepareGateway({ upstreamUrl: fake.url, tokenConcurrency: 100 });
    try {
      const before = await ledger(gateway.env.DATA_DIR);
      let server = await startServer(gateway.env);
      for (let i = 0; i < 30; i++) {
        const res = await fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${gateway.tokenKey}`, "content-type": "application/json" },
          body: JSON.stringify({ model: CHAT_MODEL, messages: [{ role: "user", content: `answered ${i}` }] }),
        });
        assertEquals(res.status, 200);
        await res.body?.cancel();
      }
      // The journal is group-committed every few ms: past that, the 30 answers are durable.
      await new Promise((r) => setTimeout(r, 300));
      const streams = Array.from({ length: 20 }, async (_, i) => {
        const res = await fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${gateway.tokenKey}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: CHAT_MODEL,
            stream: true,
            messages: [{ role: "user", content: `crash test ${i}` }],
          }),
        });
        const reader = res.body!.getReader();
        await reader.read(); // the first chunk arrived: this request is in flight
        return reader;
      });
      const readers = await Promise.all(streams);
      const running = await ledger(gateway.env.DATA_DIR);
      assertEquals(running.held, 0, "the 20 holds of the running streams are in memory: nothing durable");
      assertEquals(running.reservations, 30, "the 30 answered requests are journaled");
      assertEquals((await server.stop("SIGKILL")).signal, "SIGKILL");
      await Promise.all(readers.map((r) => r.read().catch(() => undefined)));

      for (let restart = 1; restart <= 2; restart++) {
        server = await startServer(gateway.env);
        const after = await ledger(gateway.env.DATA_DIR);
        await server.stop();
        assertEquals(after.held, 0, `no HELD reservation after restart ${restart}`);
        assertEquals(after.reservations, 30);
        assertEquals(after.settled, 30, "every answered request charged once");
        assertEquals(after.logRows, 30);
        assertEquals(after.duplicateLogs, 0, "no request charged twice");
        assertEquals(
          before.userQuota - after.userQuota,
          after.logged,
          "user balance matches the consume log",
        );
        assertEquals(
          before.tokenQuota - after.tokenQuota,
          after.logged,
          "token balance matches the consume log",
        );
        assert(after.userQuota <= before.userQuota, "nothing was credited");
      }
    } finally {
      await gateway.cleanup();
    }
  },
});
