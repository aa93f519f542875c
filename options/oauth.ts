/**
 * New API's sign-in options: the providers (GitHub, Discord, OIDC, Linux DO) of `routes/api/oauth.ts`,
 * Telegram's login widget (`routes/api/oauth_telegram.ts`), WeChat's auth server (`routes/api/oauth_wechat.ts`),
 * passkeys (`routes/api/passkey.ts`) and Turnstile (`auth/turnstile.ts`). Keys and defaults are New
 * API's; `oidc.well_known` names the discovery document the id_token keys come from.
 */
import { boolOption, intOption, type OptionDef } from "./registry.ts";

const text = (key: string): OptionDef => ({ key, default: "" });

export const oauthOptions: OptionDef[] = [
  boolOption("GitHubOAuthEnabled", false),
  text("GitHubClientId"),
  text("GitHubClientSecret"),
  boolOption("discord.enabled", false),
  text("discord.client_id"),
  text("discord.client_secret"),
  boolOption("LinuxDOOAuthEnabled", false),
  text("LinuxDOClientId"),
  text("LinuxDOClientSecret"),
  intOption("LinuxDOMinimumTrustLevel", 0, 0, 2147483647),
  boolOption("oidc.enabled", false),
  text("oidc.client_id"),
  text("oidc.client_secret"),
  text("oidc.display_name"),
  text("oidc.well_known"),
  text("oidc.authorization_endpoint"),
  text("oidc.token_endpoint"),
  text("oidc.user_info_endpoint"),
  boolOption("TelegramOAuthEnabled", false),
  text("TelegramBotName"),
  text("TelegramBotToken"),
  boolOption("WeChatAuthEnabled", false),
  text("WeChatServerAddress"),
  text("WeChatServerToken"),
  text("WeChatAccountQRCodeImageURL"),
  boolOption("passkey.enabled", false),
  text("passkey.rp_display_name"),
  text("passkey.rp_id"),
  text("passkey.origins"),
  boolOption("passkey.allow_insecure_origin", false),
  { key: "passkey.user_verification", default: "preferred" },
  text("passkey.attachment_preference"),
  boolOption("TurnstileCheckEnabled", false),
  text("TurnstileSiteKey"),
  text("TurnstileSecretKey"),
];
