/**
 * `/v1/realtime` through the gateway, served on a loopback port, against the fake realtime upstream: events
 * pass both ways unchanged, a session is billed exactly from its `response.done` usage (text and audio at
 * their ratios) in one consume row, keys are read from `Authorization` or the subprotocol, refusals are
 * HTTP errors before any upgrade, and a disconnect on either side closes the other and leaves no hold.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, heldCount, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { serveApp } from "../../support/native_relay.ts";
import { asInt } from "../../../store/db.ts";
import { testChannel } from "../../../relay/health/channel_test.ts";
import { expectedRealtimeQuota, RealtimeClient, RT_MODEL, RT_PRICES } from "../../support/realtime.ts";

const wsUrl = (httpUrl: string, model = RT_MODEL) =>
  `${httpUrl.replace(/^http/, "ws")}/v1/realtime?model=${encodeURIComponent(model)}`;

async function consumeRows(h: Parameters<Parameters<typeof appTest>[1]>[0], userId: number) {
  await h.deps.billing.flush();
  return await h.deps.logDb.query(
    "SELECT quota, prompt_tokens, completion_tokens, channel_id, model_name FROM logs WHERE type = 2 AND user_id = ?",
    [userId],
  );
}

appTest("a realtime session passes events both ways and is billed exactly (text + audio) once", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { models: RT_MODEL, key: "sk-upstream-rt" })],
    options: RT_PRICES,
  });
  await using served = serveApp(h);
  const before = await userQuota(h, s.userId);
  const c = await RealtimeClient.open(wsUrl(served.url), { headers: { authorization: `Bearer ${s.key}` } });
  const created = await c.next("session.created");
  assertEquals(created.session.model, RT_MODEL);

  c.send({ type: "session.update", session: { modalities: ["text", "audio"] } });
  await c.next("session.updated");
  c.send({
    type: "conversation.item.create",
    item: { type: "message", role: "user", content: [{ type: "input_text", text: "Tell me about tides" }] },
  });
  await c.next("conversation.item.created");
  c.send({ type: "input_audio_buffer.append", audio: btoa("\u0001".repeat(2400)) });
  c.send({ type: "input_audio_buffer.commit" });
  await c.next("input_audio_buffer.committed");
  c.send({ type: "response.create" });
  const first = await c.next("response.done");
  assert(c.events.some((e) => e.type === "response.audio.delta"), "audio deltas pass through");
  c.send({ type: "response.create", response: { modalities: ["text"] } });
  const second = await c.next("response.done", 2);
  assert(c.events.some((e) => e.type === "response.text.delta"), "text deltas pass through");
  const usages = [first.response.usage, second.response.usage];
  assert(usages[0].output_token_details.audio_tokens > 0 && usages[0].input_token_details.audio_tokens > 0);

  c.socket.close(1000);
  await c.closed;
  await settled(h);
  const expected = expectedRealtimeQuota(usages);
  assertEquals(before - (await userQuota(h, s.userId)), expected);
  const rows = await consumeRows(h, s.userId);
  assertEquals(rows.length, 1);
  assertEquals(asInt(rows[0].quota), expected);
  assertEquals(
    asInt(rows[0].prompt_tokens),
    usages[0].input_tokens + usages[1].input_tokens,
  );
  assertEquals(asInt(rows[0].completion_tokens), usages[0].output_tokens + usages[1].output_tokens);
  assertEquals(asInt(rows[0].channel_id), s.channelIds[0]);
  // The upstream got the channel's key, never the caller's.
  const hs = fake.realtime.handshakes[0];
  assertEquals(hs.headers.get("authorization"), "Bearer sk-upstream-rt");
  assertEquals(hs.url.searchParams.get("model"), RT_MODEL);
  assertEquals(fake.realtime.received.filter((t) => t === "response.create").length, 2);
});

appTest("the subprotocol key works, Azure channels get /openai/realtime with api-key", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [
      fakeChannel(fake.url, { type: 3, models: RT_MODEL, key: "azure-key", other: "2024-10-01-preview" }),
    ],
    options: RT_PRICES,
  });
  await using served = serveApp(h);
  const c = await RealtimeClient.open(wsUrl(served.url), {
    protocols: ["realtime", `openai-insecure-api-key.${s.key}`, "openai-beta.realtime-v1"],
  });
  assertEquals(c.socket.protocol, "realtime");
  await c.next("session.created");
  c.send({ type: "response.create", response: { modalities: ["text"] } });
  const done = await c.next("response.done");
  c.socket.close(1000);
  await c.closed;
  await settled(h);
  const hs = fake.realtime.handshakes[0];
  assertEquals(hs.url.pathname, "/openai/realtime");
  assertEquals(hs.url.searchParams.get("deployment"), RT_MODEL);
  assertEquals(hs.url.searchParams.get("api-version"), "2024-10-01-preview");
  assertEquals(hs.headers.get("api-key"), "azure-key");
  assertEquals(hs.headers.get("openai-beta"), "realtime=v1");
  assert(!(hs.headers.get("sec-websocket-protocol") ?? "").includes(s.key.slice(3)), "the key stays here");
  const rows = await consumeRows(h, s.userId);
  assertEquals(asInt(rows[0].quota), expectedRealtimeQuota([done.response.usage]));
});

appTest("refusals are HTTP errors before any upgrade, nothing held or charged", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { models: RT_MODEL })],
    options: RT_PRICES,
    userQuota: 1_000_000,
  });
  const upgrade = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" };
  const get = (path: string, headers: Record<string, string>) =>
    Promise.resolve(h.app.request(path, { headers: { ...upgrade, ...headers } }));
  const noKey = await get(`/v1/realtime?model=${RT_MODEL}`, {});
  assertEquals(noKey.status, 401);
  assertEquals((await noKey.json()).error.type !== undefined, true);
  const badKey = await get(`/v1/realtime?model=${RT_MODEL}`, {
    "sec-websocket-protocol": "realtime, openai-insecure-api-key.sk-wrong",
  });
  assertEquals(badKey.status, 401);
  await badKey.body?.cancel();
  const noModel = await get(`/v1/realtime`, { authorization: `Bearer ${s.key}` });
  assertEquals(noModel.status, 400);
  await noModel.body?.cancel();
  const unknown = await get(`/v1/realtime?model=nope`, { authorization: `Bearer ${s.key}` });
  assertEquals(unknown.status, 404);
  await unknown.body?.cancel();
  const plain = await h.app.request(`/v1/realtime?model=${RT_MODEL}`, {
    headers: { authorization: `Bearer ${s.key}` },
  });
  assertEquals(plain.status, 400);
  await plain.body?.cancel();
  assertEquals(fake.realtime.handshakes.length, 0);
  assertEquals(await heldCount(h), 0);
  assertEquals((await consumeRows(h, s.userId)).length, 0);
});

appTest(
  "a client that leaves closes the upstream; an upstream that leaves closes the client; no hold stays",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      channels: [fakeChannel(fake.url, { models: RT_MODEL })],
      options: RT_PRICES,
    });
    await using served = serveApp(h);
    const before = await userQuota(h, s.userId);

    // Client leaves before any response: the upstream is closed, the hold released, nothing charged.
    const a = await RealtimeClient.open(wsUrl(served.url), { headers: { authorization: `Bearer ${s.key}` } });
    await a.next("session.created");
    assertEquals(await heldCount(h), 1);
    a.socket.close(1000);
    await a.closed;
    await settled(h);
    for (let i = 0; i < 100 && fake.realtime.closed < 1; i++) await new Promise((r) => setTimeout(r, 20));
    assertEquals(fake.realtime.closed, 1);
    assertEquals(await userQuota(h, s.userId), before);

    // The upstream closes after a response: the client is closed, that response is charged.
    const b = await RealtimeClient.open(wsUrl(served.url), { headers: { authorization: `Bearer ${s.key}` } });
    await b.next("session.created");
    b.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text: "bye [fake:close]" }] },
    });
    b.send({ type: "response.create", response: { modalities: ["text"] } });
    const done = await b.next("response.done");
    const closed = await b.closed;
    assertEquals(closed.code, 1000);
    await settled(h);
    assertEquals(before - (await userQuota(h, s.userId)), expectedRealtimeQuota([done.response.usage]));
    assertEquals(await heldCount(h), 0);
  },
);

appTest("the session ends with an error event when the wallet cannot cover the next response", async (h) => {
  await using fake = await startFakeUpstream();
  // 300 quota: the admission hold is 250 (100 tokens × 2.5); one audio response costs more than is left.
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { models: RT_MODEL })],
    options: RT_PRICES,
    userQuota: 300,
  });
  await using served = serveApp(h);
  const c = await RealtimeClient.open(wsUrl(served.url), { headers: { authorization: `Bearer ${s.key}` } });
  await c.next("session.created");
  c.send({ type: "response.create" });
  const done = await c.next("response.done");
  const err = await c.next("error");
  assertEquals(err.error.code, "insufficient_user_quota");
  const closed = await c.closed;
  assertEquals(closed.code, 1008);
  await settled(h);
  const expected = expectedRealtimeQuota([done.response.usage]);
  assert(expected > 300, `one response costs ${expected}`);
  // Charged in full (bounded debt), logged once, nothing held.
  assertEquals(await userQuota(h, s.userId), 300 - expected);
  assertEquals((await consumeRows(h, s.userId)).length, 1);
  assertEquals(await heldCount(h), 0);
}, {});

appTest("an idle session is closed with an error event and released", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { models: RT_MODEL })],
    options: RT_PRICES,
  });
  await using served = serveApp(h);
  const c = await RealtimeClient.open(wsUrl(served.url), { headers: { authorization: `Bearer ${s.key}` } });
  await c.next("session.created");
  const err = await c.next("error", 1, 4000);
  assertEquals(err.error.code, "session_idle_timeout");
  await c.closed;
  await settled(h);
  assertEquals(await heldCount(h), 0);
}, { STREAMING_TIMEOUT: "1" });

appTest("a token's concurrency limit counts open sessions; the slot frees when one closes", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { models: RT_MODEL })],
    options: RT_PRICES,
    token: { concurrencyLimit: 1 },
  });
  await using served = serveApp(h);
  const headers = { authorization: `Bearer ${s.key}` };
  const a = await RealtimeClient.open(wsUrl(served.url), { headers });
  await a.next("session.created");
  const refused = await h.app.request(`/v1/realtime?model=${RT_MODEL}`, {
    headers: { ...headers, upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" },
  });
  assertEquals(refused.status, 429);
  assertEquals((await refused.json()).error.message.length > 0, true);
  assertEquals(fake.realtime.handshakes.length, 1);
  a.socket.close(1000);
  await a.closed;
  await settled(h);
  const b = await RealtimeClient.open(wsUrl(served.url), { headers });
  await b.next("session.created");
  b.socket.close(1000);
  await b.closed;
  await settled(h);
});

appTest("the channel test of a realtime model runs one response over the channel's socket", async (h) => {
  await using fake = await startFakeUpstream({ keys: ["good-key"] });
  const s = await relaySetup(h, {
    channels: [
      fakeChannel(fake.url, { models: RT_MODEL, key: "good-key" }),
      fakeChannel(fake.url, { models: RT_MODEL, key: "revoked-key" }),
    ],
    options: RT_PRICES,
  });
  const good = await testChannel(h.deps, h.deps.catalog.channel(s.channelIds[0])!);
  assertEquals(good.message, "");
  assertEquals(good.ok, true);
  assertEquals(fake.realtime.received, ["response.create"]);
  const bad = await testChannel(h.deps, h.deps.catalog.channel(s.channelIds[1])!);
  assertEquals(bad.ok, false);
  assert(!bad.message.includes("revoked-key"));
  assertEquals(await heldCount(h), 0);
});
