/**
 * Failover and channel health through the relay: a 500 or 429 from one channel is retried on another (one
 * reservation, one charge), a 400 is not retried and costs nothing, a 401 takes the channel (or only the
 * failing key of a multi-key channel) out of rotation and a passing test brings it back, retries walk down
 * the priority tiers without repeating a channel, and no upstream error text with a key in it reaches the
 * client or the user's own logs.
 */
import { type AppHarness, appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { type FakeUpstream, startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { getChannel } from "../../../store/channels.ts";
import { asInt, queryOne } from "../../../store/db.ts";
import { testAllChannels } from "../../../relay/health/test_all.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Tell me something" }] };
const keysSeen = (fake: FakeUpstream) => fake.requests.map((r) => r.headers.get("authorization")?.slice(7));

async function consumeRows(h: AppHarness): Promise<{ n: number; quota: number }> {
  const row = await queryOne(
    h.deps.db,
    "SELECT COUNT(*) AS n, COALESCE(SUM(quota), 0) AS q FROM logs WHERE type = 2",
  );
  return { n: asInt(row?.n), quota: asInt(row?.q) };
}

async function twoTiers(h: AppHarness, fake: FakeUpstream, options: Record<string, string> = {}) {
  return await relaySetup(h, {
    options: { RetryTimes: "3", ...options },
    channels: [
      fakeChannel(fake.url, { name: "A", key: "key-a", priority: 10 }),
      fakeChannel(fake.url, { name: "B", key: "key-b", priority: 0 }),
    ],
  });
}

for (const status of [500, 429]) {
  appTest(`a ${status} from channel A is retried on channel B and charged once`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await twoTiers(h, fake);
    fake.setKeyFault("key-a", { status });
    const before = await userQuota(h, s.userId);
    const res = await chat(h, s.key, ask);
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(keysSeen(fake), ["key-a", "key-b"]);
    await settled(h);
    const charge = body.usage.prompt_tokens + 2 * body.usage.completion_tokens;
    assertEquals(await userQuota(h, s.userId), before - charge);
    assertEquals(await consumeRows(h), { n: 1, quota: charge });
    const row = await queryOne(h.deps.db, "SELECT other, channel_id FROM logs WHERE type = 2");
    assertEquals(asInt(row!.channel_id), s.channelIds[1]);
    assertEquals(JSON.parse(String(row!.other)).admin_info.use_channel, s.channelIds.map(String));
    assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1, "a 5xx/429 does not disable");
  });
}

appTest("a 400 is not retried, reaches the client sanitized and costs nothing", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await twoTiers(h, fake);
  fake.setKeyFault("key-a", {
    status: 400,
    message: "Invalid value for 'temperature' near key=sk-secretsecretsecret",
  });
  const before = await userQuota(h, s.userId);
  const res = await chat(h, s.key, ask);
  assertEquals(res.status, 400);
  const body = await res.json();
  // Text in which a key was found never reaches a non-admin, even redacted: the fixed message does.
  assert(
    body.error.message.startsWith("The upstream rejected the request as invalid (HTTP 400)"),
    body.error.message,
  );
  assert(!JSON.stringify(body).includes("secretsecret"), "key-like text is redacted");
  assert(body.error.message.includes("(request id: "));
  assertEquals(keysSeen(fake), ["key-a"]);
  await settled(h);
  assertEquals(await userQuota(h, s.userId), before);
  assertEquals((await consumeRows(h)).n, 0);
});

appTest("RetryTimes 0 (New API's default) answers with the first failure", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await twoTiers(h, fake, { RetryTimes: "0" });
  fake.setKeyFault("key-a", { status: 503 });
  const res = await chat(h, s.key, ask);
  assertEquals(res.status, 503);
  assertEquals((await res.json()).error.message.startsWith("The upstream service failed (HTTP 503)"), true);
  assertEquals(keysSeen(fake), ["key-a"]);
});

