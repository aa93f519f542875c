/**
 * Golden shapes of New API's dashboard answers (tests/fixtures/new_api/golden/dashboard.json): the hourly
 * `quota_data` rows of `GET /api/data/` (admin, summed by model, and by one username) and `/api/data/self`,
 * and the usable groups of `GET /api/user/self/groups`.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { answerProblems, readGolden } from "../../support/golden.ts";
import { saveOptions } from "../../../store/options.ts";

const golden = await readGolden("dashboard");

appTest("dashboard answers have New API's keys, types and envelope", async (h) => {
  const { root, alice } = await cast(h);
  await saveOptions(h.deps.db, { GroupRatio: JSON.stringify({ default: 1, vip: 2 }) });
  await h.deps.cache.publish({ kind: "options" });
  const now = Math.floor(Date.now() / 1000);
  h.deps.billing.quotaData.add({
    userId: alice.userId,
    username: "alice",
    modelName: "gpt-4o-mini",
    createdAt: now,
    quota: 120,
    tokens: 30,
  });
  await h.deps.billing.quotaData.flush(h.deps.db);
  const range = `start_timestamp=${now - 7200}&end_timestamp=${now + 3600}`;
  const problems: string[] = [];
  const check = async (who: typeof root, path: string, shape: { list?: boolean; item: string }) => {
    const res = await who.call("GET", path);
    assertEquals(res.status, 200, `${path}: ${res.text}`);
    assertEquals(res.body.success, true, `${path}: ${res.text}`);
    problems.push(...answerProblems(golden, `GET ${path}`, res.body, shape));
  };
  await check(root, `/api/data/?${range}`, { list: true, item: "quota_data" });
  await check(root, `/api/data/?${range}&username=alice`, { list: true, item: "quota_data" });
  await check(alice, `/api/data/self?${range}`, { list: true, item: "quota_data" });
  await check(alice, "/api/user/self/groups", { item: "user_groups" });
  assertEquals(problems, []);
});
