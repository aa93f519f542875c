/**
 * Bad input gets the right 4xx in OpenAI's error shape, reaches no upstream and costs nothing: malformed
 * bodies, unknown models, oversized and compressed-bomb bodies, missing/wrong/disabled/expired/exhausted
 * keys, a spoofed X-Forwarded-For against an IP allow-list, forbidden models and channel pins.
 */
import { type AppHarness, appTest } from "../../support/app.ts";
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, heldCount, relaySetup, userQuota } from "../../support/relay.ts";
import { createToken } from "../../../store/tokens.ts";
import { testSecrets } from "../../support/stores.ts";
import { Role, updateUser } from "../../../store/users.ts";

const good = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] };

function post(
  h: AppHarness,
  body: BodyInit | null,
  headers: Record<string, string>,
  peer = "198.51.100.1",
  path = "/v1/chat/completions",
) {
  return Promise.resolve(h.app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    // deno-lint-ignore no-explicit-any
    ...({ duplex: "half" } as any),
  }, { remoteAddr: { transport: "tcp", hostname: peer, port: 40000 } }));
}

async function expectError(res: Response, status: number, code?: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  assertEquals(res.status, status, text);
  const body = JSON.parse(text);
  assertEquals(typeof body.error.message, "string");
  assertEquals(typeof body.error.type, "string");
  if (code) assertEquals(body.error.code, code, text);
  assert(res.headers.get("x-oneapi-request-id"), "request id header");
  assert(body.error.message.includes("(request id: "));
  return body.error;
}

appTest("malformed requests are 400s before anything is spent or sent", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const before = await userQuota(h, s.userId);
  const auth = { authorization: `Bearer ${s.key}` };
  const cases: [BodyInit, number, string?][] = [
    ["{not json", 400],
    ["[1,2,3]", 400],
    ['"a string"', 400],
    [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 400],
    [JSON.stringify({ ...good, messages: "hello" }), 400],
    [JSON.stringify({ ...good, messages: [] }), 400],
    [JSON.stringify({ ...good, temperature: "hot" }), 400],
    [JSON.stringify({ ...good, stream: "yes" }), 400],
    [JSON.stringify({ ...good, n: "1e9" }), 400],
    [JSON.stringify({ ...good, n: 18446744073686646784 }), 400],
    [JSON.stringify({ ...good, max_tokens: -1 }), 400],
    [JSON.stringify({ ...good, max_tokens: 2 ** 63 }), 400],
    [JSON.stringify({ messages: good.messages }), 400],
    [JSON.stringify({ ...good, model: "no-such-model" }), 404, "model_not_found"],
    [JSON.stringify({ ...good, model: 42 }), 400],
  ];
  for (const [body, status, code] of cases) {
    await expectError(await post(h, body, auth), status, code);
  }
  await expectError(
    await post(h, JSON.stringify({ model: "text-embedding-3-small" }), auth, undefined, "/v1/embeddings"),
    400,
  );
  await expectError(await post(h, "{}", auth, undefined, "/v1/audio/transcriptions"), 400);
  assertEquals(fake.requestCount, 0);
  assertEquals(await userQuota(h, s.userId), before);
  assertEquals(await heldCount(h), 0);
});

appTest("a body cut inside a UTF-8 sequence is a 400, and the next request decodes whole", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const auth = { authorization: `Bearer ${s.key}` };
  const text = JSON.stringify({ ...good, messages: [{ role: "user", content: "héllo 世界" }] });
  const bytes = new TextEncoder().encode(text);
  const cut = bytes.indexOf(0xe4); // the first byte of 世
  const broken = new Uint8Array([...bytes.subarray(0, cut + 1), ...bytes.subarray(cut + 3)]);
  for (let i = 0; i < 2; i++) {
    const err = await expectError(await post(h, broken, auth), 400);
    assert(String(err.message).includes("not valid JSON"), String(err.message));
    assertEquals((await post(h, bytes, auth)).status, 200);
  }
  assertEquals(fake.requestCount, 2);
  assertStringIncludes(fake.requests[1].text, "héllo 世界");
});

appTest("bodies over MAX_REQUEST_BODY_MB are 413, declared or streamed, plain or gzip", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const auth = { authorization: `Bearer ${s.key}` };
  const hundredMb = new Uint8Array(100 * 1024 * 1024).fill(0x20);
  await expectError(await post(h, hundredMb, auth), 413, "request_body_too_large");
  const chunk = new Uint8Array(1024 * 1024).fill(0x20);
  let sent = 0;
  const streamed = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent++ >= 100) c.close();
      else c.enqueue(chunk);
    },
  });
  await expectError(await post(h, streamed, auth), 413);
  assert(sent < 40, `stopped reading early (${sent} MB pulled)`);
  const bomb = await new Response(
    new Blob([new Uint8Array(64 * 1024 * 1024)]).stream().pipeThrough(new CompressionStream("gzip")),
  ).bytes();
  assert(bomb.length < 1024 * 1024);
  await expectError(await post(h, bomb, { ...auth, "content-encoding": "gzip" }), 413);
  await expectError(await post(h, "{}", { ...auth, "content-encoding": "br" }), 415);
  assertEquals(fake.requestCount, 0);
}, { MAX_REQUEST_BODY_MB: "16" });

