/**
 * A common user never sees an upstream's own error text: for the statuses about the gateway's account
 * (401, 403, 429, 5xx), and for request errors whose text carries a secret, it gets a fixed message
 * (`relay/pipeline/sanitize.ts`, `clientError`) in its own dialect's error shape (OpenAI on
 * /v1/chat/completions, Claude on /v1/messages, Gemini on :generateContent), and its own error log rows
 * (/api/log/self, its search, /api/log/token) show that message, not the upstream's. The upstream's text,
 * redacted, reaches admins only: in their answers and in the admin log route.
 */
import { type AppHarness, appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { type FakeUpstream, startFakeUpstream } from "../fake_upstream/mod.ts";
import { NATIVE_PRICES, nativeSetup, type UpstreamKind } from "../support/native_relay.ts";
import { relaySetup, settled } from "../support/relay.ts";
import { withTestAuth } from "../support/test_auth.ts";
import { Role } from "../../store/users.ts";

/** Internal detail an upstream might send: hosts, an account, a shard. */
const RAW = "shard db-7 of org acme-internal-42 failed: see dashboard";

interface Dialect {
  name: string;
  kind: UpstreamKind;
  send(h: AppHarness, key: string): Promise<Response>;
  /** The status the dialect answers for the upstream's (Claude says overloaded with 529). */
  statusFor?(status: number): number;
  /** The message of the dialect's error body; throws when the body is not in that shape. */
  messageOf(body: Record<string, unknown>): string;
}

/** A message without the ` (request id: …)` New API appends. */
const text = (v: unknown) => {
  assert(typeof v === "string", `a string, got ${JSON.stringify(v)}`);
  return v.replace(/ \(request id: [^)]+\)$/, "");
};

const DIALECTS: Dialect[] = [
  {
    name: "OpenAI",
    kind: "openai",
    send: (h, key) =>
      h.call("POST", "/v1/chat/completions", {
        model: "chat-openai",
        messages: [{ role: "user", content: "hi" }],
      }, { authorization: `Bearer ${key}` }),
    messageOf: (b) => {
      const e = b.error as Record<string, unknown>;
      assert(e && typeof e.type === "string" && "code" in e, `OpenAI shape: ${JSON.stringify(b)}`);
      return text(e.message);
    },
  },
  {
    name: "Claude",
    kind: "claude",
    statusFor: (status) => (status === 503 ? 529 : status),
    send: (h, key) =>
      h.call("POST", "/v1/messages", {
        model: "chat-claude",
        max_tokens: 64,
        messages: [{ role: "user", content: "hi" }],
      }, { "x-api-key": key }),
    messageOf: (b) => {
      const e = b.error as Record<string, unknown>;
      assert(b.type === "error" && e && typeof e.type === "string", `Claude shape: ${JSON.stringify(b)}`);
      return text(e.message);
    },
  },
  {
    name: "Gemini",
    kind: "gemini",
    // Google answers a bad API key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID).
    statusFor: (status) => (status === 401 ? 400 : status),
    send: (h, key) =>
      h.call("POST", "/v1beta/models/chat-gemini:generateContent", {
        contents: [{ role: "user", parts: [{ text: "hi" }] }],
      }, { "x-goog-api-key": key }),
    messageOf: (b) => {
      const e = b.error as Record<string, unknown>;
      assert(
        e && typeof e.code === "number" && typeof e.status === "string",
        `Gemini shape: ${JSON.stringify(b)}`,
      );
      return text(e.message);
    },
  },
];

/** Upstream failures and the only message a common user may get for each. */
const CASES: { status: number; message: string; expected: string }[] = [
  { status: 401, message: RAW, expected: "The upstream refused this channel's credentials" },
  { status: 403, message: RAW, expected: "The upstream refused this channel's credentials" },
  { status: 429, message: RAW, expected: "The upstream is rate limiting requests; please retry later" },
  { status: 500, message: RAW, expected: "The upstream service failed (HTTP 500)" },
  { status: 503, message: RAW, expected: "The upstream service failed (HTTP 503)" },
  // A request error the caller could act on, but its text carries the channel's key.
  {
    status: 400,
    message: `${RAW} (api_key=KEY)`,
    expected: "The upstream rejected the request as invalid (HTTP 400)",
  },
];

