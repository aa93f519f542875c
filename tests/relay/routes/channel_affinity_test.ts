/**
 * Channel affinity through the relay (New API's `channel_affinity_setting`): a session stays on the
 * channel that answered for it, even over a higher-priority one; a 429 or 5xx still moves it on
 * (`skip_retry_on_failure` only holds it for failures another channel would not cure) and the session then
 * follows the channel that answered; a disabled channel's binding is dropped; the decision is in the log
 * row; with REDIS_CONN_STRING the bindings live in Redis, shared by every instance.
 */
import { type AppHarness, buildHarness, sqliteAppTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { type FakeUpstream, startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled } from "../../support/relay.ts";
import { sqliteFixture } from "../../support/stores.ts";
import { countRedisKeys, dropRedisPrefix, redisServerUrl, testRedisPrefix } from "../../support/redis.ts";
import { queryOne } from "../../../store/db.ts";
import { updateChannel } from "../../../store/channels.ts";
import { saveOptions } from "../../../store/options.ts";
import { optionRegistry } from "../../../options/index.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
const keysSeen = (fake: FakeUpstream) => fake.requests.map((r) => r.headers.get("authorization")?.slice(7));
const session = (id: string) => ({ "x-session-id": id });

function rule(extra: Record<string, unknown> = {}) {
  return JSON.stringify([{
    name: "by header",
    model_regex: ["^gpt-"],
    path_regex: ["/v1/chat/completions"],
    key_sources: [{ type: "request_header", key: "X-Session-Id" }],
    include_rule_name: true,
    ...extra,
  }]);
}

async function setup(h: AppHarness, fake: FakeUpstream, options: Record<string, string> = {}) {
  return await relaySetup(h, {
    options: {
      RetryTimes: "3",
      "channel_affinity_setting.enabled": "true",
      "channel_affinity_setting.rules": rule(),
      ...options,
    },
    channels: [
      fakeChannel(fake.url, { name: "A", key: "key-a", priority: 10 }),
      fakeChannel(fake.url, { name: "B", key: "key-b", priority: 0 }),
    ],
  });
}

async function lastAdminInfo(h: AppHarness): Promise<Record<string, unknown>> {
  await settled(h);
  const row = await queryOne(h.deps.db, "SELECT other FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1");
  return JSON.parse(String(row!.other)).admin_info;
}

sqliteAppTest(
  "a 429 on the session's channel fails over, and the session follows the channel that answered",
  async (h) => {
    await using fake = await startFakeUpstream();
    const { key: sk, channelIds: s } = await setup(h, fake, {
      "channel_affinity_setting.rules": rule({ skip_retry_on_failure: true }),
    });
    // First request: highest priority, A. The session is now bound to A.
    assertEquals((await chat(h, sk, ask, session("s1"))).status, 200);
    assertEquals(keysSeen(fake), ["key-a"]);
    // A rate-limits: skip_retry_on_failure does not hold the request there; B answers.
    fake.reset();
    fake.setKeyFault("key-a", { status: 429 });
    assertEquals((await chat(h, sk, ask, session("s1"))).status, 200);
    assertEquals(keysSeen(fake), ["key-a", "key-b"]);
    const info = await lastAdminInfo(h);
    const note = info.channel_affinity as Record<string, unknown>;
    assertEquals(note.hit, true);
    assertEquals(note.failed_over, true);
    assertEquals(note.remembered_channel_id, s[0]);
    assertEquals(note.channel_id, s[1]);
    assertEquals(note.key_hint, "s1");
    // A is healthy again, and higher priority, but the session stays on B where its cache is warm.
    fake.reset();
    fake.setKeyFault("key-a", undefined);
    for (let i = 0; i < 3; i++) assertEquals((await chat(h, sk, ask, session("s1"))).status, 200);
    assertEquals(keysSeen(fake), ["key-b", "key-b", "key-b"]);
    assertEquals(((await lastAdminInfo(h)).channel_affinity as Record<string, unknown>).hit, true);
    // Another session and a request without one take the normal route.
    fake.reset();
    await chat(h, sk, ask, session("s2"));
    await chat(h, sk, ask);
    assertEquals(keysSeen(fake), ["key-a", "key-a"]);
    assert(!("channel_affinity" in await lastAdminInfo(h)), "no rule applied: no note");
  },
);

for (const status of [500, 503]) {
  sqliteAppTest(`a ${status} moves a session with skip_retry_on_failure on as well`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await setup(h, fake, {
      "channel_affinity_setting.rules": rule({ skip_retry_on_failure: true }),
    });
    await chat(h, s.key, ask, session("x"));
    fake.reset();
    fake.setKeyFault("key-a", { status });
    assertEquals((await chat(h, s.key, ask, session("x"))).status, 200);
    assertEquals(keysSeen(fake), ["key-a", "key-b"]);
  });
}

