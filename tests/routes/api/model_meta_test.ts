/**
 * New API's admin model-metadata and vendor routes on all three stores: `/api/models/` (admin) beside the
 * user's `/api/models`, CRUD with soft delete and unique names, New API's enrichment (bound channels,
 * groups, quota types, rule matches), `missing`, and `sync_upstream` against a local fake upstream.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest, buildHarness } from "../../support/app.ts";
import { storeTest } from "../../support/stores.ts";
import { type ApiClient, cast } from "../../support/console_client.ts";
import { queryOne } from "../../../store/db.ts";

async function channel(admin: ApiClient, name: string, models: string, groups = ["default"]) {
  const res = await admin.call("POST", "/api/channel/", {
    mode: "single",
    channel: { type: 1, name, key: `sk-${name}`, models, groups },
  });
  assertEquals(res.body.success, true, res.text);
}

appTest("GET /api/models stays the user's list; GET /api/models/ is the admin metadata list", async (h) => {
  const { admin, alice } = await cast(h);
  await channel(admin, "ch1", "gpt-4o");
  const mine = await alice.call("GET", "/api/models");
  assertEquals(mine.status, 200, mine.text);
  // The dashboard's map of usable groups to models, not a page.
  assertEquals([mine.body.data.default, "items" in mine.body.data], [["gpt-4o"], false]);
  // Admins asking without the slash get the dashboard list too.
  assertEquals((await admin.call("GET", "/api/models")).body.data.default, ["gpt-4o"]);

  const refused = await alice.call("GET", "/api/models/");
  assertEquals(refused.status, 403, refused.text);
  assertEquals(refused.body.success, false);
  assertEquals((await alice.call("POST", "/api/vendors/", { name: "x" })).status, 403);
  assertEquals((await alice.call("GET", "/api/models/missing")).status, 403);

  const list = await admin.call("GET", "/api/models/");
  assertEquals(list.status, 200, list.text);
  assertEquals(list.body.data, { items: [], total: 0, page: 1, page_size: 10, vendor_counts: {} });
});

appTest(
  "vendors: create, unique names, paged list with model counts, search, update, soft delete",
  async (h) => {
    const { admin } = await cast(h);
    const made = await admin.call("POST", "/api/vendors/", {
      name: "OpenAI",
      description: "gpt",
      icon: "OpenAI",
    });
    assertEquals(made.body.success, true, made.text);
    const openai = made.body.data;
    assertEquals([openai.name, openai.status, openai.icon, openai.model_count], ["OpenAI", 1, "OpenAI", 0]);
    assert(openai.created_time > 0);

    const dup = await admin.call("POST", "/api/vendors/", { name: "OpenAI" });
    assertEquals([dup.status, dup.body.success, dup.body.message], [
      400,
      false,
      "A vendor with this name already exists.",
    ]);
    const dupZh = await admin.call("POST", "/api/vendors/?lang=zh-CN", { name: "OpenAI" });
    assertEquals(dupZh.body.message, "供应商名称已存在。");
    assertEquals(
      (await admin.call("POST", "/api/vendors/", { name: "  " })).body.message,
      "The vendor name must not be empty.",
    );
    assertEquals((await admin.call("POST", "/api/vendors/", { name: 5 })).status, 400);

    const anthropic = (await admin.call("POST", "/api/vendors/", { name: "Anthropic", status: 0 })).body.data;
    assertEquals(anthropic.status, 1, "GORM's default:1 applies to a zero status");
    await admin.call("POST", "/api/models/", { model_name: "gpt-4o", vendor_id: openai.id, status: 1 });

    const page = await admin.call("GET", "/api/vendors/?p=1&page_size=1");
    assertEquals([page.body.data.total, page.body.data.page_size, page.body.data.items.length], [2, 1, 1]);
    assertEquals(page.body.data.items[0].name, "OpenAI");
    assertEquals(page.body.data.items[0].model_count, 1);
    const second = await admin.call("GET", "/api/vendors/?p=2&page_size=1");
    assertEquals(second.body.data.items[0].name, "Anthropic");
    const found = await admin.call("GET", "/api/vendors/search?keyword=thro");
    assertEquals(found.body.data.items.map((v: { name: string }) => v.name), ["Anthropic"]);
    assertEquals((await admin.call("GET", `/api/vendors/${openai.id}`)).body.data.description, "gpt");

    const renamed = await admin.call("PUT", "/api/vendors/", { id: anthropic.id, name: "OpenAI" });
    assertEquals([renamed.body.success, renamed.body.message], [
      false,
      "A vendor with this name already exists.",
    ]);
    const updated = await admin.call("PUT", "/api/vendors/", { id: anthropic.id, name: "Claude", status: 2 });
    assertEquals([updated.body.data.name, updated.body.data.status], ["Claude", 2]);
    assertEquals((await admin.call("PUT", "/api/vendors/", { name: "x" })).body.message, "id is required.");
    assertEquals((await admin.call("PUT", "/api/vendors/", { id: 9999, name: "x" })).status, 404);

    assertEquals((await admin.call("DELETE", `/api/vendors/${anthropic.id}`)).body.success, true);
    assertEquals((await admin.call("DELETE", `/api/vendors/${anthropic.id}`)).status, 404);
    assertEquals((await admin.call("GET", `/api/vendors/${anthropic.id}`)).status, 404);
    const row = await queryOne(h.deps.db, "SELECT name, deleted_at FROM vendors WHERE id = ?", [
      anthropic.id,
    ]);
    assert(row && row.deleted_at !== null, "soft delete keeps the row");
    // A deleted name is free again (GORM's uniqueness is over rows not deleted).
    assertEquals((await admin.call("POST", "/api/vendors/", { name: "Claude" })).body.success, true);
    assertEquals((await admin.call("GET", "/api/vendors/")).body.data.total, 2);
  },
);

appTest("models: CRUD, status_only, search by keyword and vendor, enrichment and missing", async (h) => {
  const { admin } = await cast(h);
  await channel(admin, "openai-a", "gpt-4o,gpt-4o-mini,o3", ["default", "vip"]);
  await channel(admin, "openai-b", "gpt-4o");
  assertEquals((await admin.call("GET", "/api/models/missing")).body.data, ["gpt-4o", "gpt-4o-mini", "o3"]);

  const vendor = (await admin.call("POST", "/api/vendors/", { name: "OpenAI" })).body.data;
  const made = await admin.call("POST", "/api/models/", {
    model_name: "gpt-4o",
    description: "omni",
    tags: "chat,vision",
    vendor_id: vendor.id,
    status: 1,
    sync_official: 1,
  });
  assertEquals(made.body.success, true, made.text);
  const gpt = made.body.data;
  assertEquals(
    gpt.bound_channels.sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
    [
      { name: "openai-a", type: 1 },
      { name: "openai-b", type: 1 },
    ],
  );
  assertEquals([gpt.enable_groups, gpt.quota_types, gpt.name_rule], [["default", "vip"], [0], 0]);
  assertEquals("matched_models" in gpt, false);
  assertEquals((await admin.call("GET", "/api/models/missing")).body.data, ["gpt-4o-mini", "o3"]);

  const dup = await admin.call("POST", "/api/models/", { model_name: "gpt-4o" });
  assertEquals([dup.status, dup.body.success, dup.body.message], [
    400,
    false,
    "A model with this name already exists.",
  ]);
  assertEquals(
    (await admin.call("POST", "/api/models/", {})).body.message,
    "The model name must not be empty.",
  );
  assertEquals((await admin.call("POST", "/api/models/", { model_name: "x", name_rule: 9 })).status, 400);

  // A prefix rule gathers what it matches among served models.
  const rule =
    (await admin.call("POST", "/api/models/", { model_name: "gpt-4o-", name_rule: 1, status: 1 })).body
      .data;
  assertEquals([rule.matched_models, rule.matched_count, rule.enable_groups], [["gpt-4o-mini"], 1, [
    "default",
    "vip",
  ]]);
  assertEquals(rule.bound_channels, [{ name: "openai-a", type: 1 }]);
  assertEquals(rule.status, 1);
  const bare = (await admin.call("POST", "/api/models/", { model_name: "unserved" })).body.data;
  // As in New API, a status left out is stored as sent: zero.
  assertEquals([bare.status, bare.sync_official, "bound_channels" in bare, "enable_groups" in bare], [
    0,
    0,
    false,
    false,
  ]);

  const list = await admin.call("GET", "/api/models/?p=1&page_size=2");
  assertEquals([list.body.data.total, list.body.data.page, list.body.data.page_size], [3, 1, 2]);
  assertEquals(list.body.data.items.map((m: { model_name: string }) => m.model_name), [
    "unserved",
    "gpt-4o-",
  ]);
  assertEquals(list.body.data.vendor_counts, { "0": 2, [vendor.id]: 1 });
  const byVendor = await admin.call("GET", "/api/models/search?vendor=Open");
  assertEquals(byVendor.body.data.items.map((m: { model_name: string }) => m.model_name), ["gpt-4o"]);
  const byVendorId = await admin.call("GET", `/api/models/search?vendor=${vendor.id}`);
  assertEquals(byVendorId.body.data.total, 1);
  const byTag = await admin.call("GET", "/api/models/search?keyword=vision");
  assertEquals(byTag.body.data.items.map((m: { model_name: string }) => m.model_name), ["gpt-4o"]);
  assertEquals((await admin.call("GET", "/api/models/search?status=0")).body.data.total, 1);
  assertEquals((await admin.call("GET", "/api/models/search?keyword=100%25")).body.data.total, 0);

  const status = await admin.call("PUT", "/api/models/?status_only=true", {
    id: gpt.id,
    status: 2,
    description: "x",
  });
  assertEquals([status.body.data.status, status.body.data.description], [2, "omni"]);
  const edit = await admin.call("PUT", "/api/models/", { id: gpt.id, model_name: "gpt-4o", icon: "OpenAI" });
  assertEquals([edit.body.data.icon, edit.body.data.description, edit.body.data.status], [
    "OpenAI",
    "omni",
    2,
  ]);
  const taken = await admin.call("PUT", "/api/models/", { id: bare.id, model_name: "gpt-4o" });
  assertEquals([taken.body.success, taken.body.message], [false, "A model with this name already exists."]);
  assertEquals((await admin.call("GET", `/api/models/${gpt.id}`)).body.data.icon, "OpenAI");
  assertEquals((await admin.call("GET", "/api/models/12345")).status, 404);
  assertEquals((await admin.call("GET", "/api/models/abc")).status, 404);

  assertEquals((await admin.call("DELETE", `/api/models/${gpt.id}`)).body.success, true);
  assertEquals((await admin.call("GET", `/api/models/${gpt.id}`)).status, 404);
  assert(
    (await queryOne(h.deps.db, "SELECT deleted_at FROM models WHERE id = ?", [gpt.id]))?.deleted_at !== null,
  );
  assertEquals((await admin.call("GET", "/api/models/missing")).body.data, ["gpt-4o", "gpt-4o-mini", "o3"]);
  assertEquals((await admin.call("POST", "/api/models/", { model_name: "gpt-4o" })).body.success, true);
});

/** A fake llm-metadata site on 127.0.0.2: `/api/newapi/models.json` (an envelope) and `vendors.json` (an array). */
function fakeUpstream() {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.2", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    if (path === "/api/newapi/models.json") {
      return Response.json({
        success: true,
        message: "",
        data: [
          {
            model_name: "gpt-4o",
            description: "GPT-4o upstream",
            icon: "OpenAI",
            tags: "chat",
            vendor_name: "OpenAI",
          },
          {
            model_name: "claude-x",
            description: "Claude",
            vendor_name: "Anthropic",
            status: 1,
            name_rule: 0,
          },
        ],
      });
    }
    if (path === "/api/newapi/vendors.json") {
      return Response.json([{ name: "OpenAI", description: "OpenAI Inc.", icon: "OpenAI.Color", status: 1 }]);
    }
    return new Response("no", { status: 404 });
  });
  return { base: `http://127.0.0.2:${server.addr.port}`, hits, close: () => server.shutdown() };
}

