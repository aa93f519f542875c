/**
 * Golden shape of New API's option list (tests/fixtures/new_api/golden/option.json): `GET /api/option/`
 * answers a list of `{key, value}` with string values; `implemented` is ours.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { answerProblems, readGolden } from "../../support/golden.ts";

const golden = await readGolden("option");

appTest("option list has New API's keys, types and envelope", async (h) => {
  const { root } = await cast(h);
  assertEquals(
    (await root.call("PUT", "/api/option/", { key: "QuotaPerUnit", value: 1000 })).body.success,
    true,
  );
  const res = await root.call("GET", "/api/option/");
  assertEquals(res.status, 200, res.text);
  assertEquals(answerProblems(golden, "GET /api/option/", res.body, { list: true, item: "option" }), []);
  const quota = res.body.data.find((o: { key: string }) => o.key === "QuotaPerUnit");
  assertEquals(quota.value, "1000", "a number saved comes back as New API's string");
});