appTest("key problems are 401/403 in OpenAI's shape; unknown and wrong keys look the same", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const before = await userQuota(h, s.userId);
  const body = JSON.stringify(good);
  const generic = async (headers: Record<string, string>) => {
    const e = await expectError(await post(h, body, headers), 401, "invalid_api_key");
    return String(e.message).replace(/\(request id: .*\)/, "");
  };
  const messages = [
    await generic({}),
    await generic({ authorization: "Bearer " }),
    await generic({ authorization: "Bearer sk-" }),
    await generic({ authorization: "Bearer sk-thisKeyDoesNotExist000000000000000000000000000" }),
    // The last character changed (to "x", or to "y" when it already was "x": a 1-in-62 flake once).
    await generic({ authorization: `Bearer ${s.key.slice(0, -1)}${s.key.endsWith("x") ? "y" : "x"}` }),
  ];
  assertEquals(new Set(messages).size, 1);
  assert(!messages[0].includes(s.key.slice(3, 12)), "the key is never echoed");
  // The prefix is optional, and x-api-key is not a chat credential (New API reads it on /v1/messages).
  assertEquals((await post(h, body, { authorization: `Bearer ${s.key.slice(3)}` })).status, 200);
  await expectError(await post(h, body, { "x-api-key": s.key }), 401);

  const mk = async (fields: Record<string, unknown>) =>
    (await createToken(h.deps.db, testSecrets.cryptoSecret, s.userId, { name: "t", ...fields })).key;
  const publish = () => h.deps.cache.publish({ kind: "all" });
  const disabled = await mk({ status: 2, unlimitedQuota: true });
  const expired = await mk({ expiredTime: 1000, unlimitedQuota: true });
  const exhausted = await mk({ remainQuota: 0, unlimitedQuota: false });
  const small = await mk({ remainQuota: 5, unlimitedQuota: false });
  const limited = await mk({ unlimitedQuota: true, modelLimitsEnabled: true, modelLimits: "gpt-4.1" });
  await publish();
  await expectError(await post(h, body, { authorization: `Bearer ${disabled}` }), 401, "token_disabled");
  await expectError(await post(h, body, { authorization: `Bearer ${expired}` }), 401, "token_expired");
  await expectError(
    await post(h, body, { authorization: `Bearer ${exhausted}` }),
    401,
    "token_quota_exhausted",
  );
  await expectError(
    await post(h, JSON.stringify({ ...good, max_tokens: 100 }), { authorization: `Bearer ${small}` }),
    403,
    "pre_consume_token_quota_failed",
  );
  await expectError(await post(h, body, { authorization: `Bearer ${limited}` }), 403, "model_not_allowed");
  await expectError(
    await post(h, body, { authorization: `Bearer ${s.key}-${s.channelIds[0]}` }),
    403,
    "channel_pin_denied",
  );

  await updateUser(h.deps.db, s.userId, { status: 2 });
  await h.deps.cache.publish({ kind: "user", id: s.userId });
  await expectError(await post(h, body, { authorization: `Bearer ${s.key}` }), 403, "user_disabled");
  assertEquals(fake.requestCount, 1, "only the one good request reached the upstream");
  const [one] = fake.requests;
  assertEquals(one.headers.get("authorization"), "Bearer sk-upstream-key");
  assert((await userQuota(h, s.userId)) < before);
  assertEquals(await heldCount(h), 0);
});

appTest("a token's IP allow-list holds against a spoofed X-Forwarded-For", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url)],
    token: { allowIps: "203.0.113.7\n2001:db8::/32" },
  });
  const body = JSON.stringify(good);
  const auth = { authorization: `Bearer ${s.key}` };
  const spoofed = { ...auth, "x-forwarded-for": "203.0.113.7", "x-real-ip": "203.0.113.7" };
  await expectError(await post(h, body, spoofed, "198.51.100.1"), 403, "access_denied");
  assertEquals(fake.requestCount, 0);
  // Through a trusted proxy (TRUSTED_PROXIES=private here) the forwarded address counts.
  assertEquals((await post(h, body, spoofed, "10.0.0.5")).status, 200);
  assertEquals((await post(h, body, auth, "2001:db8::1")).status, 200);
  await expectError(await post(h, body, auth, "10.0.0.5"), 403);
}, { TRUSTED_PROXIES: "private" });

appTest("an admin may pin a channel with sk-<key>-<id>; it is used alone, without retries", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    role: Role.admin,
    options: { RetryTimes: "3" },
    channels: [
      fakeChannel(fake.url, { key: "key-a", priority: 10 }),
      fakeChannel(fake.url, { key: "key-b", priority: 0 }),
    ],
  });
  const pin = { authorization: `Bearer ${s.key}-${s.channelIds[1]}` };
  assertEquals((await post(h, JSON.stringify(good), pin)).status, 200);
  assertEquals(fake.lastRequest()!.headers.get("authorization"), "Bearer key-b");
  fake.setKeyFault("key-b", { status: 500 });
  assertEquals((await post(h, JSON.stringify(good), pin)).status, 500);
  assertEquals(fake.requestCount, 2);
  await expectError(await post(h, JSON.stringify(good), { authorization: `Bearer ${s.key}-999` }), 404);
});
