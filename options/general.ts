/** Site-wide options every part of the gateway reads (New API names and defaults). */
import { boolOption, intOption, type OptionDef } from "./registry.ts";

export const generalOptions: OptionDef[] = [
  { key: "SystemName", default: "New API" },
  { key: "Logo", default: "" },
  { key: "Footer", default: "" },
  { key: "Notice", default: "" },
  { key: "About", default: "" },
  { key: "HomePageContent", default: "" },
  { key: "ServerAddress", default: "" },
  boolOption("RegisterEnabled", true),
  boolOption("PasswordLoginEnabled", true),
  boolOption("PasswordRegisterEnabled", true),
  boolOption("EmailVerificationEnabled", false),
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
  { key: "QuotaPerUnit", default: "500000" },
  { key: "USDExchangeRate", default: "7.3" },
];
