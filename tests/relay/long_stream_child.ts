/**
 * Child process of `long_stream_memory_test.ts` (run with `--v8-flags=--expose-gc`): relays one very long
 * stream in-process and prints the heap after a full GC at regular points, so the parent can check that
 * memory does not grow with the length of the stream.
 */
import { buildHarness } from "../support/app.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { testSecrets } from "../support/stores.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { fakeChannel, relaySetup } from "../support/relay.ts";

const events = Number(Deno.args[0] ?? 150_000);
const dir = await Deno.makeTempDir({ prefix: "napi_long_" });
const path = `${dir}/t.db`;
const store = {
  kind: "sqlite" as const,
  open: () => openSqlite({ path, busyTimeoutMs: 5000 }),
  openMigrated: async () => {
    const db = await openSqlite({ path, busyTimeoutMs: 5000 });
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    return db;
  },
};
const h = await buildHarness(store);
const fake = await startFakeUpstream({ record: false });
const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
const res = await h.app.request("/v1/chat/completions", {
  method: "POST",
  headers: { authorization: `Bearer ${s.key}`, "content-type": "application/json" },
  body: JSON.stringify({
    model: "gpt-4o-mini",
    stream: true,
    messages: [{ role: "user", content: `long [fake:chunks=${events}]` }],
  }),
});
const gc = (globalThis as unknown as { gc: () => void }).gc;
const reader = res.body!.getReader();
const samples: number[] = [];
let bytes = 0;
let seen = 0;
let next = 10_000;
let tail = "";
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  bytes += value.byteLength;
  const text = new TextDecoder().decode(value);
  tail = (tail + text).slice(-64);
  seen += text.split("\n\n").length - 1;
  if (seen >= next) {
    next += 20_000;
    gc();
    samples.push(Deno.memoryUsage().heapUsed);
  }
}
console.log(JSON.stringify({ samples, bytes, seen, done: tail.includes("[DONE]") }));
await fake.close();
await h.close();
await Deno.remove(dir, { recursive: true });
