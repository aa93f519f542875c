/**
 * `GET /api/status` carries every key New API's `GetStatus` returns, with its JSON type, so New API
 * front-ends and scripts read it unchanged; values follow the options, and features this gateway lacks
 * read false even when their option is set.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";

type JsonType = "string" | "number" | "boolean" | "array";

/** New API's GetStatus (controller/misc.go): key → the JSON type of its Go value. */
const NEW_API_STATUS: Record<string, JsonType> = {
  version: "string",
  start_time: "number",
  email_verification: "boolean",
  github_oauth: "boolean",
  github_client_id: "string",
  discord_oauth: "boolean",
  discord_client_id: "string",
  linuxdo_oauth: "boolean",
  linuxdo_client_id: "string",
  linuxdo_minimum_trust_level: "number",
  telegram_oauth: "boolean",
  telegram_bot_name: "string",
  system_name: "string",
  logo: "string",
  footer_html: "string",
  wechat_qrcode: "string",
  wechat_login: "boolean",
  server_address: "string",
  turnstile_check: "boolean",
  turnstile_site_key: "string",
  top_up_link: "string",
  docs_link: "string",
  quota_per_unit: "number",
  display_in_currency: "boolean",
  quota_display_type: "string",
  custom_currency_symbol: "string",
  custom_currency_exchange_rate: "number",
  enable_batch_update: "boolean",
  enable_drawing: "boolean",
  enable_task: "boolean",
  enable_data_export: "boolean",
  data_export_default_time: "string",
  default_collapse_sidebar: "boolean",
  mj_notify_enabled: "boolean",
  chats: "array",
  demo_site_enabled: "boolean",
  self_use_mode_enabled: "boolean",
  default_use_auto_group: "boolean",
  usd_exchange_rate: "number",
  price: "number",
  stripe_unit_price: "number",
  api_info_enabled: "boolean",
  uptime_kuma_enabled: "boolean",
  announcements_enabled: "boolean",
  faq_enabled: "boolean",
  HeaderNavModules: "string",
  SidebarModulesAdmin: "string",
  oidc_enabled: "boolean",
  oidc_client_id: "string",
  oidc_authorization_endpoint: "string",
  passkey_login: "boolean",
  passkey_display_name: "string",
  passkey_rp_id: "string",
  passkey_origins: "string",
  passkey_allow_insecure: "boolean",
  passkey_user_verification: "string",
  passkey_attachment: "string",
  setup: "boolean",
  user_agreement_enabled: "boolean",
  privacy_policy_enabled: "boolean",
  checkin_enabled: "boolean",
  // Present while their panel is enabled (the default).
  api_info: "array",
  announcements: "array",
  faq: "array",
};

function typeOf(value: unknown): string {
  return Array.isArray(value) ? "array" : typeof value;
}

appTest("GET /api/status has every key of New API's, each with New API's type", async (h) => {
  const data = (await (await h.call("GET", "/api/status")).json()).data;
  const wrong = Object.entries(NEW_API_STATUS)
    .filter(([key, type]) => typeOf(data[key]) !== type)
    .map(([key, type]) => `${key}: ${typeOf(data[key])}, not ${type}`);
  assertEquals(
    wrong,
    [],
    `${wrong.length} of ${Object.keys(NEW_API_STATUS).length} keys missing or mistyped`,
  );
  assertEquals(data.setup, false);
  assertEquals(data.display_in_currency, true);
  assertEquals(data.enable_batch_update, true, "quota writes are group-committed");
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
    [false, false],
    "no GitHub sign-in or Turnstile here",
  );
  assertEquals(data.enable_data_export, false);
});
