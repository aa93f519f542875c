/**
 * Golden shapes of New API's model-metadata and vendor answers (tests/fixtures/new_api/golden/
 * model_vendor.json): every key New API writes is present with its JSON type (omitempty keys may be
 * absent), in the same envelope and page objects (the vendors' PageInfo, the models' own page with
 * `vendor_counts`); nothing else.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import {
  type GoldenFile,
  type GoldenShape,
  jsonType,
  readGolden,
  shapeProblems,
} from "../../support/golden.ts";

type Golden = GoldenFile & {
  page: GoldenShape;
  model_page: GoldenShape;
  ours: Record<string, string[]>;
  routes: { route: string; data: "page" | "model_page" | "object" | "strings"; item: string }[];
};

const golden = await readGolden("model_vendor") as Golden;

appTest("model-metadata and vendor answers have New API's keys, types, envelope and pages", async (h) => {
  const { admin } = await cast(h);
  const ch = await admin.call("POST", "/api/channel/", {
    mode: "single",
    channel: {
      type: 1,
      name: "golden",
      key: "sk-golden",
      models: "gpt-4o,gpt-4o-mini,o3",
      groups: ["default"],
    },
  });
  assertEquals(ch.body.success, true, ch.text);
  const vendor =
    (await admin.call("POST", "/api/vendors/", { name: "OpenAI", description: "d", icon: "OpenAI" }))
      .body.data;
  const model = (await admin.call("POST", "/api/models/", {
    model_name: "gpt-4o",
    description: "omni",
    icon: "OpenAI",
    tags: "chat",
    vendor_id: vendor.id,
    endpoints: '["openai"]',
    status: 1,
    sync_official: 1,
  })).body.data;
  const rule =
    (await admin.call("POST", "/api/models/", { model_name: "gpt-4o-", name_rule: 1, status: 1 })).body
      .data;
  const ids: Record<string, number> = { vendor: vendor.id, model: model.id, rule: rule.id };

  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of golden.routes) {
    const [method, path] = r.route.split(" ");
    const url = path.replace(/\{(\w+)\}/, (_, name: string) => String(ids[name]));
    const res = await admin.call(method, url);
    assertEquals(res.status, 200, `${r.route}: ${res.text}`);
    problems.push(...shapeProblems(r.route, res.body, golden.envelope));
    assertEquals(res.body.success, true, r.route);
    if (r.data === "strings") {
      assertEquals(jsonType(res.body.data), "array", r.route);
      assert(res.body.data.length > 0 && res.body.data.every((s: unknown) => typeof s === "string"), r.route);
      continue;
    }
    const items = r.data === "object" ? [res.body.data] : res.body.data.items;
    if (r.data !== "object") {
      problems.push(...shapeProblems(`${r.route} data`, res.body.data, golden[r.data]));
      assert(items.length > 0, `${r.route}: realistic data, at least one item`);
    }
    for (const item of items) {
      problems.push(...shapeProblems(`${r.route} item`, item, golden.shapes[r.item], golden.ours[r.item]));
      for (const key of Object.keys(item)) seen.add(`${r.item}.${key}`);
      for (const bound of item.bound_channels ?? []) {
        problems.push(...shapeProblems(`${r.route} bound_channels`, bound, golden.shapes.bound_channel));
      }
    }
  }
  assertEquals([...new Set(problems)], []);
  // The data is realistic enough that every key New API can write was written at least once.
  const never = Object.entries(golden.shapes)
    .filter(([item]) => item !== "bound_channel")
    .flatMap(([item, shape]) => Object.keys(shape).map((key) => `${item}.${key}`))
    .filter((key) => !seen.has(key));
  assertEquals(never, []);
});
