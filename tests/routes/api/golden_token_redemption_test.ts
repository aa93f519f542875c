/**
 * Golden shapes of New API's token and redemption answers (tests/fixtures/new_api/golden/): every key New
 * API writes is present with its JSON type, in the same envelope and page object; extra keys only where
 * the fixture lists them as ours.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { answerProblems, readGolden } from "../../support/golden.ts";

interface Routes {
  routes: { route: string; as: "user" | "root"; data: "page" | "object"; item: string }[];
}

const golden = await readGolden("token_redemption");
const { routes } = golden as unknown as Routes;

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
  for (const r of routes) {
    const [method, path] = r.route.split(" ");
    const url = path.replace(/\{(\w+)\}/, (_, name: string) => String(ids[name]));
    const res = await (r.as === "root" ? root : alice).call(method, url);
    assertEquals(res.status, 200, `${r.route}: ${res.text}`);
    assertEquals(res.body.success, true, r.route);
    problems.push(...answerProblems(golden, r.route, res.body, { page: r.data === "page", item: r.item }));
  }
  assertEquals([...new Set(problems)], []);
});
