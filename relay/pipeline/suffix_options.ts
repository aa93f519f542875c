/** The model-suffix settings (options/model_settings.ts) as `applyModelSuffix` takes them, cached per catalog version. */
import type { Catalog } from "../../store/cache/catalog.ts";
import type { ModelSuffixOptions } from "../formats/model_suffix.ts";
import { optionRegistry } from "../../options/index.ts";

const cache = new WeakMap<object, { version: number; options: ModelSuffixOptions }>();

function share(catalog: Catalog, key: string): number | undefined {
  const v = optionRegistry.float(catalog, key);
  return v > 0 && v <= 1 ? v : undefined;
}

export function suffixOptions(catalog: Catalog): ModelSuffixOptions {
  const cached = cache.get(catalog);
  if (cached?.version === catalog.version) return cached.options;
  const list = optionRegistry.json<unknown>(catalog, "global.thinking_model_blacklist");
  const options: ModelSuffixOptions = {
    claudeThinkingAdapter: optionRegistry.bool(catalog, "claude.thinking_adapter_enabled"),
    claudeBudgetShare: share(catalog, "claude.thinking_adapter_budget_tokens_percentage"),
    geminiThinkingAdapter: optionRegistry.bool(catalog, "gemini.thinking_adapter_enabled"),
    geminiBudgetShare: share(catalog, "gemini.thinking_adapter_budget_tokens_percentage"),
    thinkingBlacklist: Array.isArray(list)
      ? list.filter((x): x is string => typeof x === "string")
      : undefined,
  };
  cache.set(catalog, { version: catalog.version, options });
  return options;
}
