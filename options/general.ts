/** Site-wide options every part of the gateway reads (New API names and defaults). */
import { boolOption, floatOption, intOption, type OptionDef } from "./registry.ts";

const EMAIL_DOMAINS =
  "gmail.com,163.com,126.com,qq.com,outlook.com,hotmail.com,icloud.com,yahoo.com,foxmail.com";

export const generalOptions: OptionDef[] = [
  { key: "SystemName", default: "New API" },
  { key: "Logo", default: "" },
  { key: "Footer", default: "" },
  { key: "Notice", default: "" },
  // Served to front-ends by routes/api/content.ts, as New API does.
  { key: "About", default: "" },
  { key: "HomePageContent", default: "" },
  { key: "legal.user_agreement", default: "" },
  { key: "legal.privacy_policy", default: "" },
  { key: "ServerAddress", default: "" },
  boolOption("RegisterEnabled", true),
  boolOption("PasswordLoginEnabled", true),
  boolOption("PasswordRegisterEnabled", true),
  boolOption("EmailVerificationEnabled", false),
  // Which addresses may receive a verification code (routes/api/email_auth.ts).
  boolOption("EmailDomainRestrictionEnabled", false),
  { key: "EmailDomainWhitelist", default: EMAIL_DOMAINS },
  boolOption("EmailAliasRestrictionEnabled", false),
  boolOption("SelfUseModeEnabled", false),
  boolOption("DemoSiteEnabled", false),
  intOption("QuotaForNewUser", 0),
  intOption("QuotaForInviter", 0),
  intOption("QuotaForInvitee", 0),
  intOption("QuotaRemindThreshold", 1000),
  intOption("PreConsumedQuota", 500),
  boolOption("DisplayInCurrencyEnabled", true),
  boolOption("DisplayTokenStatEnabled", true),
  boolOption("LogConsumeEnabled", true),
  // Ours (New API has no retention option): consume and error rows older than this many days are pruned
  // by jobs/log_retention.ts; 0 keeps them forever.
  intOption("LogRetentionDays", 0, 0, 36500),
  // Ours (New API has no such option): admins and roots must have TOTP 2FA enabled before any admin
  // route answers them (auth/middleware.ts `requireRole`); their own 2FA setup routes stay open.
  boolOption("AdminTwoFactorRequired", false),
  floatOption("QuotaPerUnit", 500000),
  floatOption("USDExchangeRate", 7.3),
];