async function failOnce(h: AppHarness, fake: FakeUpstream, d: Dialect, key: string, c: (typeof CASES)[0]) {
  fake.setKeyFault(`key-${d.kind}`, { status: c.status, message: c.message.replace("KEY", `key-${d.kind}`) });
  const res = await d.send(h, key);
  const body = await res.json();
  fake.setKeyFault(`key-${d.kind}`, undefined);
  return { status: res.status, message: d.messageOf(body), body: JSON.stringify(body) };
}

appTest(
  "a common user gets a fixed message in its own dialect, never the upstream's error text, in answers and its logs",
  async (h) => {
    await using fake = await startFakeUpstream();
    const user = await nativeSetup(h, fake, { username: "alice" });
    const admin = await relaySetup(h, {
      channels: [],
      username: "boss",
      role: Role.admin,
      options: NATIVE_PRICES,
    });
    const call = withTestAuth(h);

    for (const d of DIALECTS) {
      for (const c of CASES) {
        const label = `${d.name}, upstream ${c.status}`;
        const u = await failOnce(h, fake, d, user.key, c);
        assertEquals(u.status, d.statusFor?.(c.status) ?? c.status, `${label}: ${u.body}`);
        assertEquals(u.message, c.expected, label);
        assert(!u.body.includes("acme-internal") && !u.body.includes("shard"), `${label}: ${u.body}`);

        const a = await failOnce(h, fake, d, admin.key, c);
        assertEquals(a.status, u.status, `${label}, admin`);
        assert(a.message.includes("acme-internal-42"), `${label}: the admin sees the upstream's text`);
        assert(!a.body.includes(`key-${d.kind}`), `${label}: redacted for the admin too: ${a.body}`);
      }
    }
    await settled(h);
    await h.deps.billing.logQueue.flush();

    // The user's own rows: one error row per failure, showing what the user was told.
    const expected = DIALECTS.flatMap(() => CASES.map((c) => c.expected)).reverse();
    for (const route of ["/api/log/self?type=5&p=1&page_size=100", "/api/log/self/search?keyword=5"]) {
      const res = await call("GET", route, { as: user.userId });
      const { data } = await res.json();
      const items = (data.items ?? data) as { content: string; other?: Record<string, unknown> }[];
      assertEquals(items.map((i) => i.content), expected, route);
      const raw = JSON.stringify(items);
      assert(!raw.includes("acme-internal") && !raw.includes("client_message"), `${route}: ${raw}`);
    }
    const byToken = await h.call("GET", "/api/log/token", undefined, { authorization: `Bearer ${user.key}` });
    const tokenRows = JSON.stringify(await byToken.json());
    assert(tokenRows.includes(CASES[0].expected) && !tokenRows.includes("acme-internal"), tokenRows);

    // The admin's log route keeps the upstream's text of the user's rows, redacted.
    const res = await call("GET", `/api/log/?type=5&username=alice&p=1&page_size=100`, { as: admin.userId });
    const { data } = await res.json();
    const contents = (data.items as { content: string }[]).map((i) => i.content);
    assertEquals(contents.length, DIALECTS.length * CASES.length);
    assert(contents.every((t) => t.includes("acme-internal-42")), JSON.stringify(contents));
    assert(contents.every((t) => !/key-(openai|claude|gemini)/.test(t)), JSON.stringify(contents));
    assert(contents.some((t) => t.includes("[redacted]")), JSON.stringify(contents));
  },
  { ERROR_LOG_ENABLED: "true" },
);

appTest(
  "a user's log row of a stream cut by an undecodable event shows the error event it got, not the junk",
  async (h) => {
    await using fake = await startFakeUpstream();
    const user = await nativeSetup(h, fake, { username: "alice" });
    fake.script({ path: "/v1/chat/completions", junkAfter: 2, junk: `data: ${RAW}\n\n` });
    const res = await h.call("POST", "/v1/chat/completions", {
      model: "chat-openai",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }, { authorization: `Bearer ${user.key}` });
    assert(!(await res.text()).includes("acme-internal"));
    await settled(h);
    await h.deps.billing.logQueue.flush();
    const self = await withTestAuth(h)("GET", "/api/log/self?type=5&p=1", { as: user.userId });
    const { data } = await self.json();
    assertEquals(
      data.items.map((i: { content: string }) => i.content),
      ["The upstream sent a stream event that could not be decoded"],
    );
    const row = await h.deps.db.query("SELECT content FROM logs WHERE type = 5");
    assert(String(row[0].content).includes("acme-internal-42"), "the admin's row says what came");
  },
  { ERROR_LOG_ENABLED: "true" },
);
