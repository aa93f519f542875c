/** New API's channel affinity rules: which requests share a session and the key it is remembered under. */
import { assertEquals } from "../../support/assert.ts";
import {
  type AffinityRequest,
  type AffinitySettings,
  compileRules,
  keyHint,
  matchAffinity,
} from "../../../relay/routing/affinity_rules.ts";

function settings(rules: unknown[], over: Partial<AffinitySettings> = {}): AffinitySettings {
  return {
    enabled: true,
    switchOnSuccess: true,
    keepOnChannelDisabled: false,
    defaultTtlSeconds: 3600,
    rules: compileRules(rules),
    ...over,
  };
}

function request(over: Partial<AffinityRequest> = {}): AffinityRequest {
  return {
    model: "gpt-5",
    path: "/v1/responses",
    usingGroup: "default",
    headers: new Headers(),
    body: {},
    context: { token_id: 7, id: 3 },
    ...over,
  };
}

const codex = {
  name: "codex cli trace",
  model_regex: ["^gpt-.*$"],
  path_regex: ["/v1/responses"],
  key_sources: [{ type: "gjson", path: "prompt_cache_key" }],
  include_using_group: true,
  include_rule_name: true,
  skip_retry_on_failure: true,
};

const claude = {
  name: "claude cli trace",
  model_regex: ["^claude-.*$"],
  path_regex: ["/v1/messages"],
  key_sources: [
    { type: "request_header", key: "X-Claude-Code-Session-Id" },
    { type: "gjson", path: "metadata.user_id", nested_path: "session_id" },
  ],
  ttl_seconds: 600,
};

Deno.test("Codex: prompt_cache_key under the rule and group names; SHA-1 fingerprint, short hint", async () => {
  const m = await matchAffinity(
    settings([codex]),
    request({ body: { prompt_cache_key: "019a-session-abcdef" } }),
  );
  assertEquals(m?.cacheKey, "codex cli trace:default:019a-session-abcdef");
  assertEquals(m?.ttlSeconds, 3600, "the default TTL when the rule has none");
  assertEquals(m?.skipRetryOnFailure, true);
  assertEquals(m?.keyHint, "019a...cdef");
  // sha1("019a-session-abcdef") starts with these 8 hex digits.
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode("019a-session-abcdef"));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  assertEquals(m?.keyFingerprint, hex.slice(0, 8));
});

Deno.test("Claude Code: the session header first, else session_id inside metadata.user_id's JSON", async () => {
  const s = settings([claude]);
  const base = { model: "claude-sonnet-4-5", path: "/v1/messages" };
  const byHeader = await matchAffinity(
    s,
    request({ ...base, headers: new Headers({ "x-claude-code-session-id": "hdr-1" }) }),
  );
  assertEquals(byHeader?.cacheKey, "hdr-1");
  assertEquals(byHeader?.ttlSeconds, 600);
  assertEquals(byHeader?.keySource.type, "request_header");
  const byBody = await matchAffinity(
    s,
    request({
      ...base,
      body: { metadata: { user_id: JSON.stringify({ session_id: "sess-9", device: "x" }) } },
    }),
  );
  assertEquals(byBody?.cacheKey, "sess-9");
  assertEquals(byBody?.keySource.nested_path, "session_id");
  const none = await matchAffinity(s, request({ ...base, body: { metadata: { user_id: "not json" } } }));
  assertEquals(none, undefined, "no session value: no affinity");
});

Deno.test("model, path and user agent must match; the first matching rule wins", async () => {
  const uaRule = {
    name: "ua",
    model_regex: [".*"],
    user_agent_include: ["CodexClient"],
    key_sources: [{ type: "context_int", key: "token_id" }],
    include_model_name: true,
  };
  const s = settings([codex, uaRule]);
  assertEquals(await matchAffinity(s, request({ model: "claude-x" })), undefined);
  assertEquals(
    await matchAffinity(s, request({ path: "/v1/chat/completions", body: { prompt_cache_key: "k" } })),
    undefined,
  );
  const byUa = await matchAffinity(
    s,
    request({ model: "o3", headers: new Headers({ "user-agent": "codexclient/1.2" }) }),
  );
  assertEquals(byUa?.cacheKey, "o3:7", "token id, with the model name");
  const first = await matchAffinity(
    s,
    request({ body: { prompt_cache_key: "k" }, headers: new Headers({ "user-agent": "CodexClient" }) }),
  );
  assertEquals(first?.rule, "codex cli trace");
});

Deno.test("value_regex filters values; a rule that does not compile or a malformed list is dropped", async () => {
  const s = settings([{ ...codex, value_regex: "^sess-" }]);
  assertEquals(await matchAffinity(s, request({ body: { prompt_cache_key: "other" } })), undefined);
  assertEquals(
    (await matchAffinity(s, request({ body: { prompt_cache_key: "sess-1" } })))?.cacheKey,
    "codex cli trace:default:sess-1",
  );
  assertEquals(compileRules([{ name: "x", key_sources: [{ type: "nope" }] }]), []);
  assertEquals(compileRules("not a list"), []);
  const broken = settings([{ ...codex, model_regex: ["[", "^gpt-"] }]);
  assertEquals(
    (await matchAffinity(broken, request({ body: { prompt_cache_key: "a" } })))?.rule,
    "codex cli trace",
    "the bad pattern is skipped, the good one still matches",
  );
  assertEquals(
    await matchAffinity({ ...s, enabled: false }, request({ body: { prompt_cache_key: "sess-1" } })),
    undefined,
  );
});

Deno.test("key hints never carry more than 8 characters of a long value", () => {
  assertEquals(keyHint("short"), "short");
  assertEquals(keyHint("abcdefghijklmnop"), "abcd...mnop");
  assertEquals(keyHint("line\nbreak-value-x"), "line...ue-x");
});
