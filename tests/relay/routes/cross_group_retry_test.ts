/**
 * Tokens of group "auto" and New API's cross-group retry: the first of `AutoGroups` (those the user may
 * use) that serves the model routes and prices the request; with the token's `cross_group_retry`, a
 * request whose channels in that group all failed moves to the next group and is charged at that group's
 * ratio (the hold grows first; a wallet that cannot cover it keeps the request from moving); without it,
 * the request stays in its group.
 */
import { type AppHarness, sqliteAppTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { type FakeUpstream, startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokens: 40 };
const keysSeen = (fake: FakeUpstream) => fake.requests.map((r) => r.headers.get("authorization")?.slice(7));

async function setup(h: AppHarness, fake: FakeUpstream, crossGroupRetry: boolean, quota = 1_000_000) {
  return await relaySetup(h, {
    userQuota: quota,
    options: {
      RetryTimes: "2",
      AutoGroups: JSON.stringify(["cheap", "premium", "closed"]),
      GroupRatio: JSON.stringify({ default: 1, cheap: 1, premium: 3, closed: 1 }),
      UserUsableGroups: JSON.stringify({ default: "", auto: "", cheap: "", premium: "" }),
    },
    token: { group: "auto", crossGroupRetry, unlimitedQuota: true },
    channels: [
      fakeChannel(fake.url, { name: "closed", key: "key-x", group: "closed", priority: 99 }),
      fakeChannel(fake.url, { name: "C", key: "key-c", group: "cheap" }),
      fakeChannel(fake.url, { name: "P", key: "key-p", group: "premium" }),
    ],
  });
}

async function lastRow(h: AppHarness) {
  await settled(h);
  const row = await queryOne(
    h.deps.db,
    'SELECT quota, "group", other FROM logs WHERE type = 2 ORDER BY id DESC',
  );
  return { quota: asInt(row!.quota), group: String(row!.group), other: JSON.parse(String(row!.other)) };
}

sqliteAppTest(
  "auto routes through the first usable auto group; cross-group retry moves on at its ratio",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await setup(h, fake, true);
    const res = await chat(h, s.key, ask);
    assertEquals(res.status, 200);
    const usage = (await res.json()).usage;
    const base = usage.prompt_tokens + 2 * usage.completion_tokens;
    assertEquals(keysSeen(fake), ["key-c"], "not the closed group, which the user may not use");
    const cheap = await lastRow(h);
    assertEquals([cheap.group, cheap.quota], ["cheap", base]);

    fake.reset();
    fake.setKeyFault("key-c", { status: 500 });
    const before = await userQuota(h, s.userId);
    assertEquals((await chat(h, s.key, ask)).status, 200);
    assertEquals(keysSeen(fake), ["key-c", "key-p"]);
    const premium = await lastRow(h);
    assertEquals(premium.group, "premium");
    assertEquals(premium.quota, 3 * base, "charged at the group that answered");
    assertEquals(premium.other.group_ratio, 3);
    assertEquals(premium.other.admin_info.cross_group_retry, { from: "cheap", to: "premium" });
    assertEquals(await userQuota(h, s.userId), before - 3 * base);
  },
);

sqliteAppTest("without cross_group_retry a request stays in its auto group", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await setup(h, fake, false);
  fake.setKeyFault("key-c", { status: 500 });
  assertEquals((await chat(h, s.key, ask)).status, 500);
  assertEquals(keysSeen(fake), ["key-c"]);
});

sqliteAppTest(
  "a wallet that covers the cheap group's hold but not the premium one's keeps the request put",
  async (h) => {
    await using fake = await startFakeUpstream();
    // The hold is about prompt + 40 × 2 in the cheap group: 150 covers it, not three times it.
    const s = await setup(h, fake, true, 150);
    fake.setKeyFault("key-c", { status: 500 });
    assertEquals((await chat(h, s.key, ask)).status, 500);
    assertEquals(keysSeen(fake), ["key-c"]);
    await settled(h);
    assertEquals(await userQuota(h, s.userId), 150, "nothing charged, the hold released");
  },
);