storeTest("sync_upstream: preview and sync from SYNC_UPSTREAM_BASE through the SSRF guard", async (store) => {
  const upstream = fakeUpstream();
  const h = await buildHarness(store, { SYNC_UPSTREAM_BASE: `${upstream.base}/`, SYNC_HTTP_RETRY: "1" });
  try {
    const { root, admin } = await cast(h);
    await channel(admin, "mixed", "gpt-4o,claude-x,local-only");

    // The guard's defaults refuse a private address: nothing is sent.
    const refused = await admin.call("GET", "/api/models/sync_upstream/preview");
    assertEquals([refused.status, refused.body.success], [502, false], refused.text);
    assert(refused.body.message.startsWith("Could not fetch the upstream model list:"), refused.body.message);
    assertEquals(upstream.hits, []);

    for (
      const [key, value] of [
        ["fetch_setting.allow_private_ip", "true"],
        ["fetch_setting.ip_filter_mode", "true"],
        ["fetch_setting.ip_list", '["127.0.0.2"]'],
        ["fetch_setting.allowed_ports", "[]"],
      ]
    ) {
      const res = await root.call("PUT", "/api/option/", { key, value });
      assertEquals(res.body.success, true, res.text);
    }
    const local = (await admin.call("POST", "/api/models/", {
      model_name: "gpt-4o",
      description: "mine",
      status: 1,
      sync_official: 1,
    })).body.data;

    const preview = await admin.call("GET", "/api/models/sync_upstream/preview");
    assertEquals(preview.body.success, true, preview.text);
    assertEquals(preview.body.data.missing, ["claude-x"]);
    assertEquals(preview.body.data.source, {
      locale: "",
      models_url: `${upstream.base}/api/newapi/models.json`,
      vendors_url: `${upstream.base}/api/newapi/vendors.json`,
    });
    assertEquals(preview.body.data.conflicts, [{
      model_name: "gpt-4o",
      fields: [
        { field: "description", local: "mine", upstream: "GPT-4o upstream" },
        { field: "icon", local: "", upstream: "OpenAI" },
        { field: "tags", local: "", upstream: "chat" },
        { field: "vendor", local: "", upstream: "OpenAI" },
      ],
    }]);

    const sync = await admin.call("POST", "/api/models/sync_upstream", {
      overwrite: [{ model_name: "gpt-4o", fields: ["description", "vendor"] }],
    });
    assertEquals(sync.body.success, true, sync.text);
    const d = sync.body.data;
    assertEquals([d.created_models, d.created_vendors, d.updated_models], [1, 2, 1]);
    assertEquals([d.created_list, d.updated_list, d.skipped_models], [["claude-x"], ["gpt-4o"], [
      "local-only",
    ]]);
    // In the order they were made: claude-x (missing, sorted first) brought Anthropic.
    const vendors = (await admin.call("GET", "/api/vendors/")).body.data.items;
    assertEquals(vendors.map((v: { name: string; description?: string }) => [v.name, v.description]), [
      ["Anthropic", undefined],
      ["OpenAI", "OpenAI Inc."],
    ]);
    const after = (await admin.call("GET", `/api/models/${local.id}`)).body.data;
    assertEquals([after.description, after.vendor_id, after.icon], [
      "GPT-4o upstream",
      vendors[1].id,
      undefined,
    ]);

    // Nothing missing and nothing to overwrite: answered without asking the upstream, from an empty body.
    const before = upstream.hits.length;
    const idle = await admin.call("POST", "/api/models/sync_upstream");
    assertEquals([idle.body.success, idle.body.data.created_models], [true, 0], idle.text);
    // local-only is still missing (upstream does not know it), so the upstream was asked once more.
    assertEquals(upstream.hits.length > before, true);
    await admin.call("POST", "/api/models/", { model_name: "local-only" });
    const quiet = upstream.hits.length;
    assertEquals((await admin.call("POST", "/api/models/sync_upstream", "")).body.success, true);
    assertEquals(upstream.hits.length, quiet);
  } finally {
    await h.close();
    await upstream.close();
  }
});

