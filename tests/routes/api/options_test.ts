/** Root-only options: secrets withheld, values validated by their declaration, unknown keys refused. */
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { saveOptions } from "../../../store/options.ts";

appTest("GET /api/option/ lists declared and stored options but never secret ones", async (h) => {
  const { root } = await cast(h);
  await saveOptions(h.deps.db, {
    StripeWebhookSecret: "whsec_CANARY",
    SMTPToken: "smtp-CANARY",
    TurnstileSecretKey: "ts-CANARY",
    LegacyNotice: "kept",
  });
  await h.deps.cache.publish({ kind: "options" });
  const res = await root.call("GET", "/api/option/");
  assertEquals(res.body.success, true);
  const map = new Map(res.body.data.map((o: { key: string; value: string }) => [o.key, o.value]));
  assertEquals(map.get("RegisterEnabled"), "true", "declared defaults are listed");
  assertEquals(map.get("GroupRatio"), '{"default":1,"vip":1,"svip":1}');
  assertEquals(map.get("LegacyNotice"), "kept", "stored undeclared keys are listed");
  assertEquals(map.get("DisplayTokenStatEnabled"), "true");
  assert(!res.text.includes("CANARY"), "secret values are withheld");
  assert(!map.has("StripeWebhookSecret") && !map.has("SMTPToken"));
});

appTest("PUT /api/option/ validates by declaration and refuses unknown keys", async (h) => {
  const { root } = await cast(h);
  const put = (key: string, value: unknown) => root.call("PUT", "/api/option/", { key, value });
  assertEquals((await put("QuotaForNewUser", 250)).body.success, true);
  assertEquals(h.deps.catalog.option("QuotaForNewUser"), "250", "published to the catalog");
  assertEquals((await put("RegisterEnabled", false)).body.success, true);
  assertEquals(h.deps.catalog.option("RegisterEnabled"), "false");
  const cases: [string, unknown, string][] = [
    ["QuotaForNewUser", -5, "integer"],
    ["QuotaForNewUser", "lots", "integer"],
    ["RegisterEnabled", "maybe", "true or false"],
    ["GroupRatio", "{not json", "JSON object"],
    ["GroupRatio", '{"default":-1}', "ratio"],
    ["GroupRatio", '{"a,b":1}', "invalid group name"],
    ["UserUsableGroups", '{"default":5}', "description"],
    ["NoSuchOption", "1", "Unknown option NoSuchOption"],
  ];
  for (const [key, value, fragment] of cases) {
    const res = await put(key, value);
    assertEquals(res.status, 400, `${key}=${value}: ${res.text}`);
    assertStringIncludes(res.body.message, fragment);
  }
  assertEquals(h.deps.catalog.option("QuotaForNewUser"), "250", "refused values change nothing");
  assertEquals((await root.call("PUT", "/api/option/", { key: "QuotaForNewUser" })).status, 400);
});
