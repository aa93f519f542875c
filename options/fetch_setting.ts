/** New API's `fetch_setting.*` keys (SSRF rules for user-supplied URLs), read by net/fetch_setting.ts. */
import { defaultFetchSetting as d } from "../net/fetch_setting.ts";
import { boolOption, type OptionDef } from "./registry.ts";

/** A JSON array of strings, as New API's config module stores a `[]string`. */
const listOption = (key: string, value: string[]): OptionDef => ({
  key,
  default: JSON.stringify(value),
  validate: (v) => {
    try {
      const parsed = JSON.parse(v);
      if (Array.isArray(parsed) && parsed.every((e) => typeof e === "string")) return undefined;
    } catch { /* reported below */ }
    return { key: "api.option_json", params: { key } };
  },
});

export const fetchSettingOptions: OptionDef[] = [
  boolOption("fetch_setting.enable_ssrf_protection", d.enableSsrfProtection),
  boolOption("fetch_setting.allow_private_ip", d.allowPrivateIp),
  boolOption("fetch_setting.domain_filter_mode", d.domainFilterMode),
  boolOption("fetch_setting.ip_filter_mode", d.ipFilterMode),
  listOption("fetch_setting.domain_list", d.domainList),
  listOption("fetch_setting.ip_list", d.ipList),
  listOption("fetch_setting.allowed_ports", d.allowedPorts),
  boolOption("fetch_setting.apply_ip_filter_for_domain", d.applyIpFilterForDomain),
];
