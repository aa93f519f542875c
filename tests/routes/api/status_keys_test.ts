/**
 * `GET /api/status` carries every key New API's `GetStatus` returns, with its JSON type, so New API
 * front-ends and scripts read it unchanged; values follow the options, and features this gateway lacks
 * read false even when their option is set. The keys and types are the fixture
 * tests/fixtures/new_api/golden/status.json.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { answerProblems, readGolden } from "../../support/golden.ts";

const golden = await readGolden("status");

appTest("GET /api/status has every key of New API's, each with New API's type", async (h) => {
  const body = await (await h.call("GET", "/api/status")).json();
  const wrong = answerProblems(golden, "GET /api/status", body, { item: "status" });
  assertEquals(wrong, [], `${wrong.length} of ${Object.keys(golden.shapes.status).length} keys wrong`);
  const data = body.data;
  assertEquals(data.setup, false);
  assertEquals(data.display_in_currency, true);
  assertEquals(data.enable_batch_update, true, "quota writes are group-committed");
  for (const panel of ["api_info", "announcements", "faq"]) {
    assertEquals(
      Array.isArray(data[panel]),
      true,
      `${panel} is there while its panel is enabled (the default)`,
    );
  }
});

appTest("GET /api/status follows the options; features the gateway lacks read false", async (h) => {
  const { root } = await cast(h);
  const put = async (key: string, value: string) =>
    assertEquals((await root.call("PUT", "/api/option/", { key, value })).body.success, true, key);
  await put("Logo", "https://cdn.example/logo.png");
  await put("general_setting.docs_link", "https://docs.example");
  await put("general_setting.quota_display_type", "TOKENS");
  await put("console_setting.faq", JSON.stringify([{ question: "Q?", answer: "A." }]));
  await put("console_setting.announcements_enabled", "false");
  await put("GitHubClientId", "gh-client");
  await put("GitHubOAuthEnabled", "true");
  await put("TurnstileCheckEnabled", "true");
  await put("DataExportEnabled", "false");
  const data = (await (await h.call("GET", "/api/status")).json()).data;
  assertEquals(data.setup, true);
  assertEquals(data.logo, "https://cdn.example/logo.png");
  assertEquals(data.docs_link, "https://docs.example");
  assertEquals([data.quota_display_type, data.display_in_currency], ["TOKENS", false]);
  assertEquals(data.faq, [{ question: "Q?", answer: "A." }]);
  assertEquals(data.announcements_enabled, false);
  assert(!("announcements" in data), "a disabled panel's content is left out, as New API does");
  assertEquals(data.github_client_id, "gh-client");
  assertEquals(
    [data.github_oauth, data.turnstile_check],
    [true, true],
    "GitHub sign-in and Turnstile are on",
  );
  assertEquals(data.enable_data_export, false);
});
