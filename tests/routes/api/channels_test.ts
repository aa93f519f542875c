/** Channels through the API: both create bodies, the three modes, updates, filters, tags, bulk ops. */
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { type ApiClient, cast } from "../../support/console_client.ts";
import { asInt, queryOne } from "../../../store/db.ts";

async function create(admin: ApiClient, body: unknown): Promise<number[]> {
  const res = await admin.call("POST", "/api/channel/", body);
  assertEquals(res.body.success, true, res.text);
  return res.body.data.ids;
}

appTest("create: {mode, channel} single/batch/multi_to_single and the older flat body", async (h) => {
  const { admin } = await cast(h);
  const [single] = await create(admin, {
    mode: "single",
    channel: {
      type: 1,
      name: "openai",
      key: "sk-one",
      base_url: "https://api.example.com/",
      models: "gpt-4o,gpt-4o-mini",
      groups: ["default", "vip"],
      priority: 5,
      weight: 10,
      model_mapping: { "gpt-4": "gpt-4o" },
      status_code_mapping: '{"429":"500"}',
      param_override: '{"temperature":0}',
      tag: "prod",
    },
  });
  const ch = h.deps.catalog.channel(single)!;
  assertEquals([ch.key, ch.baseUrl, ch.group, ch.priority, ch.weight], [
    "sk-one",
    "https://api.example.com",
    "default,vip",
    5,
    10,
  ]);
  assertEquals(ch.modelMapping, '{"gpt-4":"gpt-4o"}');
  assertEquals(h.deps.catalog.tiers("vip", "gpt-4o-mini")[0].map((c) => c.id), [single]);
  const abilities = asInt(
    (await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM abilities WHERE channel_id = ?", [single]))?.n,
  );
  assertEquals(abilities, 4, "groups × models");

  const batch = await create(admin, {
    mode: "batch",
    batch_add_set_key_prefix_2_name: true,
    channel: { type: 14, name: "claude", key: "key-aaaaaaaa-1\n\nkey-bbbbbbbb-2\n", models: ["claude-x"] },
  });
  assertEquals(batch.length, 2);
  assertEquals(h.deps.catalog.channel(batch[1])?.name, "claude key-bbbb");
  assertEquals(h.deps.catalog.channel(batch[0])?.group, "default");

  const [multi] = await create(admin, {
    mode: "multi_to_single",
    multi_key_mode: "polling",
    channel: { type: 24, name: "gemini", key: "g1\ng2\ng3", models: "gemini-x" },
  });
  const m = h.deps.catalog.channel(multi)!;
  assertEquals([m.info.isMultiKey, m.info.mode, m.keys], [true, "polling", ["g1", "g2", "g3"]]);
  const read = await admin.call("GET", `/api/channel/${multi}`);
  assertEquals(read.body.data.channel_info.multi_key_size, 3);
  assertEquals(read.body.data.key, "");

  const flat = await create(admin, { type: 1, name: "legacy", key: "k1\nk2", models: "m1" });
  assertEquals(flat.length, 2, "the flat body adds one channel per key line");
});

appTest(
  "update: key optional (empty keeps it), append keys to a multi-key channel, status via PUT",
  async (h) => {
    const { admin } = await cast(h);
    const [id] = await create(admin, {
      mode: "single",
      channel: { type: 1, name: "a", key: "keep-me", models: "m1" },
    });
    const up = await admin.call("PUT", "/api/channel/", {
      id,
      name: "b",
      key: "",
      models: "m1,m2",
      priority: 3,
    });
    assertEquals([up.body.data.name, up.body.data.models, up.body.data.priority, up.body.data.key], [
      "b",
      "m1,m2",
      3,
      "",
    ]);
    assertEquals(h.deps.catalog.channel(id)?.key, "keep-me");
    await admin.call("PUT", "/api/channel/", { id, key: "replaced" });
    assertEquals(h.deps.catalog.channel(id)?.key, "replaced");
    await admin.call("PUT", "/api/channel/", { id, status: 2 });
    assertEquals(h.deps.catalog.tiers("default", "m1"), [], "a disabled channel leaves the routing index");

    const [multi] = await create(admin, {
      mode: "multi_to_single",
      channel: { type: 1, name: "mk", key: "a\nb", models: "m" },
    });
    await admin.call("PUT", "/api/channel/", {
      id: multi,
      key: "b\nc",
      key_mode: "append",
      multi_key_mode: "polling",
    });
    const after = h.deps.catalog.channel(multi)!;
    assertEquals([after.keys, after.info.mode], [["a", "b", "c"], "polling"]);
    assertEquals((await admin.call("GET", `/api/channel/${multi}`)).body.data.channel_info.multi_key_size, 3);
    assertEquals((await admin.call("PUT", "/api/channel/", { id: 99999, name: "x" })).status, 404);
  },
);

appTest(
  "list and search: paging, sorting, status/type/tag/group filters, type counts, tag mode",
  async (h) => {
    const { admin } = await cast(h);
    await create(admin, {
      mode: "single",
      channel: { type: 1, name: "o1", key: "k", models: "gpt", priority: 1, tag: "t" },
    });
    await create(admin, {
      mode: "single",
      channel: { type: 1, name: "o2", key: "k", models: "gpt", priority: 9, tag: "t" },
    });
    const [c3] = await create(admin, {
      mode: "single",
      channel: { type: 14, name: "c3", key: "k", models: "claude", groups: ["vip"] },
    });
    await admin.call("POST", `/api/channel/${c3}/status`, { status: 2 });
    const all = await admin.call("GET", "/api/channel/?p=1&page_size=10");
    assertEquals(
      all.body.data.items.map((c: { name: string }) => c.name),
      ["o2", "o1", "c3"],
      "priority first",
    );
    assertEquals(all.body.data.type_counts, { "1": 2, "14": 1 });
    const byId = await admin.call("GET", "/api/channel/?id_sort=true");
    assertEquals(byId.body.data.items.map((c: { name: string }) => c.name), ["c3", "o2", "o1"]);
    const byName = await admin.call("GET", "/api/channel/?sort_by=name&sort_order=asc");
    assertEquals(byName.body.data.items.map((c: { name: string }) => c.name), ["c3", "o1", "o2"]);
    assertEquals((await admin.call("GET", "/api/channel/?status=enabled")).body.data.total, 2);
    assertEquals((await admin.call("GET", "/api/channel/?status=disabled")).body.data.total, 1);
    assertEquals((await admin.call("GET", "/api/channel/?type=14")).body.data.total, 1);
    assertEquals((await admin.call("GET", "/api/channel/?tag=t")).body.data.total, 2);
    const tags = await admin.call("GET", "/api/channel/?tag_mode=true");
    assertEquals([tags.body.data.total, tags.body.data.items.length], [1, 2]);
    const page2 = await admin.call("GET", "/api/channel/?p=2&page_size=2");
    assertEquals([page2.body.data.items.length, page2.body.data.page], [1, 2]);
    const search = await admin.call("GET", "/api/channel/search?keyword=o&group=default&model=gpt");
    assertEquals(search.body.data.total, 2);
    assertEquals((await admin.call("GET", "/api/channel/search?keyword=%25")).body.data.total, 0);
    assertEquals((await admin.call("GET", "/api/channel/search?group=vip")).body.data.items[0].id, c3);
    assertEquals(
      (await admin.call("GET", "/api/channel/models")).body.data.map((m: { id: string }) => m.id),
      ["claude", "gpt"],
    );
    assertEquals((await admin.call("GET", "/api/channel/models_enabled")).body.data, ["gpt"]);
  },
);

appTest(
  "tags, status, batch and disabled deletion, and fix keep abilities and the catalog in step",
  async (h) => {
    const { admin } = await cast(h);
    const a = await create(admin, {
      mode: "batch",
      channel: { type: 1, name: "a", key: "1\n2\n3", models: "m", tag: "grp" },
    });
    assertEquals((await admin.call("POST", "/api/channel/tag/disabled", { tag: "grp" })).body.success, true);
    assert(a.every((id) => h.deps.catalog.channel(id)?.status === 2));
    await admin.call("POST", "/api/channel/tag/enabled", { tag: "grp" });
    assertEquals(h.deps.catalog.tiers("default", "m")[0].length, 3);
    const edit = await admin.call("PUT", "/api/channel/tag", {
      tag: "grp",
      new_tag: "grp2",
      priority: 7,
      models: "m,n",
      groups: "vip",
    });
    assertEquals(edit.body.success, true, edit.text);
    assertEquals(h.deps.catalog.tiers("vip", "n")[0].map((c) => c.priority), [7, 7, 7]);
    assertEquals((await admin.call("GET", "/api/channel/tag/models?tag=grp2")).body.data, "m,n");
    assertEquals(
      (await admin.call("POST", "/api/channel/batch/tag", { ids: [a[0]], tag: "solo" })).body.data,
      1,
    );
    assertEquals(h.deps.catalog.channel(a[0])?.tag, "solo");
    assertEquals((await admin.call("POST", "/api/channel/status/batch", { ids: a, status: 2 })).body.data, 3);
    assertEquals(
      (await admin.call("POST", `/api/channel/${a[0]}/status`, { status: 2 })).body.data,
      false,
      "unchanged",
    );
    assertEquals((await admin.call("POST", `/api/channel/${a[0]}/status`, { status: 3 })).status, 400);
    await admin.call("POST", `/api/channel/${a[0]}/status`, { status: 1 });
    assertEquals((await admin.call("DELETE", "/api/channel/disabled")).body.data, 2);
    assertEquals(h.deps.catalog.channel(a[1]), undefined);
    await h.deps.db.exec("DELETE FROM abilities");
    assertEquals((await admin.call("POST", "/api/channel/fix")).body.data, { success: 1, fails: 0 });
    assertEquals(asInt((await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM abilities"))?.n), 2);
    assertEquals((await admin.call("POST", "/api/channel/batch", { ids: [a[0], 777] })).body.data, 1);
    assertEquals((await admin.call("DELETE", `/api/channel/${a[0]}`)).status, 404);
    assertEquals((await admin.call("GET", "/api/channel/")).body.data.total, 0);
  },
);

appTest("channel input is validated: type, key, base_url, JSON fields, bounds", async (h) => {
  const { admin } = await cast(h);
  const base = { type: 1, name: "n", key: "k", models: "m" };
  const cases: [unknown, string][] = [
    [{ mode: "single", channel: { ...base, type: 28 } }, "Unknown channel type 28"],
    [{ mode: "single", channel: { ...base, type: undefined } }, "Unknown channel type"],
    [{ mode: "single", channel: { ...base, key: "  " } }, "key cannot be empty"],
    [{ mode: "single", channel: { ...base, name: "" } }, "name cannot be empty"],
    [{ mode: "single", channel: { ...base, base_url: "ftp://x" } }, "http:// or https://"],
    [{ mode: "single", channel: { ...base, base_url: "not a url" } }, "http:// or https://"],
    [{ mode: "single", channel: { ...base, type: 3 } }, "needs a base_url"],
    [{ mode: "single", channel: { ...base, model_mapping: "{bad" } }, "model_mapping must be a JSON object"],
    [{ mode: "single", channel: { ...base, model_mapping: '{"a":1}' } }, "values are strings"],
    [
      { mode: "single", channel: { ...base, header_override: "[1]" } },
      "header_override must be a JSON object",
    ],
    [{ mode: "single", channel: { ...base, priority: 1e12 } }, "priority"],
    [{ mode: "single", channel: { ...base, weight: -1 } }, "weight"],
    [{ mode: "single", channel: { ...base, type: 41, other: "us-central1" } }, "default"],
    [{ mode: "single", channel: { ...base, groups: ["a".repeat(70)] } }, "group"],
    [{ mode: "mystery", channel: base }, "Unsupported add mode"],
    [{ mode: "single" }, "channel is required"],
  ];
  for (const [body, fragment] of cases) {
    const res = await admin.call("POST", "/api/channel/", body);
    assertEquals(res.status, 400, `${JSON.stringify(body).slice(0, 90)}: ${res.text}`);
    assertStringIncludes(res.body.message, fragment);
  }
  assertEquals((await admin.call("GET", "/api/channel/")).body.data.total, 0);
});
