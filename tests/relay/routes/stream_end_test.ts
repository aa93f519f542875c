/**
 * How streams end, and what they cost: a client that disconnects mid-stream makes the gateway drain the
 * upstream for its final usage for at most 5 s and then close it (at once when no usage will come, and
 * before the first byte), a cut or failing upstream stream ends with an error event and never `[DONE]`,
 * and billing follows the documented policy (upstream usage when it arrived, else prompt + delivered;
 * never zero when tokens were delivered, nothing when nothing was).
 */
import { type AppHarness, appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { asInt, queryOne } from "../../../store/db.ts";

function open(h: AppHarness, key: string, content: string, signal?: AbortSignal) {
  return Promise.resolve(h.app.request("/v1/chat/completions", {
    method: "POST",
    signal,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content }] }),
  }));
}

/** Reads `n` SSE events (data lines) from the body, returning them and the reader. */
async function readEvents(res: Response, n: number) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while ((text.match(/\n\n/g) ?? []).length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return { reader, text };
}

async function readAll(res: Response): Promise<string> {
  return await res.text();
}

async function consumeRow(h: AppHarness) {
  await settled(h);
  const row = await queryOne(
    h.deps.db,
    "SELECT quota, prompt_tokens, completion_tokens, other FROM logs WHERE type = 2 ORDER BY id DESC",
  );
  return row
    ? {
      quota: asInt(row.quota),
      prompt: asInt(row.prompt_tokens),
      completion: asInt(row.completion_tokens),
      other: JSON.parse(String(row.other)),
    }
    : undefined;
}

appTest(
  "a client leaving mid-stream: the upstream is drained 5 s for usage, then closed; billed for what was delivered",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
    const before = await userQuota(h, s.userId);
    const ac = new AbortController();
    const res = await open(h, s.key, "Talk slowly [fake:chunks=60] [fake:interval=150]", ac.signal);
    assertEquals(res.status, 200);
    const { reader } = await readEvents(res, 4);
    const left = performance.now();
    ac.abort();
    await reader.cancel();
    const closedAt = await fake.requests[0].waitForClientClose(8000);
    const waited = closedAt - left;
    assert(waited > 4500 && waited < 6500, `upstream closed ${Math.round(waited)} ms after the client left`);
    const row = await consumeRow(h);
    assert(row && row.quota > 0, "delivered tokens are charged");
    assert(row!.completion >= 3 && row!.completion < 60, `completion ${row!.completion}`);
    assertEquals(row!.other.stream_status?.end_reason, "client_gone");
    assertEquals(await userQuota(h, s.userId), before - row!.quota);
  },
);

appTest(
  "a client leaving mid-stream of an upstream that finishes within 5 s is charged the upstream's usage",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
    const ac = new AbortController();
    const res = await open(h, s.key, "Quick one [fake:chunks=20] [fake:interval=50]", ac.signal);
    const { reader } = await readEvents(res, 3);
    ac.abort();
    await reader.cancel();
    const row = await consumeRow(h);
    assertEquals(fake.requests[0].clientClosedAt, undefined, "read to the end");
    assertEquals(row!.completion, 20, "the upstream's own count");
    assertEquals(row!.quota, row!.prompt + 2 * 20);
  },
);

appTest(
  "a client leaving a stream that will bring no usage closes the upstream within a second",
  async (h) => {
    await using fake = await startFakeUpstream();
    // Mistral (type 42) is not on New API's stream-options list: no usage is forced, none will come.
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url, { type: 42 })] });
    const ac = new AbortController();
    const res = await open(h, s.key, "Talk slowly [fake:chunks=60] [fake:interval=150]", ac.signal);
    assertEquals(fake.lastRequest()!.json.stream_options, undefined);
    const { reader } = await readEvents(res, 3);
    const left = performance.now();
    ac.abort();
    await reader.cancel();
    const waited = (await fake.requests[0].waitForClientClose(3000)) - left;
    assert(waited < 1000, `closed after ${Math.round(waited)} ms`);
    const row = await consumeRow(h);
    assert(row!.quota > 0 && row!.completion > 0);
    assertEquals(row!.other.admin_info.local_count_tokens, true);
  },
);

