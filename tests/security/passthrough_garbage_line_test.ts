/**
 * A same-dialect (pass-through) stream whose upstream sends something that is not an event after the
 * 200 (data that is not JSON, an HTML error page, garbage bytes) ends with the client dialect's error
 * event and never its success terminator; the junk reaches neither the client nor (unredacted) the log,
 * the admin's error log says what happened, and the request is charged what was delivered, exactly as a
 * stream cut at the same point is. SSE comments, `event:`/`id:`/`retry:` lines and blank lines still pass.
 */
import { type AppHarness, appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { type FakeUpstream, type Fault, startFakeUpstream } from "../fake_upstream/mod.ts";
import { settled, userQuota } from "../support/relay.ts";
import { nativeSetup } from "../support/native_relay.ts";
import { parseSseTranscript } from "../support/sse_fixture.ts";
import type { SseEvent } from "../../relay/sse/event.ts";
import { asInt, queryOne } from "../../store/db.ts";

interface Case {
  dialect: string;
  /** The channel key of the upstream this case goes to (see `nativeSetup`). */
  channelKey: string;
  path: string | RegExp;
  send(h: AppHarness, key: string): Promise<Response>;
  /** The client's error event (a 502 in the dialect's shape), read; undefined when the event is not one. */
  errorOf(ev: SseEvent): { message: string } | undefined;
  /** Whether the event is the dialect's success terminator (or carries the finish). */
  isSuccessEnd(ev: SseEvent): boolean;
  /** A valid non-event frame sequence the stream must carry without harm. */
  harmless: string;
}

const prompt = "Tell me about the longest rivers [fake:chunks=8]";

const CASES: Case[] = [
  {
    dialect: "OpenAI chat",
    channelKey: "key-openai",
    path: "/v1/chat/completions",
    send: (h, key) =>
      h.call("POST", "/v1/chat/completions", {
        model: "chat-openai",
        stream: true,
        messages: [{ role: "user", content: prompt }],
      }, { authorization: `Bearer ${key}` }),
    errorOf: (ev) => {
      const e = ev.data === "[DONE]" ? undefined : JSON.parse(ev.data).error;
      return e && e.type === "server_error" ? e : undefined;
    },
    isSuccessEnd: (ev) => ev.data === "[DONE]",
    harmless: ": ping\n\nevent: keepalive\nid: 7\nretry: 1000\n\ndata: \n\n",
  },
  {
    dialect: "Claude messages",
    channelKey: "key-claude",
    path: "/v1/messages",
    send: (h, key) =>
      h.call("POST", "/v1/messages", {
        model: "chat-claude",
        max_tokens: 256,
        stream: true,
        messages: [{ role: "user", content: prompt }],
      }, { "x-api-key": key }),
    errorOf: (ev) => {
      if (ev.event !== "error") return undefined;
      const body = JSON.parse(ev.data);
      return body.type === "error" && body.error.type === "api_error" ? body.error : undefined;
    },
    isSuccessEnd: (ev) => ev.event === "message_stop",
    harmless: 'event: ping\ndata: {"type": "ping"}\n\n: keep-alive\n\nid: 9\nretry: 500\n\n',
  },
  {
    dialect: "Gemini streamGenerateContent",
    channelKey: "key-gemini",
    path: /streamGenerateContent$/,
    send: (h, key) =>
      h.call(
        "POST",
        "/v1beta/models/chat-gemini:streamGenerateContent?alt=sse",
        { contents: [{ role: "user", parts: [{ text: prompt }] }] },
        { "x-goog-api-key": key },
      ),
    errorOf: (ev) => {
      const e = JSON.parse(ev.data).error;
      return e && e.code === 502 && e.status === "INTERNAL" ? e : undefined;
    },
    isSuccessEnd: (ev) => Boolean(JSON.parse(ev.data).candidates?.[0]?.finishReason),
    harmless: ": ping\n\nid: 3\n\n\n",
  },
];

/** What the upstream sends after three good events; `KEY` is replaced by the channel's key. */
const JUNK: [string, string | Uint8Array][] = [
  ["data that is not JSON", "data: upstream hiccup KEY, please retry\n\n"],
  [
    "an HTML error page",
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>token KEY rejected</body>\r\n</html>\r\n",
  ],
  ["garbage bytes", new Uint8Array([0xff, 0xfe, 0x00, 0x9c, 0x0a, 0x0a])],
  ["JSON that is not an event object", "data: [1, 2, 3]\n\n"],
];

/** One request with `fault` scripted on the upstream; its events, charge and log row. */
async function run(h: AppHarness, fake: FakeUpstream, key: string, userId: number, c: Case, fault: Fault) {
  fake.script({ path: c.path, ...fault });
  const before = await userQuota(h, userId);
  const res = await c.send(h, key);
  assertEquals(res.status, 200, c.dialect);
  const text = await res.text();
  await settled(h);
  const row = await queryOne(
    h.deps.db,
    "SELECT quota, other FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1",
  );
  return {
    text,
    events: parseSseTranscript(text),
    charged: before - await userQuota(h, userId),
    logged: asInt(row!.quota),
    endReason: JSON.parse(String(row!.other)).stream_status?.end_reason,
  };
}

appTest(
  "a garbage line in a pass-through stream ends it with an error event, logged and billed",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    for (const c of CASES) {
      // The reference: the same answer cut at the same point, which is billed what was delivered.
      const cut = await run(h, fake, s.key, s.userId, c, { cutAfter: 3 });
      assert(c.errorOf(cut.events.at(-1)!), `${c.dialect}: a cut stream ends with the error event`);
      assert(cut.charged > 0, `${c.dialect}: the delivered part of a cut stream is charged`);

      for (const [what, raw] of JUNK) {
        const junk = typeof raw === "string" ? raw.replaceAll("KEY", c.channelKey) : raw;
        const r = await run(h, fake, s.key, s.userId, c, { junkAfter: 3, junk });
        const label = `${c.dialect}, ${what}`;
        const last = r.events.at(-1)!;
        const err = c.errorOf(last);
        assert(err, `${label}: ends with the error event, got ${JSON.stringify(last)}`);
        assertEquals(err.message, "The upstream sent a stream event that could not be decoded", label);
        assertEquals(r.events.filter((ev) => c.errorOf(ev)).length, 1, `${label}: one error event`);
        assert(!r.events.some((ev) => c.isSuccessEnd(ev)), `${label}: no success terminator`);
        assert(!r.text.includes("[DONE]"), `${label}: no [DONE]`);
        assertEquals(r.events.length, 4, `${label}: the three events before the junk, then the error`);
        assert(
          !r.text.includes(c.channelKey) && !r.text.includes("hiccup") && !r.text.includes("<html>"),
          label,
        );
        assertEquals(r.endReason, "upstream_error", label);
        assertEquals(r.charged, r.logged, `${label}: the wallet moved by the logged charge`);
        assertEquals(r.charged, cut.charged, `${label}: charged what was delivered, as a cut stream is`);
      }

      // Comments, blank lines, `event:` without data, `id:` and `retry:` are not junk.
      const ok = await run(h, fake, s.key, s.userId, c, { junkAfter: 3, junk: c.harmless });
      assert(!ok.events.some((ev) => c.errorOf(ev)), `${c.dialect}: harmless lines end nothing`);
      assert(ok.events.some((ev) => c.isSuccessEnd(ev)), `${c.dialect}: the stream completes`);
      assert(ok.events.every((ev) => ev.data === "[DONE]" || JSON.parse(ev.data)), c.dialect);
      assertEquals(ok.endReason, undefined, `${c.dialect}: no stream_status, a completed stream`);
    }

    // The admin's error log has one row per junk stream, saying what came, with the channel key redacted.
    await h.deps.billing.logQueue.flush();
    const errors = await h.deps.db.query("SELECT content FROM logs WHERE type = 5 ORDER BY id");
    assertEquals(errors.length, CASES.length * JUNK.length, JSON.stringify(errors));
    for (const e of errors) assert(/upstream stream sent an? /.test(String(e.content)), String(e.content));
    assert(errors.some((e) => String(e.content).includes("<html>")), "the log shows what the upstream sent");
    const logs = JSON.stringify(await h.deps.db.query("SELECT content, other FROM logs"));
    for (const c of CASES) assert(!logs.includes(c.channelKey), `no log row carries ${c.channelKey}`);
  },
  { ERROR_LOG_ENABLED: "true" },
);

appTest(
  "an HTML page instead of the stream is a 502 in the caller's dialect, and costs nothing",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    const before = await userQuota(h, s.userId);
    fake.script({
      path: "/v1/chat/completions",
      junkAfter: 0,
      junk: "<html><body>Bad Gateway</body></html>\n",
    });
    const res = await CASES[0].send(h, s.key);
    assertEquals(res.status, 502);
    const { error } = await res.json();
    assertEquals(error.code, "bad_response_body");
    await settled(h);
    assertEquals(await userQuota(h, s.userId), before, "nothing delivered, nothing charged");
  },
);
