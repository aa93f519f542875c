/**
 * Golden shapes of New API's token and redemption answers (tests/fixtures/new_api/golden/): every key New
 * API writes is present with its JSON type, in the same envelope and page object; extra keys only where
 * the fixture lists them as ours.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { shapeProblems } from "../../support/golden_shape.ts";

interface Golden {
  envelope: Record<string, string>;
  page: Record<string, string>;
  shapes: Record<string, Record<string, string>>;
  ours: Record<string, string[]>;
  routes: { route: string; as: "user" | "root"; data: "page" | "object"; item: string }[];
}

const golden: Golden = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/new_api/golden/token_redemption.json", import.meta.url)),
);

appTest("token and redemption answers have New API's keys, types, envelope and page", async (h) => {
  const { root, alice } = await cast(h);
  const token = await alice.call("POST", "/api/token/", {
    name: "golden-key",
    remain_quota: 5000,
    allow_ips: "10.0.0.1",
    model_limits_enabled: true,
    model_limits: "gpt-4o-mini",
  });
  assertEquals(token.body.success, true, token.text);
  const tokens = (await alice.call("GET", "/api/token/")).body.data.items;
  const made = await root.call("POST", "/api/redemption/", { name: "golden-code", quota: 100, count: 2 });
  assertEquals(made.body.success, true, made.text);
  await alice.call("POST", "/api/user/topup", { key: made.body.data[0] });
  const codes = (await root.call("GET", "/api/redemption/")).body.data.items;
  const ids: Record<string, number> = { token: tokens[0].id, redemption: codes[0].id };

  const problems: string[] = [];
  for (const r of golden.routes) {
    const [method, path] = r.route.split(" ");
    const url = path.replace(/\{(\w+)\}/, (_, name: string) => String(ids[name]));
    const res = await (r.as === "root" ? root : alice).call(method, url);
    assertEquals(res.status, 200, `${r.route}: ${res.text}`);
    problems.push(...shapeProblems(r.route, res.body, golden.envelope));
    assertEquals(res.body.success, true, r.route);
    const items = r.data === "page" ? res.body.data.items : [res.body.data];
    if (r.data === "page") {
      problems.push(...shapeProblems(`${r.route} data`, res.body.data, golden.page));
      assert(items.length > 0, `${r.route}: realistic data, at least one item`);
    }
    for (const item of items) {
      problems.push(...shapeProblems(`${r.route} item`, item, golden.shapes[r.item], golden.ours[r.item]));
    }
  }
  assertEquals([...new Set(problems)], []);
});
