/**
 * The gateway's added latency per request: the same chat request sent straight to the fake upstream with
 * the relay's upstream client, and through the full in-process app (auth, limits, reservation, routing,
 * settlement on a SQLite file), sequentially so the difference is the gateway's own time. Non-stream and
 * stream (time to the last byte). Prints median and p99 for each and the difference.
 *
 *   deno run -A bench/relay_overhead.ts [--requests 1000]
 */
import { parseArgs } from "node:util";
import { buildHarness } from "../tests/support/app.ts";
import { openSqlite } from "../store/sqlite.ts";
import { migrate } from "../store/migrate.ts";
import { allTables } from "../store/schema/index.ts";
import { migrations } from "../store/migrations/index.ts";
import { testSecrets } from "../tests/support/stores.ts";
import { startFakeUpstream } from "../tests/fake_upstream/mod.ts";
import { fakeChannel, relaySetup } from "../tests/support/relay.ts";
import { createUpstreamClient } from "../relay/http/upstream_client.ts";

const { values } = parseArgs({ args: Deno.args, options: { requests: { type: "string", default: "1000" } } });
const n = Number(values.requests);

const dir = await Deno.makeTempDir({ prefix: "napi_bench_" });
const path = `${dir}/bench.db`;
const h = await buildHarness({
  kind: "sqlite",
  open: () => openSqlite({ path, busyTimeoutMs: 5000 }),
  openMigrated: async () => {
    const db = await openSqlite({ path, busyTimeoutMs: 5000 });
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    return db;
  },
});
const fake = await startFakeUpstream({ record: false });
const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
const client = createUpstreamClient();

const body = (stream: boolean) =>
  JSON.stringify({
    model: "gpt-4o-mini",
    stream,
    messages: [{ role: "user", content: "How far is the moon?" }],
  });

async function direct(stream: boolean) {
  const res = await client.request({
    url: `${fake.url}/v1/chat/completions`,
    headers: { authorization: "Bearer sk-upstream-key", "content-type": "application/json" },
    body: stream
      ? JSON.stringify({ ...JSON.parse(body(true)), stream_options: { include_usage: true } })
      : body(false),
  });
  await res.bytes(1 << 24);
}

async function gateway(stream: boolean) {
  const res = await h.app.request("/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${s.key}`, "content-type": "application/json" },
    body: body(stream),
  });
  await res.arrayBuffer();
}

async function time(fn: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const fmt = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

for (const stream of [false, true]) {
  await time(() => gateway(stream)); // warm up (tokenizer, pools, JIT)
  const d = await time(() => direct(stream));
  const g = await time(() => gateway(stream));
  console.log(
    `${stream ? "stream    " : "non-stream"}  direct p50 ${fmt(pct(d, 0.5))} p99 ${fmt(pct(d, 0.99))}  ` +
      `gateway p50 ${fmt(pct(g, 0.5))} p99 ${fmt(pct(g, 0.99))}  added p50 ${fmt(pct(g, 0.5) - pct(d, 0.5))}`,
  );
}
await client.close();
await fake.close();
await h.close();
await Deno.remove(dir, { recursive: true });
