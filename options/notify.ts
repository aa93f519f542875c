/** Options for outgoing notifications: New API's SMTP settings (read by `notify/settings.ts`). */
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