appTest("a 401 disables the channel (key never shown), B serves; a passing test re-enables A", async (h) => {
  await using fake = await startFakeUpstream();
  const canary = "sk-CANARY0123456789abcdefCANARY";
  const s = await relaySetup(h, {
    options: {
      RetryTimes: "2",
      AutomaticDisableChannelEnabled: "true",
      AutomaticEnableChannelEnabled: "true",
    },
    channels: [
      fakeChannel(fake.url, { name: "A", key: canary, priority: 10 }),
      fakeChannel(fake.url, { name: "B", key: "key-b", priority: 0 }),
    ],
  });
  fake.setKeyFault(canary, { status: 401 });
  const res = await chat(h, s.key, ask);
  assertEquals(res.status, 200);
  assert(!(await res.text()).includes("CANARY"));
  const a = await getChannel(h.deps.db, s.channelIds[0]);
  assertEquals(a!.status, 3, "auto-disabled");
  assert(!a!.otherInfo.includes("CANARY"), "the stored reason is redacted");
  assertEquals(h.deps.catalog.tiers("default", "gpt-4o-mini").flat().map((c) => c.id), [s.channelIds[1]]);

  // The next request goes straight to B.
  fake.reset();
  assertEquals((await chat(h, s.key, ask)).status, 200);
  assertEquals(keysSeen(fake), ["key-b"]);

  // The key works again: the health test re-enables A.
  fake.setKeyFault(canary, undefined);
  const summary = await testAllChannels(h.deps);
  assertEquals(summary!.enabled, 1);
  assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1);
  assertEquals(h.deps.catalog.tiers("default", "gpt-4o-mini")[0].map((c) => c.id), [s.channelIds[0]]);
  await h.deps.billing.logQueue.flush();
  const errors = await h.deps.db.query("SELECT content, channel_id FROM logs WHERE type = 5");
  assertEquals(errors.length, 1, "the failed attempt is in the error log");
  assert(String(errors[0].content).startsWith("upstream status 401: "), String(errors[0].content));
  assertEquals(asInt(errors[0].channel_id), s.channelIds[0]);
  const logs = await h.deps.db.query("SELECT content, other FROM logs");
  assert(!JSON.stringify(logs).includes("CANARY"), "no log row carries the key");
}, { ERROR_LOG_ENABLED: "true" });

appTest("a final 401 reaches the client as a generic message with no part of the upstream key", async (h) => {
  await using fake = await startFakeUpstream();
  const canary = "sk-proj-CANARYabcdefghijklmnopqrstuvwxyz0123456789";
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url, { key: canary })] });
  fake.setKeyFault(canary, { status: 401 });
  const res = await chat(h, s.key, ask);
  assertEquals(res.status, 401);
  const text = await res.text();
  assert(fake.requests[0].status === 401);
  for (const part of ["CANARY", "sk-proj", "6789"]) assert(!text.includes(part), `${part} leaked: ${text}`);
  assertEquals(JSON.parse(text).error.code, "upstream_error");
});

appTest("without AutomaticDisableChannelEnabled a 401 fails over but disables nothing", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await twoTiers(h, fake);
  fake.setKeyFault("key-a", { status: 401 });
  assertEquals((await chat(h, s.key, ask)).status, 200);
  assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1);
});

appTest("retries walk down the priority tiers and never repeat a channel", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: { RetryTimes: "10" },
    channels: [
      fakeChannel(fake.url, { name: "A1", key: "a1", priority: 20 }),
      fakeChannel(fake.url, { name: "A2", key: "a2", priority: 20 }),
      fakeChannel(fake.url, { name: "B", key: "b", priority: 10 }),
      fakeChannel(fake.url, { name: "C", key: "c", priority: 0 }),
    ],
  });
  for (const k of ["a1", "a2", "b"]) fake.setKeyFault(k, { status: 502 });
  const res = await chat(h, s.key, ask);
  assertEquals(res.status, 200);
  const seen = keysSeen(fake);
  assertEquals(seen.length, 4);
  assertEquals(new Set(seen.slice(0, 2)), new Set(["a1", "a2"]));
  assertEquals(seen.slice(2), ["b", "c"]);

  // Every channel failing: each is tried once, the client gets the last failure.
  fake.reset();
  for (const k of ["a1", "a2", "b", "c"]) fake.setKeyFault(k, { status: 502 });
  const all = await chat(h, s.key, ask);
  assertEquals(all.status, 502);
  assertEquals(keysSeen(fake).length, 4);
  assertEquals(new Set(keysSeen(fake)).size, 4);
  await settled(h);
});

