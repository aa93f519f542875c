/** Relay options: retries, channel health, stream behaviour (New API names and defaults). */
import { DEFAULT_DISABLE_KEYWORDS, DEFAULT_RETRY_STATUS_CODES } from "../relay/routing/retry_policy.ts";
import { parseStatusRanges } from "../relay/routing/status_ranges.ts";
import { boolOption, intOption, type OptionDef } from "./registry.ts";
import { checkModelRequestRateLimitGroup } from "../kv/limits/model_request_limit.ts";

const ranges = (key: string, value: string): OptionDef => ({
  key,
  default: value,
  validate: (v) => {
    try {
      parseStatusRanges(v);
      return undefined;
    } catch (err) {
      return `${key}: ${(err as Error).message}`;
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
  { key: "ChannelDisableThreshold", default: "5" },
  boolOption("monitor_setting.auto_test_channel_enabled", false),
  intOption("monitor_setting.auto_test_channel_minutes", 10, 1, 1440),
  boolOption("CountToken", true),
  boolOption("ModelRequestRateLimitEnabled", false),
  intOption("ModelRequestRateLimitDurationMinutes", 1, 1, 525600),
  intOption("ModelRequestRateLimitCount", 0, 0, 2147483647),
  intOption("ModelRequestRateLimitSuccessCount", 1000, 1, 2147483647),
  {
    key: "ModelRequestRateLimitGroup",
    default: "{}",
    validate: (v) => checkModelRequestRateLimitGroup(v) ?? undefined,
  },
];