sqliteAppTest(
  "skip_retry_on_failure holds the session on a failure another channel would not cure (403)",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await setup(h, fake, {
      "channel_affinity_setting.rules": rule({ skip_retry_on_failure: true }),
    });
    await chat(h, s.key, ask, session("x"));
    fake.reset();
    fake.setKeyFault("key-a", { status: 403 });
    assertEquals((await chat(h, s.key, ask, session("x"))).status, 403);
    assertEquals(keysSeen(fake), ["key-a"]);
    // Without the flag a 403 (retryable by New API's default codes) moves on.
    fake.reset();
    fake.setKeyFault("key-a", { status: 403 });
    await saveOptions(h.deps.db, { "channel_affinity_setting.rules": rule() });
    await h.deps.cache.publish({ kind: "options" });
    assertEquals((await chat(h, s.key, ask, session("x"))).status, 200);
    assertEquals(keysSeen(fake), ["key-a", "key-b"]);
  },
);

sqliteAppTest(
  "a disabled channel's binding is dropped; keep_on_channel_disabled keeps it for its return",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await setup(h, fake);
    await chat(h, s.key, ask, session("d"));
    await updateChannel(h.deps.db, "c".repeat(32), s.channelIds[0], { status: 2 });
    await h.deps.cache.publish({ kind: "channel", id: s.channelIds[0] });
    fake.reset();
    assertEquals((await chat(h, s.key, ask, session("d"))).status, 200);
    assertEquals(keysSeen(fake), ["key-b"]);
    const note = (await lastAdminInfo(h)).channel_affinity as Record<string, unknown>;
    assertEquals(note.skipped, "unavailable");
    assertEquals(note.hit, false);
    // Re-enabled: the session moved to B and stays there (its binding now names B).
    await updateChannel(h.deps.db, "c".repeat(32), s.channelIds[0], { status: 1 });
    await h.deps.cache.publish({ kind: "channel", id: s.channelIds[0] });
    fake.reset();
    await chat(h, s.key, ask, session("d"));
    assertEquals(keysSeen(fake), ["key-b"]);

    // keep_on_channel_disabled: session "k" on A survives A's pause, served by B meanwhile, then back on A.
    await saveOptions(h.deps.db, {
      "channel_affinity_setting.keep_on_channel_disabled": "true",
      "channel_affinity_setting.switch_on_success": "false",
    });
    await h.deps.cache.publish({ kind: "options" });
    fake.reset();
    await chat(h, s.key, ask, session("k"));
    await updateChannel(h.deps.db, "c".repeat(32), s.channelIds[0], { status: 3 });
    await h.deps.cache.publish({ kind: "channel", id: s.channelIds[0] });
    await chat(h, s.key, ask, session("k"));
    await updateChannel(h.deps.db, "c".repeat(32), s.channelIds[0], { status: 1 });
    await h.deps.cache.publish({ kind: "channel", id: s.channelIds[0] });
    await chat(h, s.key, ask, session("k"));
    assertEquals(keysSeen(fake), ["key-a", "key-b", "key-a"]);
  },
);

sqliteAppTest("affinity off (New API's default here) leaves routing alone", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await setup(h, fake, { "channel_affinity_setting.enabled": "false" });
  await chat(h, s.key, ask, session("x"));
  fake.reset();
  fake.setKeyFault("key-a", { status: 429 });
  await chat(h, s.key, ask, session("x"));
  fake.reset();
  fake.setKeyFault("key-a", undefined);
  await chat(h, s.key, ask, session("x"));
  assertEquals(keysSeen(fake), ["key-a"], "priority decides, no memory of B");
});

Deno.test("a rules list New API would not read is refused when saved", () => {
  const def = optionRegistry.get("channel_affinity_setting.rules")!;
  assertEquals(def.validate!(rule()), undefined);
  assert(def.validate!(JSON.stringify([{ name: "x", key_sources: [{ type: "cookie" }] }])));
  assert(def.validate!("{not json"));
  assertEquals(optionRegistry.get("channel_affinity_setting.enabled")!.implemented, undefined, "acted on");
});

if (redisServerUrl) {
  const prefix = testRedisPrefix();
  sqliteAppTest(
    "with Redis the bindings live in Redis, so every instance routes a session alike",
    async (h) => {
      try {
        await using fake = await startFakeUpstream();
        const s = await setup(h, fake);
        await chat(h, s.key, ask, session("r1"));
        fake.reset();
        fake.setKeyFault("key-a", { status: 429 });
        await chat(h, s.key, ask, session("r1"));
        // A second instance on the same Redis sends the session to B at once.
        await sqliteFixture(async (store) => {
          const other = await buildHarness(store, {
            REDIS_CONN_STRING: redisServerUrl!,
            REDIS_KEY_PREFIX: prefix,
          });
          try {
            fake.reset();
            const s2 = await setup(other, fake);
            // Same channel ids in the second store (both fresh): the binding names B.
            assertEquals(s2.channelIds, s.channelIds);
            assertEquals((await chat(other, s2.key, ask, session("r1"))).status, 200);
            assertEquals(keysSeen(fake), ["key-b"]);
          } finally {
            await other.close();
          }
        });
        assert(await countRedisKeys(`${prefix}channel_affinity`) >= 1, "the binding is a Redis key");
      } finally {
        await dropRedisPrefix(prefix);
      }
    },
    { REDIS_CONN_STRING: redisServerUrl, REDIS_KEY_PREFIX: prefix },
  );
}