appTest("names stay unique under concurrent creates; bad input is a 400 in the envelope", async (h) => {
  const { admin } = await cast(h);
  const models = await Promise.all(
    Array.from({ length: 6 }, () => admin.call("POST", "/api/models/", { model_name: "race", status: 1 })),
  );
  assertEquals(models.filter((r) => r.body.success).length, 1, models.map((r) => r.text).join("\n"));
  const vendors = await Promise.all(
    Array.from({ length: 6 }, () => admin.call("POST", "/api/vendors/", { name: "race" })),
  );
  assertEquals(vendors.filter((r) => r.body.success).length, 1, vendors.map((r) => r.text).join("\n"));
  assertEquals((await admin.call("GET", "/api/models/search?keyword=race")).body.data.total, 1);

  for (
    const [method, path, body] of [
      ["PUT", "/api/models/", { id: "abc", model_name: "x" }],
      ["PUT", "/api/models/?status_only=true", { id: 1 }],
      ["PUT", "/api/models/?status_only=maybe", { id: 1, status: 1 }],
      ["POST", "/api/models/", "{not json"],
      ["POST", "/api/models/", { model_name: "x".repeat(129) }],
      ["POST", "/api/vendors/", { name: "v", status: -1 }],
      ["GET", "/api/models/search?status=x", undefined],
      ["GET", "/api/models/search?keyword=a%00b", undefined],
      ["GET", "/api/vendors/search?keyword=%00", undefined],
      ["POST", "/api/models/", { model_name: "nul\u0000name" }],
      ["PUT", "/api/vendors/", { id: 1, name: "v", description: "\u0000" }],
      ["POST", "/api/models/sync_upstream", { overwrite: "all" }],
    ] as const
  ) {
    const res = await admin.call(method, path, body);
    assertEquals([res.status, res.body?.success], [400, false], `${method} ${path}: ${res.text}`);
    assert(typeof res.body.message === "string" && res.body.message.length > 0);
  }
});
