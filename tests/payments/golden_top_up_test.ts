/** Golden shapes of New API's top-up answers (tests/fixtures/new_api/golden/top_up.json): orders and info. */
import { assertEquals } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { cast } from "../support/console_client.ts";
import { shapeProblems } from "../support/golden.ts";

const golden = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/new_api/golden/top_up.json", import.meta.url)),
);
const envelope = { success: "boolean", message: "string", data: "any" };
const page = {
  page: "number",
  page_size: "number",
  start_timestamp: "number",
  end_timestamp: "number",
  total: "number",
  items: "array",
};

appTest("top-up orders and info have New API's keys, types, envelope and page", async (h) => {
  const { root, alice } = await cast(h);
  await h.deps.db.exec(
    `INSERT INTO top_ups (user_id, amount, money, trade_no, payment_method, payment_provider, create_time,
       complete_time, status) VALUES (?, 10, 73.5, 'USR1NOgolden', 'alipay', 'epay', ?, 0, 'pending')`,
    [alice.userId, Math.floor(Date.now() / 1000)],
  );
  const problems: string[] = [];
  for (const [who, route] of [[alice, "/api/user/topup/self"], [root, "/api/user/topup"]] as const) {
    const res = await who.call("GET", route);
    problems.push(...shapeProblems(route, res.body, envelope));
    problems.push(...shapeProblems(`${route} data`, res.body.data, page));
    assertEquals(res.body.data.items.length, 1, route);
    problems.push(...shapeProblems(`${route} item`, res.body.data.items[0], golden.top_up));
  }
  const info = await alice.call("GET", "/api/user/topup/info");
  problems.push(...shapeProblems("info", info.body, envelope));
  problems.push(...shapeProblems("info data", info.body.data, golden.topup_info));
  assertEquals(problems, []);
});