appTest(
  "a multi-key channel disables only the failing key, then the channel; keys recover one by one",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      options: { AutomaticDisableChannelEnabled: "true", AutomaticEnableChannelEnabled: "true" },
      channels: [fakeChannel(fake.url, {
        name: "multi",
        key: "mk-0\nmk-1",
        channelInfo: JSON.stringify({
          is_multi_key: true,
          multi_key_size: 2,
          multi_key_status_list: {},
          multi_key_mode: "polling",
        }),
      })],
    });
    const id = s.channelIds[0];
    fake.setKeyFault("mk-0", { status: 401 });
    fake.setKeyFault("mk-1", { status: 401 });
    assertEquals((await chat(h, s.key, ask)).status, 401);
    let ch = await getChannel(h.deps.db, id);
    assertEquals(ch!.status, 1, "one key left: the channel stays enabled");
    const failed = keysSeen(fake)[0];
    assertEquals(JSON.parse(ch!.channelInfo).multi_key_status_list, { [failed === "mk-0" ? 0 : 1]: 3 });

    assertEquals((await chat(h, s.key, ask)).status, 401);
    assertEquals(keysSeen(fake).length, 2);
    assertEquals(new Set(keysSeen(fake)).size, 2, "the disabled key is not used again");
    ch = await getChannel(h.deps.db, id);
    assertEquals(ch!.status, 3, "no key left: the channel is auto-disabled");

    // One key is fixed: its own test brings it (and the channel) back; the other stays out.
    fake.setKeyFault("mk-1", undefined);
    await testAllChannels(h.deps);
    ch = await getChannel(h.deps.db, id);
    assertEquals(ch!.status, 1);
    assertEquals(JSON.parse(ch!.channelInfo).multi_key_status_list, { 0: 3 });
    fake.reset();
    fake.setKeyFault("mk-0", { status: 401 });
    assertEquals((await chat(h, s.key, ask)).status, 200);
    assertEquals(keysSeen(fake), ["mk-1"]);
  },
);

appTest("an upstream that never answers times out at RELAY_FIRST_BYTE_TIMEOUT and fails over", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await twoTiers(h, fake);
  fake.setKeyFault("key-a", { hang: true });
  const before = await userQuota(h, s.userId);
  const started = performance.now();
  const res = await chat(h, s.key, ask);
  const took = performance.now() - started;
  assertEquals(res.status, 200);
  assert(took > 900 && took < 3000, `answered after ${Math.round(took)} ms`);
  assertEquals(keysSeen(fake), ["key-a", "key-b"]);
  await fake.requests[0].waitForClientClose(1000);
  await settled(h);
  assert(await userQuota(h, s.userId) < before);
  assertEquals((await consumeRows(h)).n, 1);
}, { RELAY_FIRST_BYTE_TIMEOUT: "1" });

appTest(
  "when every channel refuses connections the client gets a 502 quickly and nothing is held",
  async (h) => {
    const s = await relaySetup(h, {
      options: { RetryTimes: "2" },
      channels: [
        fakeChannel("http://127.0.0.1:9", { key: "a" }),
        fakeChannel("http://127.0.0.1:9", { key: "b" }),
      ],
    });
    const before = await userQuota(h, s.userId);
    const started = performance.now();
    const res = await chat(h, s.key, ask);
    assertEquals(res.status, 502);
    assertEquals((await res.json()).error.code, "upstream_unreachable");
    assert(performance.now() - started < 2000);
    await settled(h);
    assertEquals(await userQuota(h, s.userId), before);
  },
);
