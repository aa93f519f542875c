/**
 * The relay in the real server process (Deno.serve, `no-legacy-abort`): a client that disconnects
 * mid-stream makes the gateway close the upstream connection; SIGTERM during a stream refuses new
 * connections, lets the stream finish (or ends it with an error event at the drain deadline), settles it
 * exactly once and exits 0.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startServer } from "../support/server.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { testSecrets } from "../support/stores.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { fakeChannel, RELAY_PRICES } from "../support/relay.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { insertUser } from "../../store/users.ts";
import { createToken } from "../../store/tokens.ts";
import { type ChannelFields, insertChannel } from "../../store/channels.ts";
import { saveOptions } from "../../store/options.ts";
import { asInt } from "../../store/db.ts";

/** Seeds a SQLite file with prices, a user, a key and one channel; returns the key. */
async function seed(path: string, channel: ChannelFields): Promise<string> {
  const db = await openSqlite({ path, busyTimeoutMs: 5000 });
  try {
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    await saveOptions(db, RELAY_PRICES);
    const userId = await insertUser(db, { username: "payer", passwordHash: "x", quota: 1_000_000 });
    const { key } = await createToken(db, testSecrets.cryptoSecret, userId, {
      name: "k",
      unlimitedQuota: true,
    });
    await insertChannel(db, testSecrets.cryptoSecret, channel);
    return key;
  } finally {
    await db.close();
  }
}

async function ledger(path: string) {
  const db = await openSqlite({ path, busyTimeoutMs: 5000 });
  try {
    const rows = await db.query("SELECT status, resolution FROM quota_reservations");
    const logs = await db.query("SELECT quota, completion_tokens, other FROM logs WHERE type = 2");
    return { reservations: rows.map((r) => String(r.status)), logs };
  } finally {
    await db.close();
  }
}

function env(dir: string, extra: Record<string, string> = {}) {
  return {
    DATA_DIR: dir,
    SQLITE_PATH: `${dir}/one-api.db`,
    DENO_KV_PATH: `${dir}/kv.sqlite3`,
    SESSION_SECRET: testSecrets.sessionSecret,
    CRYPTO_SECRET: testSecrets.cryptoSecret,
    ...extra,
  };
}

function streamRequest(url: string, key: string, content: string, signal?: AbortSignal) {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    signal,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content }] }),
  });
}

async function readSome(res: Response, events: number) {
  const reader = res.body!.getReader();
  let text = "";
  while ((text.match(/\n\n/g) ?? []).length < events) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return { reader, text };
}

async function refusesConnections(url: string, withinMs: number): Promise<boolean> {
  const port = Number(new URL(url).port);
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

Deno.test({
  name: "a client disconnecting from the real server mid-stream closes the upstream connection",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempDir(async (dir) => {
      await using fake = await startFakeUpstream();
      // Mistral (42): no usage will come, so the upstream is closed at once.
      const key = await seed(`${dir}/one-api.db`, fakeChannel(fake.url, { type: 42 }));
      const server = await startServer(env(dir));
      try {
        const ac = new AbortController();
        const res = await streamRequest(server.url, key, "[fake:chunks=100] [fake:interval=100]", ac.signal);
        assertEquals(res.status, 200);
        await readSome(res, 3);
        const left = performance.now();
        ac.abort();
        const closed = await fake.requests[0].waitForClientClose(3000);
        assert(closed - left < 1000, `upstream closed ${Math.round(closed - left)} ms after the client`);
      } finally {
        assertEquals((await server.stop()).code, 0);
      }
      const { reservations, logs } = await ledger(`${dir}/one-api.db`);
      assertEquals(reservations, ["SETTLED"]);
      assertEquals(logs.length, 1);
      assert(asInt(logs[0].quota) > 0);
    }),
});

Deno.test({
  name: "SIGTERM during a stream: new connections refused, the stream finishes, settled once, exit 0",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempDir(async (dir) => {
      await using fake = await startFakeUpstream();
      const key = await seed(`${dir}/one-api.db`, fakeChannel(fake.url));
      const server = await startServer(env(dir, { SHUTDOWN_TIMEOUT_SECONDS: "20" }));
      const res = await streamRequest(server.url, key, "[fake:chunks=12] [fake:interval=150]");
      const { reader, text: head } = await readSome(res, 2);
      const stopped = server.stop("SIGTERM");
      assert(await refusesConnections(server.url, 1500), "new connections are refused while draining");
      let text = head;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert(text.trimEnd().endsWith("data: [DONE]"), "the stream finished normally");
      assertEquals((await stopped).code, 0);
      const { reservations, logs } = await ledger(`${dir}/one-api.db`);
      assertEquals(reservations, ["SETTLED"]);
      assertEquals(logs.length, 1);
      assertEquals(asInt(logs[0].completion_tokens), 12, "settled on the upstream's usage");
    }),
});

Deno.test({
  name: "SIGTERM with a stream outliving the drain deadline: an error event, settled once, exit 0",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempDir(async (dir) => {
      await using fake = await startFakeUpstream();
      const key = await seed(`${dir}/one-api.db`, fakeChannel(fake.url));
      const server = await startServer(env(dir, { SHUTDOWN_TIMEOUT_SECONDS: "1" }));
      const res = await streamRequest(server.url, key, "[fake:chunks=200] [fake:interval=100]");
      const { reader, text: head } = await readSome(res, 3);
      const stopped = server.stop("SIGTERM");
      let text = head;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert(!text.includes("[DONE]"));
      assert(text.includes('"code":"server_shutting_down"'), text.slice(-300));
      assertEquals((await stopped).code, 0);
      const { reservations, logs } = await ledger(`${dir}/one-api.db`);
      assertEquals(reservations, ["SETTLED"]);
      assertEquals(logs.length, 1);
      assert(asInt(logs[0].completion_tokens) > 0, "delivered tokens charged");
      assert(fake.requests[0].clientClosedAt !== undefined, "the upstream was closed");
    }),
});
