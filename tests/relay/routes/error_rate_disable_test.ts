/**
 * "Disable after X errors in N requests" (`channel_error_rate_setting.*`, ours): a channel whose last N
 * attempts hold X upstream failures is auto-disabled even though no single failure names a disable rule;
 * errors spread thinner than that, the caller's 400s and auto_ban 0 channels disable nothing; on a
 * multi-key channel only the failing key goes; the recovery probe brings a channel back.
 */
import { type AppHarness, sqliteAppTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { type FakeUpstream, startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup } from "../../support/relay.ts";
import { getChannel } from "../../../store/channels.ts";
import { recoverKeys } from "../../../relay/health/key_recovery.ts";
import { ErrorWindow } from "../../../relay/health/error_window.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
const options = {
  RetryTimes: "1",
  "channel_error_rate_setting.enabled": "true",
  "channel_error_rate_setting.errors": "3",
  "channel_error_rate_setting.requests": "5",
};

async function twoChannels(h: AppHarness, fake: FakeUpstream, a: Record<string, unknown> = {}) {
  return await relaySetup(h, {
    options,
    channels: [
      fakeChannel(fake.url, { name: "A", key: "key-a", priority: 10, ...a }),
      fakeChannel(fake.url, { name: "B", key: "key-b", priority: 0 }),
    ],
  });
}

/** One request per outcome of A: "ok", or a status A answers with (B answers after a failure). */
async function run(h: AppHarness, fake: FakeUpstream, key: string, outcomes: (number | "ok")[]) {
  for (const o of outcomes) {
    fake.setKeyFault("key-a", o === "ok" ? undefined : { status: o });
    assertEquals((await chat(h, key, ask)).status, o === 400 ? 400 : 200);
  }
  fake.setKeyFault("key-a", undefined);
}

sqliteAppTest(
  "3 failures among A's last 5 requests disable A; the reason says so; the probe brings it back",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await twoChannels(h, fake);
    await run(h, fake, s.key, ["ok", 500, "ok", 429]);
    assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1, "2 of 4: still in");
    await run(h, fake, s.key, [502]);
    const a = await getChannel(h.deps.db, s.channelIds[0]);
    assertEquals(a!.status, 3, "3 of the last 5");
    assert(JSON.parse(a!.otherInfo).status_reason.startsWith("3 errors in the last 5 requests"));
    fake.reset();
    assertEquals((await chat(h, s.key, ask)).status, 200);
    assertEquals(fake.requests.map((r) => r.headers.get("authorization")), ["Bearer key-b"]);
    // The recovery probe (AutomaticEnableChannelEnabled) re-enables the single-key channel.
    await h.deps.db.exec("INSERT INTO options (key, value) VALUES ('AutomaticEnableChannelEnabled', 'true')");
    await h.deps.cache.publish({ kind: "options" });
    assertEquals(await recoverKeys(h.deps, 0, new Map()), { probed: 1, enabled: 1 });
    assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1);
  },
);

sqliteAppTest(
  "errors spread thinner than 3 in 5, the caller's 400s and auto_ban 0 disable nothing",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await twoChannels(h, fake);
    await run(h, fake, s.key, [500, "ok", "ok", "ok", 500, "ok", "ok", "ok", 500, 400, 400, 400]);
    assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1);
    await using fake2 = await startFakeUpstream();
    const t = await relaySetup(h, {
      options,
      username: "other",
      channels: [
        fakeChannel(fake2.url, { name: "C", key: "key-a", priority: 20, autoBan: 0 }),
        fakeChannel(fake2.url, { name: "D", key: "key-b", priority: 0 }),
      ],
    });
    await run(h, fake2, t.key, [500, 500, 500, 500]);
    assertEquals((await getChannel(h.deps.db, t.channelIds[0]))!.status, 1, "auto_ban 0 is exempt");
  },
);

sqliteAppTest("on a multi-key channel only the key with the errors is taken out", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: { ...options, RetryTimes: "3" },
    channels: [fakeChannel(fake.url, {
      key: "mk-0\nmk-1",
      channelInfo: JSON.stringify({
        is_multi_key: true,
        multi_key_size: 2,
        multi_key_status_list: {},
        multi_key_mode: "polling",
      }),
    })],
  });
  fake.setKeyFault("mk-1", { status: 503 });
  for (let i = 0; i < 6; i++) assertEquals((await chat(h, s.key, ask)).status, 200, "mk-0 answers");
  const ch = await getChannel(h.deps.db, s.channelIds[0]);
  assertEquals(ch!.status, 1);
  assertEquals(JSON.parse(ch!.channelInfo).multi_key_status_list, { 1: 3 });
});

Deno.test("the window counts the last N outcomes only and starts over once it trips", () => {
  const w = new ErrorWindow();
  const rec = (failed: boolean) => w.record(1, -1, failed, 2, 3);
  assertEquals([rec(true), rec(false), rec(false), rec(true)], [false, false, false, false]);
  assertEquals(w.errors(1, -1), 1, "the first failure left the window");
  assertEquals(rec(true), true);
  assertEquals(w.errors(1, -1), 0);
  assertEquals(w.record(1, -1, true, 0, 3), false, "0 errors: off");
});
