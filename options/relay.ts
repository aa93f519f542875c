/** Relay options: retries, channel health, stream behaviour (New API names and defaults). */
import { DEFAULT_DISABLE_KEYWORDS, DEFAULT_RETRY_STATUS_CODES } from "../relay/routing/retry_policy.ts";
import { parseStatusRanges } from "../relay/routing/status_ranges.ts";
import { affinityRulesSchema } from "../relay/routing/affinity_rules.ts";
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

/** A JSON list of affinity rules in New API's shape (a bad one is refused at save, not at request time). */
const affinityRules: OptionDef = {
  key: "channel_affinity_setting.rules",
  default: "[]",
  validate: (v) => {
    try {
      if (affinityRulesSchema.safeParse(JSON.parse(v)).success) return undefined;
    } catch { /* not JSON */ }
    return { key: "api.option_json", params: { key: "channel_affinity_setting.rules" } };
  },
};

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
  // Channel affinity (relay/pipeline/affinity.ts). max_entries bounds New API's in-memory LRU; here the
  // sessions live in KV/Redis and expire by their TTL, so it is accepted and not needed.
  boolOption("channel_affinity_setting.enabled", false),
  boolOption("channel_affinity_setting.switch_on_success", true),
  boolOption("channel_affinity_setting.keep_on_channel_disabled", false),
  intOption("channel_affinity_setting.default_ttl_seconds", 3600, 0, 30 * 86400),
  intOption("channel_affinity_setting.max_entries", 100000, 0, 100_000_000),
  affinityRules,
  // Ours (New API has no such rule): disable a channel, or a key of a multi-key one, after `errors` of
  // its last `requests` attempts failed (relay/health/error_window.ts); auto_ban 0 exempts a channel.
  boolOption("channel_error_rate_setting.enabled", false),
  intOption("channel_error_rate_setting.errors", 5, 1, 10_000),
  intOption("channel_error_rate_setting.requests", 20, 1, 10_000),
  // ModelRequestRateLimit* are declared in options/limits.ts.
];
