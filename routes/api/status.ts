/**
 * `GET /api/status`: public site status in New API's shape (every key its `GetStatus` returns, same
 * types), also the health check. Values are the truth about this gateway: texts and switches it acts on
 * come from the options; a sign-in method or feature it does not have reads false, whatever is stored,
 * so a New API front-end shows no button that leads nowhere.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { fail, ok } from "./respond.ts";
import { isSetUp } from "./setup.ts";
import { msgFor } from "./messages.ts";
import { VERSION } from "../../server/version.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { chatClients } from "../../options/chats.ts";
import { checkinSetting } from "../../options/checkin.ts";
import { defaultUseAutoGroup } from "../../options/groups.ts";

/** Sign-in methods and features New API's status announces that this gateway does not have yet. */
const ABSENT = [
  "enable_drawing",
  "enable_task",
  "mj_notify_enabled",
  "uptime_kuma_enabled",
] as const;

/** A JSON list option, or [] when the stored text is not one. */
function jsonList(deps: AppDeps, key: string): unknown[] {
  const value = o.json<unknown>(deps.catalog, key);
  return Array.isArray(value) ? value : [];
}

export async function statusData(deps: AppDeps): Promise<Record<string, unknown>> {
  const cat = deps.catalog;
  const displayType = o.string(cat, "general_setting.quota_display_type");
  const panels = {
    api_info: o.bool(cat, "console_setting.api_info_enabled"),
    announcements: o.bool(cat, "console_setting.announcements_enabled"),
    faq: o.bool(cat, "console_setting.faq_enabled"),
  };
  const data: Record<string, unknown> = {
    version: deps.config.versionOverride ?? VERSION,
    start_time: deps.startedAt,
    setup: await isSetUp(deps),
    email_verification: o.bool(cat, "EmailVerificationEnabled"),
    github_oauth: o.bool(cat, "GitHubOAuthEnabled"),
    discord_oauth: o.bool(cat, "discord.enabled"),
    linuxdo_oauth: o.bool(cat, "LinuxDOOAuthEnabled"),
    oidc_enabled: o.bool(cat, "oidc.enabled"),
    telegram_oauth: o.bool(cat, "TelegramOAuthEnabled"),
    wechat_login: o.bool(cat, "WeChatAuthEnabled"),
    turnstile_check: o.bool(cat, "TurnstileCheckEnabled"),
    passkey_login: o.bool(cat, "passkey.enabled"),
    passkey_allow_insecure: o.bool(cat, "passkey.allow_insecure_origin"),
    github_client_id: o.string(cat, "GitHubClientId"),
    discord_client_id: o.string(cat, "discord.client_id"),
    linuxdo_client_id: o.string(cat, "LinuxDOClientId"),
    linuxdo_minimum_trust_level: o.int(cat, "LinuxDOMinimumTrustLevel"),
    telegram_bot_name: o.string(cat, "TelegramBotName"),
    wechat_qrcode: o.string(cat, "WeChatAccountQRCodeImageURL"),
    turnstile_site_key: o.string(cat, "TurnstileSiteKey"),
    oidc_client_id: o.string(cat, "oidc.client_id"),
    oidc_authorization_endpoint: o.string(cat, "oidc.authorization_endpoint"),
    passkey_display_name: o.string(cat, "passkey.rp_display_name"),
    passkey_rp_id: o.string(cat, "passkey.rp_id"),
    passkey_origins: o.string(cat, "passkey.origins"),
    passkey_user_verification: o.string(cat, "passkey.user_verification"),
    passkey_attachment: o.string(cat, "passkey.attachment_preference"),
    system_name: o.string(cat, "SystemName"),
    logo: o.string(cat, "Logo"),
    footer_html: o.string(cat, "Footer"),
    server_address: o.string(cat, "ServerAddress"),
    // As New API: the console links the texts of /api/user-agreement and /api/privacy-policy when set.
    user_agreement_enabled: o.string(cat, "legal.user_agreement") !== "",
    privacy_policy_enabled: o.string(cat, "legal.privacy_policy") !== "",
    top_up_link: o.string(cat, "TopUpLink"),
    docs_link: o.string(cat, "general_setting.docs_link"),
    quota_per_unit: o.float(cat, "QuotaPerUnit"),
    // New API derives the old flag from the display type: anything but TOKENS shows money.
    display_in_currency: displayType !== "TOKENS",
    quota_display_type: displayType,
    custom_currency_symbol: o.string(cat, "general_setting.custom_currency_symbol"),
    custom_currency_exchange_rate: o.float(cat, "general_setting.custom_currency_exchange_rate"),
    // Quota and usage writes are always group-committed (BATCH_UPDATE_ENABLED's purpose).
    enable_batch_update: true,
    enable_data_export: o.bool(cat, "DataExportEnabled"),
    data_export_default_time: o.string(cat, "DataExportDefaultTime"),
    default_collapse_sidebar: o.bool(cat, "DefaultCollapseSidebar"),
    // New API's shape: a list of one-entry objects (only the entries /chat2link may use).
    chats: chatClients(cat).map(({ name, url }) => ({ [name]: url })),
    demo_site_enabled: o.bool(cat, "DemoSiteEnabled"),
    self_use_mode_enabled: o.bool(cat, "SelfUseModeEnabled"),
    usd_exchange_rate: o.float(cat, "USDExchangeRate"),
    price: o.float(cat, "Price"),
    checkin_enabled: checkinSetting(cat).enabled,
    stripe_unit_price: o.float(cat, "StripeUnitPrice"),
    api_info_enabled: panels.api_info,
    announcements_enabled: panels.announcements,
    faq_enabled: panels.faq,
    HeaderNavModules: cat.option("HeaderNavModules") ?? "",
    SidebarModulesAdmin: cat.option("SidebarModulesAdmin") ?? "",
    // The project's own additions.
    database_type: deps.db.dialect,
    node_name: deps.config.nodeName,
  };
  for (const key of ABSENT) data[key] = false;
  data.default_use_auto_group = defaultUseAutoGroup(cat);
  if (panels.api_info) data.api_info = jsonList(deps, "console_setting.api_info");
  if (panels.announcements) data.announcements = jsonList(deps, "console_setting.announcements");
  if (panels.faq) data.faq = jsonList(deps, "console_setting.faq");
  return data;
}

export function statusRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/api/status", async (c) => {
    if (deps.state.draining) return fail(c, 503, msgFor(c, "api.shutting_down"));
    return ok(c, await statusData(deps));
  });
  return app;
}
