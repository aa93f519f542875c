/**
 * Multi-key channels and sessions: a session keeps the key it used last (its prompt cache lives with
 * that upstream account) while it works; a 429 on that key moves the request to another key of the same
 * channel and the session follows it; auto-disabled keys are probed on their own schedule and come back
 * (and bring their channel back) when the probe passes, while keys disabled by hand stay out.
 */
import { type AppHarness, sqliteAppTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { type FakeUpstream, startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled } from "../../support/relay.ts";
import { getChannel } from "../../../store/channels.ts";
import { queryOne } from "../../../store/db.ts";
import { type ProbeSchedule, recoverKeys } from "../../../relay/health/key_recovery.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
const keysSeen = (fake: FakeUpstream) => fake.requests.map((r) => r.headers.get("authorization")?.slice(7));
const session = (id: string) => ({ "x-session-id": id });
const rules = JSON.stringify([{
  name: "s",
  model_regex: ["^gpt-"],
  key_sources: [{ type: "request_header", key: "X-Session-Id" }],
}]);

function multiKey(url: string, keys: string[], status: Record<number, number> = {}, times = {}) {
  return fakeChannel(url, {
    name: "multi",
    key: keys.join("\n"),
    channelInfo: JSON.stringify({
      is_multi_key: true,
      multi_key_size: keys.length,
      multi_key_status_list: status,
      multi_key_disabled_time: times,
      multi_key_mode: "random",
    }),
  });
}

async function setup(h: AppHarness, fake: FakeUpstream) {
  return await relaySetup(h, {
    options: {
      RetryTimes: "3",
      "channel_affinity_setting.enabled": "true",
      "channel_affinity_setting.rules": rules,
    },
    channels: [multiKey(fake.url, ["mk-0", "mk-1", "mk-2", "mk-3"])],
  });
}

sqliteAppTest(
  "a session keeps its key in a random multi-key channel; requests without one spread",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await setup(h, fake);
    for (let i = 0; i < 8; i++) assertEquals((await chat(h, s.key, ask, session("a"))).status, 200);
    assertEquals(new Set(keysSeen(fake)).size, 1, `one key for the session: ${keysSeen(fake)}`);
    await settled(h);
    const row = await queryOne(h.deps.db, "SELECT other FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1");
    const note = JSON.parse(String(row!.other)).admin_info.channel_affinity;
    assertEquals(note.multi_key_index, Number(keysSeen(fake)[0]!.slice(3)));
    assertEquals(note.hit, true);
    fake.reset();
    for (let i = 0; i < 16; i++) await chat(h, s.key, ask);
    assert(new Set(keysSeen(fake)).size > 1, "without a session the keys are picked at random");
  },
);

sqliteAppTest(
  "a 429 on the session's key retries another key of the same channel; the session follows",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await setup(h, fake);
    await chat(h, s.key, ask, session("b"));
    const first = keysSeen(fake)[0]!;
    fake.reset();
    fake.setKeyFault(first, { status: 429 });
    assertEquals((await chat(h, s.key, ask, session("b"))).status, 200, "the only channel, another key");
    const [failed, moved] = keysSeen(fake);
    assertEquals(failed, first);
    assert(moved && moved !== first);
    fake.reset();
    for (let i = 0; i < 3; i++) await chat(h, s.key, ask, session("b"));
    assertEquals(keysSeen(fake), [moved, moved, moved], "the session stays on the key that answered");
    // Every key rate-limited: each is tried once (RetryTimes 3 = four attempts), then the 429 is answered.
    fake.reset();
    for (const k of ["mk-0", "mk-1", "mk-2", "mk-3"]) fake.setKeyFault(k, { status: 429 });
    assertEquals((await chat(h, s.key, ask, session("b"))).status, 429);
    assertEquals(new Set(keysSeen(fake)).size, 4);
    assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1, "429s disable nothing");
  },
);

sqliteAppTest(
  "auto-disabled keys are probed after KEY_RECOVERY_MINUTES and come back; manual ones stay out",
  async (h) => {
    await using fake = await startFakeUpstream();
    const disabledAt = Math.floor(Date.now() / 1000) - 120;
    const s = await relaySetup(h, {
      options: { AutomaticEnableChannelEnabled: "true" },
      channels: [
        multiKey(fake.url, ["k-0", "k-1", "k-2"], { 0: 3, 1: 3, 2: 2 }, {
          0: disabledAt,
          1: disabledAt,
          2: disabledAt,
        }),
      ],
    });
    const id = s.channelIds[0];
    // Every key out: mark the channel auto-disabled as channel_state.ts would have.
    await h.deps.db.exec("UPDATE channels SET status = 3 WHERE id = ?", [id]);
    await h.deps.cache.publish({ kind: "channel", id });
    const schedule: ProbeSchedule = new Map();
    const now = Date.now();
    // Not due yet with a 5-minute wait (disabled 2 minutes ago).
    assertEquals(await recoverKeys(h.deps, 300_000, schedule, now), { probed: 0, enabled: 0 });
    // Due with a 1-minute wait: k-0 still fails, k-1 passes; k-2 (disabled by hand) is never probed.
    fake.setKeyFault("k-0", { status: 429 });
    const r = await recoverKeys(h.deps, 60_000, new Map(), now);
    assertEquals(r, { probed: 2, enabled: 1 });
    assertEquals(new Set(keysSeen(fake)), new Set(["k-0", "k-1"]));
    let ch = await getChannel(h.deps.db, id);
    assertEquals(ch!.status, 1, "a key came back: so did the channel");
    assertEquals(JSON.parse(ch!.channelInfo).multi_key_status_list, { 0: 3, 2: 2 });
    // The failed key waits twice as long before its next probe, then recovers once the upstream does.
    const backoff: ProbeSchedule = new Map([["x", { at: 0, waitMs: 0 }]]);
    fake.reset();
    fake.setKeyFault("k-0", { status: 429 });
    assertEquals((await recoverKeys(h.deps, 60_000, backoff, now)).probed, 1);
    assertEquals(backoff.get(`${id}:0`), { at: now + 120_000, waitMs: 120_000 });
    assert(!backoff.has("x"), "keys no longer disabled are forgotten");
    fake.setKeyFault("k-0", undefined);
    assertEquals((await recoverKeys(h.deps, 60_000, backoff, now + 60_000)).probed, 0, "not due yet");
    assertEquals(await recoverKeys(h.deps, 60_000, backoff, now + 120_000), { probed: 1, enabled: 1 });
    ch = await getChannel(h.deps.db, id);
    assertEquals(JSON.parse(ch!.channelInfo).multi_key_status_list, { 2: 2 });
    // Without AutomaticEnableChannelEnabled nothing is probed.
    await h.deps.db.exec("UPDATE options SET value = 'false' WHERE key = 'AutomaticEnableChannelEnabled'");
    await h.deps.cache.publish({ kind: "options" });
    fake.reset();
    assertEquals(await recoverKeys(h.deps, 0, new Map(), now), { probed: 0, enabled: 0 });
  },
);
