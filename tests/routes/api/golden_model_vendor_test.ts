/**
 * Golden shapes of New API's model-metadata and vendor answers (tests/fixtures/new_api/golden/
 * model_vendor.json): every key New API writes is present with its JSON type (omitempty keys may be
 * absent), in the same envelope and page objects (the vendors' PageInfo, the models' own page with
 * `vendor_counts`); nothing else.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { answerProblems, type GoldenShape, readGolden } from "../../support/golden.ts";

interface Extra {
  model_page: GoldenShape;
  routes: { route: string; data: "page" | "model_page" | "object" | "strings"; item: string }[];
}

const golden = await readGolden("model_vendor");
const { model_page: modelPage, routes } = golden as unknown as Extra;

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
  for (const r of routes) {
    const [method, path] = r.route.split(" ");
    const url = path.replace(/\{(\w+)\}/, (_, name: string) => String(ids[name]));
    const res = await admin.call(method, url);
    assertEquals(res.status, 200, `${r.route}: ${res.text}`);
    assertEquals(res.body.success, true, r.route);
    if (r.data === "strings") {
      assert(res.body.data.length > 0 && res.body.data.every((s: unknown) => typeof s === "string"), r.route);
      continue;
    }
    problems.push(...answerProblems(golden, r.route, res.body, {
      page: r.data !== "object",
      pageShape: r.data === "model_page" ? modelPage : undefined,
      item: r.item,
    }));
    for (const item of r.data === "object" ? [res.body.data] : res.body.data.items) {
      for (const key of Object.keys(item)) seen.add(`${r.item}.${key}`);
    }
  }
  assertEquals([...new Set(problems)], []);
  // The data is realistic enough that every key New API can write was written at least once.
  const never = Object.entries(golden.shapes)
    .flatMap(([item, shape]) => Object.keys(shape).map((key) => `${item}.${key}`))
    .filter((key) => !seen.has(key));
  assertEquals(never, []);
});