appTest("a client leaving before the first byte closes the upstream at once and costs nothing", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const before = await userQuota(h, s.userId);
  const ac = new AbortController();
  const pending = open(h, s.key, "Slow start [fake:fault=slow-5000]", ac.signal);
  await fake.waitForRequests(1);
  await new Promise((r) => setTimeout(r, 200));
  const left = performance.now();
  ac.abort();
  const waited = (await fake.requests[0].waitForClientClose(3000)) - left;
  assert(waited < 1000, `closed after ${Math.round(waited)} ms`);
  await pending.catch(() => {});
  await settled(h);
  assertEquals(await userQuota(h, s.userId), before);
  assertEquals(await consumeRow(h), undefined);
});

appTest(
  "a cut upstream stream ends with an error event, not [DONE], and is billed for what was delivered",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
    const text = await readAll(await open(h, s.key, "Cut me [fake:chunks=10] [fake:fault=cut-4]"));
    assert(!text.includes("[DONE]"), text);
    const last = JSON.parse(text.trim().split("\n").at(-1)!.slice("data: ".length));
    assertEquals(last.error.code, "upstream_connection_error");
    assert(text.includes('"content"'), "content was delivered first");
    const row = await consumeRow(h);
    assert(row!.quota > 0 && row!.completion > 0, "never zero when tokens were delivered");
    assertEquals(row!.other.stream_status.end_reason, "upstream_error");
  },
);

appTest(
  "an error inside a 200 stream reaches the client sanitized; at the start it is retried elsewhere",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      options: { RetryTimes: "1" },
      channels: [
        fakeChannel(fake.url, { key: "key-a", priority: 1 }),
        fakeChannel(fake.url, { key: "key-b", priority: 0 }),
      ],
    });
    fake.setKeyFault("key-a", { errorAfter: 0 });
    const retried = await readAll(await open(h, s.key, "Hello"));
    assert(retried.trimEnd().endsWith("data: [DONE]"), retried);
    assertEquals(fake.requests.map((r) => r.headers.get("authorization")), ["Bearer key-a", "Bearer key-b"]);
    await settled(h);

    fake.reset();
    fake.setKeyFault("key-a", { errorAfter: 3 });
    const broken = await readAll(await open(h, s.key, "Hello again"));
    assert(!broken.includes("[DONE]"));
    const last = JSON.parse(broken.trim().split("\n").at(-1)!.slice("data: ".length));
    assertEquals(last.error.message.startsWith("The upstream service failed"), true, last.error.message);
    assertEquals(fake.requests.length, 1, "no retry after the first byte");
    await settled(h);
  },
);

appTest("a stalled upstream stream ends with a timeout error event after STREAMING_TIMEOUT", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const started = performance.now();
  const text = await readAll(await open(h, s.key, "Stall [fake:fault=stall-3]"));
  const took = performance.now() - started;
  assert(took > 900 && took < 3000, `ended after ${Math.round(took)} ms`);
  assert(!text.includes("[DONE]"));
  assert(text.includes('"code":"upstream_timeout"'), text);
  await settled(h);
}, { STREAMING_TIMEOUT: "1" });

appTest("a slow but steady stream is not cut by the idle timeout", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const text = await readAll(await open(h, s.key, "Steady [fake:chunks=6] [fake:interval=400]"));
  assert(text.trimEnd().endsWith("data: [DONE]"), text);
  await settled(h);
}, { STREAMING_TIMEOUT: "1" });

appTest("an SSE line over STREAM_SCANNER_MAX_BUFFER_MB ends the stream with an error event", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const text = await readAll(await open(h, s.key, "Huge [fake:chunks=5] [fake:fault=oversized-3000000]"));
  assert(!text.includes("[DONE]"));
  assert(text.includes('"code":"bad_response_body"'), text.slice(-300));
  assert(text.length < 100_000, "the oversized line was not passed on");
  await settled(h);
}, { STREAM_SCANNER_MAX_BUFFER_MB: "1" });
