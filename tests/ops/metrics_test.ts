/**
 * `GET /metrics` after real traffic: the counters agree with the consume logs (quota, input and output
 * tokens, one completed request per row), refusals and upstream failures are counted by status, streams
 * get a time to first token, New API's `new_api_channel_state` gauge is there, and the route answers only
 * with METRICS_TOKEN as a bearer token (404 without the variable).
 */
import { appTest, buildHarness } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled } from "../support/relay.ts";
import { asInt, queryOne } from "../../store/db.ts";
import { sqliteFixture } from "../support/stores.ts";

const TOKEN = "metrics-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };

/** The samples of an exposition: `name{labels}` → value (labels kept as written). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The sum of the samples named `name` whose labels include every `match` pair. */
function total(s: Map<string, number>, name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, value] of s) {
    const brace = key.indexOf("{");
    if ((brace < 0 ? key : key.slice(0, brace)) !== name) continue;
    if (Object.entries(match).every(([k, v]) => key.includes(`${k}="${v}"`))) sum += value;
  }
  return sum;
}

Deno.test("without METRICS_TOKEN there is no /metrics", () =>
  sqliteFixture(async (store) => {
    const h = await buildHarness(store);
    try {
      const res = await h.call("GET", "/metrics");
      assertEquals(res.status, 404);
      await res.body?.cancel();
    } finally {
      await h.close();
    }
  }));

appTest("the metrics agree with the consume logs after real traffic", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], userQuota: 1_000_000 });

  for (const given of [undefined, "Bearer wrong-token-0123456789", `Basic ${btoa(`x:${TOKEN}`)}`]) {
    const res = await h.call("GET", "/metrics", undefined, given ? { authorization: given } : {});
    assertEquals(res.status, 401, `authorization ${given}`);
    assert(!(await res.text()).includes("new_api_"), "nothing measured is shown without the token");
  }

  const messages = (n: number) => [{ role: "user", content: `[fake:chunks=${n}] hello there ${n}` }];
  for (const n of [3, 7, 11]) {
    assertEquals((await chat(h, s.key, { model: "test-model", messages: messages(n) })).status, 200);
  }
  for (const n of [5, 9]) {
    const res = await chat(h, s.key, {
      model: "test-model",
      messages: messages(n),
      stream: true,
      stream_options: { include_usage: true },
    });
    assertEquals(res.status, 200);
    await res.text();
  }
  // Refused before any channel: a model nobody serves.
  const refused = await chat(h, s.key, { model: "no-such-model", messages: messages(1) });
  assert(refused.status >= 400 && refused.status < 600);
  await refused.body?.cancel();
  // An upstream failure (500, not retried: one channel), answered to the client with an error.
  const failed = await chat(h, s.key, {
    model: "test-model",
    messages: [{ role: "user", content: "[fake:fault=500] fail" }],
  });
  assertEquals(failed.status, 500);
  await failed.body?.cancel();
  await settled(h);

  const res = await h.call("GET", "/metrics", undefined, auth);
  assertEquals(res.status, 200);
  assert(res.headers.get("content-type")!.startsWith("text/plain"));
  const s1 = samples(await res.text());

  const logs = await queryOne(
    h.deps.logDb,
    "SELECT COUNT(*) AS n, SUM(quota) AS quota, SUM(prompt_tokens) AS p, SUM(completion_tokens) AS c FROM logs WHERE type = 2",
  );
  assertEquals(asInt(logs!.n), 5);
  assertEquals(total(s1, "new_api_relay_requests_total", { outcome: "completed" }), 5);
  assertEquals(total(s1, "new_api_quota_charged_total"), asInt(logs!.quota));
  assert(asInt(logs!.quota) > 0);
  assertEquals(total(s1, "gen_ai_client_token_usage_sum", { gen_ai_token_type: "input" }), asInt(logs!.p));
  assertEquals(total(s1, "gen_ai_client_token_usage_sum", { gen_ai_token_type: "output" }), asInt(logs!.c));
  assertEquals(total(s1, "gen_ai_client_token_usage_count", { gen_ai_token_type: "output" }), 5);
  assertEquals(
    total(s1, "gen_ai_client_operation_duration_seconds_count", { gen_ai_request_model: "test-model" }),
    5,
  );
  assertEquals(total(s1, "gen_ai_server_time_to_first_token_seconds_count"), 2);
  assertEquals(total(s1, "new_api_relay_requests_total", { outcome: String(refused.status) }), 1);
  assertEquals(total(s1, "new_api_relay_requests_total", { outcome: "500" }), 1);
  assertEquals(
    total(s1, "new_api_upstream_failures_total", { channel_id: String(s.channelIds[0]), status: "500" }),
    1,
  );
  assertEquals(
    s1.get(`new_api_channel_state{channel_id="${s.channelIds[0]}",channel_type="1",state="enabled"}`),
    1,
  );
  assertEquals(total(s1, "new_api_relay_inflight_requests"), 0);
  assertEquals(total(s1, "new_api_billing_open_holds"), 0);
  assertEquals(total(s1, "new_api_billing_journal_pending"), 0);
  assert(total(s1, "process_resident_memory_bytes") > 0, "process metrics are there");
  assert(
    total(s1, "new_api_store_statement_duration_seconds_count", { store: h.deps.db.dialect }) > 0,
    "store statements are timed",
  );

  // Every series the shipped Grafana dashboard queries is one this exposition has.
  const dashboard = JSON.parse(
    await Deno.readTextFile(new URL("../../docs/grafana-dashboard.json", import.meta.url)),
  );
  const queries: string[] = [
    ...dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr)),
    ...dashboard.templating.list.map((v: { query: string }) => v.query),
  ];
  // A series name is followed by its selector (`{`), or is the first argument of `label_values(`.
  const queried = new Set(
    queries.flatMap((q) =>
      [...q.matchAll(/\b([a-z][a-z0-9_]*)\{|label_values\(([a-z][a-z0-9_]*)/g)].map((m) => m[1] ?? m[2])
    ),
  );
  const names = new Set([...s1.keys()].map((k) => k.split("{")[0]));
  for (const name of queried) assert(names.has(name), `the dashboard queries ${name}, which is not exported`);
}, { METRICS_TOKEN: TOKEN });
