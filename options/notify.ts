/** Notification mail options with New API's keys (`SMTP*`); notify/email.ts sends with them. */
import { boolOption, intOption, type OptionDef } from "./registry.ts";

export const notifyOptions: OptionDef[] = [
  { key: "SMTPServer", default: "" },
  intOption("SMTPPort", 587, 1, 65535),
  { key: "SMTPAccount", default: "" },
  { key: "SMTPFrom", default: "" },
  { key: "SMTPToken", default: "", secret: true },
  boolOption("SMTPSSLEnabled", false),
  boolOption("SMTPForceAuthLogin", false),
];
