/** Relay options: retries, channel health, stream behaviour (New API names and defaults). */
import { DEFAULT_DISABLE_KEYWORDS, DEFAULT_RETRY_STATUS_CODES } from "../relay/routing/retry_policy.ts";
import { parseStatusRanges } from "../relay/routing/status_ranges.ts";
import { boolOption, floatOption, intOption, type OptionDef } from "./registry.ts";

const ranges = (key: string, value: string): OptionDef => ({
  key,
  default: value,
  validate: (v) => {
    try {
      parseStatusRanges(v);
      return undefined;
    } catch {
      return { key: "api.option_status_ranges", params: { key } };
    }
  },
});

export const relayOptions: OptionDef[] = [
  intOption("RetryTimes", 0, 0, 10),
  ranges("AutomaticRetryStatusCodes", DEFAULT_RETRY_STATUS_CODES),
  ranges("AutomaticDisableStatusCodes", "401"),
  { key: "AutomaticDisableKeywords", default: DEFAULT_DISABLE_KEYWORDS },
  boolOption("AutomaticDisableChannelEnabled", false),
  boolOption("AutomaticEnableChannelEnabled", false),
  floatOption("ChannelDisableThreshold", 5),
  boolOption("monitor_setting.auto_test_channel_enabled", false),
  intOption("monitor_setting.auto_test_channel_minutes", 10, 1, 1440),
  boolOption("CountToken", true),
  // ModelRequestRateLimit* are declared in options/limits.ts.
];
