/**
 * Pricing and usage-log options (New API names and defaults). The ratio tables default to New API's
 * built-in data; a stored value replaces the whole map, as in New API. QuotaPerUnit, PreConsumedQuota,
 * SelfUseModeEnabled, LogConsumeEnabled and DisplayTokenStatEnabled are site-wide (general.ts).
 */
import { boolOption, intOption, type OptionDef } from "./registry.ts";
import type { Message } from "../i18n/messages.ts";
import {
  DEFAULT_AUDIO_COMPLETION_RATIO,
  DEFAULT_AUDIO_RATIO,
  DEFAULT_CACHE_RATIO,
  DEFAULT_COMPLETION_RATIO,
  DEFAULT_CREATE_CACHE_RATIO,
  DEFAULT_GROUP_RATIO,
  DEFAULT_IMAGE_RATIO,
  DEFAULT_MODEL_PRICE,
  DEFAULT_MODEL_RATIO,
} from "../relay/billing/default_ratios.ts";

const isRatio = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** A JSON object of model (or group) → non-negative number. */
export function ratioMapOption(key: string, value: unknown): OptionDef {
  return {
    key,
    default: JSON.stringify(value),
    validate: (text): Message | undefined => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { key: "api.option_json", params: { key } };
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        return { key: "api.option_json_object", params: { key } };
      }
      for (const [name, v] of Object.entries(parsed)) {
        if (!isRatio(v)) return { key: "api.option_ratio_negative", params: { key, name } };
      }
      return undefined;
    },
  };
}

export const QUOTA_DISPLAY_TYPES = ["USD", "CNY", "TOKENS", "CUSTOM"] as const;

export const billingOptions: OptionDef[] = [
  ratioMapOption("ModelRatio", DEFAULT_MODEL_RATIO),
  ratioMapOption("ModelPrice", DEFAULT_MODEL_PRICE),
  ratioMapOption("CompletionRatio", DEFAULT_COMPLETION_RATIO),
  ratioMapOption("CacheRatio", DEFAULT_CACHE_RATIO),
  ratioMapOption("CreateCacheRatio", DEFAULT_CREATE_CACHE_RATIO),
  ratioMapOption("ImageRatio", DEFAULT_IMAGE_RATIO),
  ratioMapOption("AudioRatio", DEFAULT_AUDIO_RATIO),
  ratioMapOption("AudioCompletionRatio", DEFAULT_AUDIO_COMPLETION_RATIO),
  // GroupRatio and GroupGroupRatio are declared with the other group rules in options/groups.ts.
  ratioMapOption("TopupGroupRatio", DEFAULT_GROUP_RATIO),
  boolOption("DataExportEnabled", true),
  intOption("DataExportInterval", 5, 1, 1440),
  { key: "DataExportDefaultTime", default: "hour" },
  {
    key: "general_setting.quota_display_type",
    default: "USD",
    validate: (v) =>
      (QUOTA_DISPLAY_TYPES as readonly string[]).includes(v) ? undefined : {
        key: "api.option_one_of",
        params: { key: "general_setting.quota_display_type", values: QUOTA_DISPLAY_TYPES.join(", ") },
      },
  },
];
