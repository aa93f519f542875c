/**
 * The price tables as the options currently say (stored JSON, else New API's defaults), with New API's
 * model-name matching. Parsed maps are cached by the option's text, so a lookup on the hot path is a map
 * read; every value is bounded when parsed, so a hostile or mistyped option cannot create a negative price.
 */
import type { OptionSource } from "../../options/registry.ts";
import { optionRegistry } from "../../options/index.ts";
import { familyCompletionRatio } from "./completion_ratio.ts";
import { DEFAULT_CREATE_CACHE_FALLBACK, type RatioMap } from "./default_ratios.ts";
import { boundedRatio } from "./quota_math.ts";

/** Upper bounds per table: far above any real price, low enough that products stay finite. */
const MAX = { ratio: 10_000, completion: 1_000, cache: 100, price: 10_000, group: 1_000 } as const;

/** New API's billing name of a compaction (`{model}-openai-compact`) and its wildcard price key. */
export const COMPACT_SUFFIX = "-openai-compact";
const COMPACT_WILDCARD = "*-openai-compact";

const parsed = new Map<string, { text: string; map: RatioMap }>();
const nestedCache = new Map<string, { text: string; map: Readonly<Record<string, RatioMap>> }>();

function parseRatioMap(key: string, text: string, max: number): RatioMap {
  const hit = parsed.get(key);
  if (hit && hit.text === text) return hit.map;
  const map: Record<string, number> = {};
  try {
    const raw = JSON.parse(text);
    if (raw && typeof raw === "object" && !Array.isArray(raw)) {
      for (const [name, value] of Object.entries(raw)) {
        const v = boundedRatio(value, NaN, max);
        if (!Number.isNaN(v)) map[name] = v;
      }
    }
  } catch { /* a malformed option prices nothing; the registry's validator keeps it from being saved */ }
  parsed.set(key, { text, map });
  return map;
}

function parseNestedMap(key: string, text: string, max: number): Readonly<Record<string, RatioMap>> {
  const hit = nestedCache.get(key);
  if (hit && hit.text === text) return hit.map;
  const out: Record<string, RatioMap> = {};
  try {
    const raw = JSON.parse(text);
    if (raw && typeof raw === "object" && !Array.isArray(raw)) {
      for (const [group, inner] of Object.entries(raw)) {
        out[group] = parseRatioMap(`${key}/${group}`, JSON.stringify(inner), max);
      }
    }
  } catch { /* see parseRatioMap */ }
  nestedCache.set(key, { text, map: out });
  return out;
}

/** New API's name normalisation: thinking-budget variants and GPTs share one price entry. */
export function matchingModelName(name: string): string {
  const thinking = (prefix: string, wildcard: string) =>
    name.startsWith(prefix) && name.includes("-thinking-") ? wildcard : name;
  if (name.startsWith("gemini-2.5-flash-lite")) {
    name = thinking("gemini-2.5-flash-lite", "gemini-2.5-flash-lite-thinking-*");
  } else if (name.startsWith("gemini-2.5-flash")) {
    name = thinking("gemini-2.5-flash", "gemini-2.5-flash-thinking-*");
  } else if (name.startsWith("gemini-2.5-pro")) {
    name = thinking("gemini-2.5-pro", "gemini-2.5-pro-thinking-*");
  }
  if (name.startsWith("gpt-4-gizmo")) name = "gpt-4-gizmo-*";
  if (name.startsWith("gpt-4o-gizmo")) name = "gpt-4o-gizmo-*";
  return name;
}

export interface GroupRatio {
  ratio: number;
  /** The user-group × routed-group special ratio, or -1 when none applies (New API logs it so). */
  userGroupRatio: number;
}

/** Read-only view of the price options at one moment. */
export class PriceTable {
  constructor(private readonly source: OptionSource) {}

  #map(key: string, max: number): RatioMap {
    return parseRatioMap(key, optionRegistry.string(this.source, key), max);
  }

  #lookup(key: string, max: number, name: string): number | undefined {
    const map = this.#map(key, max);
    const v = map[name];
    if (v !== undefined) return v;
    return name.endsWith(COMPACT_SUFFIX) ? map[COMPACT_WILDCARD] : undefined;
  }

  /** Fixed USD per call, if the model has one (it then wins over any ratio). */
  modelPrice(model: string): number | undefined {
    return this.#lookup("ModelPrice", MAX.price, matchingModelName(model));
  }

  /**
   * A compaction name (`{model}-openai-compact`) with no ratio of its own nor a `*-openai-compact` one is
   * ratio 0, as New API's GetModelRatio answers (step 3): priced, and free unless the admin sets one.
   */
  modelRatio(model: string): number | undefined {
    const name = matchingModelName(model);
    const ratio = this.#lookup("ModelRatio", MAX.ratio, name);
    if (ratio === undefined && name.endsWith(COMPACT_SUFFIX)) return 0;
    return ratio;
  }

  completionRatio(model: string): number {
    const name = matchingModelName(model);
    const configured = this.#map("CompletionRatio", MAX.completion)[name];
    if (name.includes("/") && configured !== undefined) return configured;
    const family = familyCompletionRatio(name);
    if (family.locked) return family.ratio;
    return configured ?? family.ratio;
  }

  cacheRatio(model: string): number {
    return this.#map("CacheRatio", MAX.cache)[model] ?? 1;
  }

  createCacheRatio(model: string): number {
    return this.#map("CreateCacheRatio", MAX.cache)[model] ?? DEFAULT_CREATE_CACHE_FALLBACK;
  }

  imageRatio(model: string): number {
    return this.#map("ImageRatio", MAX.cache)[model] ?? 1;
  }

  audioRatio(model: string): number {
    return this.#map("AudioRatio", MAX.ratio)[matchingModelName(model)] ?? 1;
  }

  audioCompletionRatio(model: string): number {
    return this.#map("AudioCompletionRatio", MAX.ratio)[matchingModelName(model)] ?? 1;
  }

  /** The ratio for a user of `userGroup` calling through `usingGroup`. */
  groupRatio(userGroup: string, usingGroup: string): GroupRatio {
    const special = parseNestedMap(
      "GroupGroupRatio",
      optionRegistry.string(this.source, "GroupGroupRatio"),
      MAX.group,
    )[userGroup]?.[usingGroup];
    if (special !== undefined) return { ratio: special, userGroupRatio: special };
    return { ratio: this.#map("GroupRatio", MAX.group)[usingGroup] ?? 1, userGroupRatio: -1 };
  }
}
