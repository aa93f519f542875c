/**
 * New API's model settings the relay reads (its `claude.*`, `gemini.*` and `global.*` keys): the thinking
 * adapters behind reasoning suffixes (`-thinking`, `-thinking-<budget>`, `-nothinking`) and the models whose
 * suffix is part of their real name. Read by `relay/pipeline/suffix_options.ts`.
 */
import { DEFAULT_THINKING_BLACKLIST } from "../relay/formats/model_suffix.ts";
import { boolOption, jsonOption, type OptionDef } from "./registry.ts";

/** A share of max_tokens: any JSON number (read back clamped to (0, 1]). */
const share = (key: string, value: number): OptionDef => ({
  key,
  default: String(value),
  validate: (
    v,
  ) => (Number.isFinite(Number(v)) && v.trim() !== ""
    ? undefined
    : { key: "api.option_json", params: { key } }),
});

export const modelSettingOptions: OptionDef[] = [
  boolOption("claude.thinking_adapter_enabled", true),
  share("claude.thinking_adapter_budget_tokens_percentage", 0.8),
  boolOption("gemini.thinking_adapter_enabled", false),
  share("gemini.thinking_adapter_budget_tokens_percentage", 0.6),
  jsonOption("global.thinking_model_blacklist", DEFAULT_THINKING_BLACKLIST),
];
