/**
 * Multi-key channels through `POST /api/channel/multi_key/manage` on both stores: key states with counts
 * and paging (never the keys), enabling and disabling that the relay obeys at once, deletions that
 * renumber the state, the refusals; and `GET /api/channel/fetch_models/:id` against the fake upstream.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { type ApiClient, cast } from "../../support/console_client.ts";
import { chat, fakeChannel, relaySetup } from "../../support/relay.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { insertChannel } from "../../../store/channels.ts";
import { testSecrets } from "../../support/stores.ts";
import { keyPreview } from "../../../store/channel_keys.ts";

const KEYS = ["sk-upstream-key-aaaa0001", "sk-upstream-key-bbbb0002", "sk-upstream-key-cccc0003"];

const manage = (admin: ApiClient, channel_id: number, action: string, extra: Record<string, unknown> = {}) =>
  admin.call("POST", "/api/channel/multi_key/manage", { channel_id, action, ...extra });

appTest("key states: counts, previews, paging and filters; the keys themselves never leave", async (h) => {
  const { admin, alice } = await cast(h);
  const created = await admin.call("POST", "/api/channel/", {
    mode: "multi_to_single",
    multi_key_mode: "polling",
    channel: { type: 1, name: "pool", key: KEYS.join("\n"), models: "gpt-4o-mini" },
  });
  const [id] = created.body.data.ids;
  assertEquals((await manage(admin, id, "disable_key", { key_index: 2 })).body.data, { changed: 1 });
  const all = await manage(admin, id, "get_key_status", { page_size: 2 });
  assertEquals(all.body.data.keys.map((k: { index: number; status: number }) => [k.index, k.status]), [
    [0, 1],
    [1, 1],
  ]);
  assertEquals(
    [
      all.body.data.total,
      all.body.data.total_pages,
      all.body.data.enabled_count,
      all.body.data.manual_disabled_count,
    ],
    [3, 2, 2, 1],
  );
  assertEquals(all.body.data.keys[0].key_preview, keyPreview(KEYS[0]));
  for (const key of KEYS) assert(!all.text.includes(key.slice(3)), "no key in the answer");
  const disabled = await manage(admin, id, "get_key_status", { status: 2 });
  assertEquals(disabled.body.data.keys.length, 1);
  assertEquals(disabled.body.data.keys[0].index, 2);
  assert(disabled.body.data.keys[0].disabled_time > 0);
  assertEquals((await manage(alice, id, "get_key_status")).status, 403);
});

appTest(
  "the relay uses only enabled keys; enabling one back restores an auto-disabled channel",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      channels: [fakeChannel(fake.url, {
        key: KEYS.join("\n"),
        channelInfo: JSON.stringify({ is_multi_key: true, multi_key_size: 3, multi_key_mode: "polling" }),
      })],
    });
    const { admin } = await cast(h);
    const [id] = s.channelIds;
    await manage(admin, id, "disable_key", { key_index: 0 });
    await manage(admin, id, "disable_key", { key_index: 1 });
    fake.reset();
    for (let i = 0; i < 3; i++) {
      const res = await chat(h, s.key, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
    assertEquals(
      [...new Set(fake.requests.map((r) => r.headers.get("authorization")))],
      [`Bearer ${KEYS[2]}`],
      "only the enabled key is used",
    );
    // The relay took the last key out (as after upstream failures): the channel went out of service.
    await h.deps.db.exec("UPDATE channels SET status = 3, channel_info = ? WHERE id = ?", [
      JSON.stringify({
        is_multi_key: true,
        multi_key_size: 3,
        multi_key_mode: "polling",
        multi_key_status_list: { 0: 2, 1: 2, 2: 3 },
        multi_key_disabled_reason: { 2: "quota exceeded" },
        multi_key_disabled_time: { 2: 1700000000 },
      }),
      id,
    ]);
    await h.deps.cache.publish({ kind: "channel", id });
    const auto = await manage(admin, id, "get_key_status", { status: 3 });
    assertEquals(auto.body.data.keys[0].reason, "quota exceeded");
    assertEquals(auto.body.data.auto_disabled_count, 1);
    assertEquals((await manage(admin, id, "enable_key", { key_index: 1 })).body.success, true);
    assertEquals(h.deps.catalog.channel(id)!.status, 1, "back in service");
    fake.reset();
    const res = await chat(h, s.key, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    assertEquals(res.status, 200);
    await res.body?.cancel();
    assertEquals(fake.requests[0].headers.get("authorization"), `Bearer ${KEYS[1]}`);
    assertEquals((await manage(admin, id, "enable_all_keys")).body.data.changed, 2);
    assertEquals((await manage(admin, id, "disable_all_keys")).body.data.changed, 3);
    assertEquals((await manage(admin, id, "disable_all_keys")).status, 400, "nothing left to disable");
  },
);

appTest("deleting keys renumbers their state; the last key and bad indexes are refused", async (h) => {
  const { admin } = await cast(h);
  const id = await insertChannel(h.deps.db, testSecrets.cryptoSecret, {
    name: "pool",
    type: 1,
    key: KEYS.join("\n"),
    models: "m",
    channelInfo: JSON.stringify({
      is_multi_key: true,
      multi_key_size: 3,
      multi_key_status_list: { 1: 3, 2: 2 },
      multi_key_disabled_reason: { 1: "401" },
    }),
  });
  await h.deps.cache.publish({ kind: "channel", id });
  assertEquals((await manage(admin, id, "delete_disabled_keys")).body.data.changed, 1, "only auto-disabled");
  const ch = h.deps.catalog.channel(id)!;
  assertEquals(ch.keys, [KEYS[0], KEYS[2]]);
  assertEquals(ch.info.keyStatus, { 1: 2 }, "the manually disabled key is now #1");
  assertEquals((await manage(admin, id, "delete_disabled_keys")).status, 400);
  assertEquals((await manage(admin, id, "delete_key", { key_index: 0 })).body.success, true);
  assertEquals(h.deps.catalog.channel(id)!.keys, [KEYS[2]]);
  const last = await manage(admin, id, "delete_key", { key_index: 0 });
  assertEquals([last.status, last.body.success], [400, false]);
  assertEquals((await manage(admin, id, "enable_key", { key_index: 5 })).status, 400);
  assertEquals((await manage(admin, id, "enable_key")).status, 400, "an index is needed");
  assertEquals((await manage(admin, id, "rotate_keys")).status, 400);
  assertEquals((await manage(admin, 999, "get_key_status")).status, 404);
  const single = await insertChannel(h.deps.db, testSecrets.cryptoSecret, { name: "one", type: 1, key: "k" });
  await h.deps.cache.publish({ kind: "channel", id: single });
  assertEquals((await manage(admin, single, "get_key_status")).status, 400, "not a multi-key channel");
});

appTest("fetch models asks the channel's upstream with the channel's key", async (h) => {
  await using fake = await startFakeUpstream({ models: ["fake-a", "fake-b"] });
  const { admin } = await cast(h);
  const [openai, claude, gemini] = [
    fakeChannel(fake.url, { key: "sk-fetch" }),
    fakeChannel(fake.url, { type: 14, key: "sk-ant-fetch" }),
    fakeChannel(fake.url, { type: 24, key: "g-fetch" }),
  ];
  const ids = [];
  for (const ch of [openai, claude, gemini]) {
    const id = await insertChannel(h.deps.db, testSecrets.cryptoSecret, ch);
    await h.deps.cache.publish({ kind: "channel", id });
    ids.push(id);
  }
  fake.reset();
  const listed = await admin.call("GET", `/api/channel/fetch_models/${ids[0]}`);
  assertEquals(listed.body.data, ["fake-a", "fake-b"]);
  assertEquals(fake.requests[0].path, "/v1/models");
  assertEquals(fake.requests[0].headers.get("authorization"), "Bearer sk-fetch");
  const anthropic = await admin.call("GET", `/api/channel/fetch_models/${ids[1]}`);
  assertEquals(anthropic.body.data, ["fake-a", "fake-b"], anthropic.text);
  assertEquals(fake.requests[1].headers.get("x-api-key"), "sk-ant-fetch");
  assertEquals(
    (await admin.call("GET", `/api/channel/fetch_models/${ids[2]}`)).status,
    400,
    "not for Gemini",
  );
  fake.script({ status: 401, times: 1 });
  const refused = await admin.call("GET", `/api/channel/fetch_models/${ids[0]}`);
  assertEquals(refused.status, 502);
  assert(!refused.text.includes("sk-fetch"), "the upstream's echo of the key stays out");
  assertEquals((await admin.call("GET", "/api/channel/fetch_models/9999")).status, 404);
});
