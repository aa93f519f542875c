/**
 * Channel balances (New API's `/api/channel/update_balance[/:id]` and CHANNEL_UPDATE_FREQUENCY) against a
 * real fake of each provider's account endpoint, on every store: the USD balance is stored in
 * `channels.balance` with `balance_updated_time` and answered at the top level; Moonshot's CNY is divided by
 * `Price`; multi-key and unsupported channels are refused; an upstream refusal stores nothing and never shows
 * the upstream's text; the scheduled run disables a used-up channel unless its auto-ban is off.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { startFakeAccounts } from "../../fake_upstream/accounts.ts";
import { insertChannel } from "../../../store/channels.ts";
import { testSecrets } from "../../support/stores.ts";
import { saveOptions } from "../../../store/options.ts";
import { asInt, queryOne } from "../../../store/db.ts";
import { channelBalanceJob } from "../../../relay/health/channel_balance.ts";

const KEY = "sk-account-key-0123456789";

async function channel(h: AppHarness, type: number, baseUrl: string, fields: Record<string, unknown> = {}) {
  const id = await insertChannel(h.deps.db, testSecrets.cryptoSecret, {
    type,
    name: `t${type}`,
    key: KEY,
    baseUrl,
    models: "gpt-4o-mini",
    group: "default",
    ...fields,
  });
  await h.deps.cache.publish({ kind: "channel", id });
  return id;
}

async function stored(h: AppHarness, id: number) {
  const row = await queryOne(
    h.deps.db,
    "SELECT balance, balance_updated_time, status FROM channels WHERE id = ?",
    [
      id,
    ],
  );
  return { balance: Number(row!.balance), at: asInt(row!.balance_updated_time), status: asInt(row!.status) };
}

appTest("each provider's balance is read, stored and answered in USD", async (h) => {
  const { admin, alice } = await cast(h);
  await saveOptions(h.deps.db, { Price: "7.3" });
  await h.deps.cache.publish({ kind: "options" });
  await using openai = startFakeAccounts({ key: KEY, balance: 120, usedUsd: 20.5 });
  await using cny = startFakeAccounts({ key: KEY, balance: 73 });
  await using usd = startFakeAccounts({ key: KEY, balance: 42.25 });
  const cases: [type: number, base: string, expected: number][] = [
    [1, openai.url, 99.5], // OpenAI: hard limit − this month's usage
    [8, openai.url, 99.5], // Custom
    [20, `${usd.url}`, 42.25], // OpenRouter: credits − usage
    [43, cny.url, 73], // DeepSeek: the CNY balance, as New API reads it
    [40, cny.url, 73], // SiliconFlow
    [25, cny.url, 10], // Moonshot: 73 CNY / Price 7.3
    [10, usd.url, 42.25], // AIProxy (Api-Key header)
    [12, usd.url, 42.25], // API2GPT
    [13, usd.url, 42.25], // AIGC2D
  ];
  const before = Math.floor(Date.now() / 1000);
  for (const [type, base, expected] of cases) {
    const id = await channel(h, type, base);
    const res = await admin.call("GET", `/api/channel/update_balance/${id}`);
    assertEquals(res.status, 200, `type ${type}: ${res.text}`);
    assertEquals(res.body, { success: true, message: "", balance: expected }, `type ${type}`);
    const row = await stored(h, id);
    assertEquals(row.balance, expected, `type ${type} stored`);
    assert(row.at >= before, `type ${type} balance_updated_time`);
    // The catalog serves the new balance to the channel list at once.
    assertEquals(h.deps.catalog.channel(id)!.balance, expected);
  }
  const usage = openai.paths.find((p) => p.startsWith("/v1/dashboard/billing/usage"))!;
  const month = new Date().toISOString().slice(0, 7);
  assert(usage.includes(`start_date=${month}-01`), usage);
  assertEquals((await alice.call("GET", `/api/channel/update_balance/1`)).status, 403);
});

appTest("refusals: multi-key, unsupported types, a failing upstream", async (h) => {
  const { admin } = await cast(h);
  await using fake = startFakeAccounts({ key: "sk-another-key-000000000", balance: 5 });
  const multi = await channel(h, 1, fake.url, {
    key: `${KEY}\n${KEY}2`,
    channelInfo: JSON.stringify({ is_multi_key: true, multi_key_size: 2 }),
  });
  const r1 = await admin.call("GET", `/api/channel/update_balance/${multi}`);
  assertEquals([r1.status, r1.body.success], [400, false]);
  assert(r1.body.message.length > 0);
  const claude = await channel(h, 14, fake.url);
  const r2 = await admin.call("GET", `/api/channel/update_balance/${claude}`);
  assertEquals([r2.status, r2.body.success], [400, false]);
  // The fake refuses this key with a 401 that echoes it: nothing stored, the echo never shown.
  const refused = await channel(h, 43, fake.url, { balance: 7 });
  const r3 = await admin.call("GET", `/api/channel/update_balance/${refused}`);
  assertEquals([r3.status, r3.body.success], [502, false]);
  assert(!r3.text.includes(KEY.slice(3)), "the upstream's echo of the key stays out");
  assertEquals((await stored(h, refused)).balance, 7);
  assertEquals((await admin.call("GET", "/api/channel/update_balance/99999")).status, 404);
});

appTest(
  "the scheduled run updates every channel and disables used-up ones (not with auto-ban off)",
  async (h) => {
    const { admin } = await cast(h);
    await using rich = startFakeAccounts({ key: KEY, balance: 3 });
    await using empty = startFakeAccounts({ key: KEY, balance: 0 });
    const ok = await channel(h, 43, rich.url);
    const usedUp = await channel(h, 43, empty.url);
    const keep = await channel(h, 20, empty.url, { autoBan: 0 });
    const unsupported = await channel(h, 14, rich.url);

    // The route updates all and disables nothing (New API's manual run).
    const all = await admin.call("GET", "/api/channel/update_balance");
    assertEquals(all.body, { success: true, message: "", data: { updated: 3, failed: 0, disabled: 0 } });
    assertEquals((await stored(h, usedUp)).status, 1);

    // CHANNEL_UPDATE_FREQUENCY off: the job does nothing.
    rich.setBalance(4);
    const off = channelBalanceJob(h.deps, 1000, 0);
    await off.run();
    assertEquals((await stored(h, ok)).balance, 3);

    (h.deps.config as { channelUpdateFrequencyMinutes: number }).channelUpdateFrequencyMinutes = 1;
    await channelBalanceJob(h.deps, 1000, 0).run();
    assertEquals((await stored(h, ok)).balance, 4);
    assertEquals((await stored(h, ok)).status, 1);
    assertEquals((await stored(h, usedUp)).status, 3, "used up: auto-disabled");
    assertEquals((await stored(h, keep)).status, 1, "auto-ban off: kept");
    assertEquals((await stored(h, unsupported)).balance, 0);
    const reason = await queryOne(h.deps.db, "SELECT other_info FROM channels WHERE id = ?", [usedUp]);
    assert(String(reason!.other_info).includes("balance"), String(reason!.other_info));
  },
);
