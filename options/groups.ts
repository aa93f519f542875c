/**
 * User groups (New API's `GroupRatio`, `UserUsableGroups`, `GroupGroupRatio`) and the rules built on
 * them: which groups a user may pick for a token, and the price ratio a user pays in a group.
 */
import { boolOption, intOption, type OptionDef, type OptionSource } from "./registry.ts";
import type { Message } from "../i18n/messages.ts";

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const validRatio = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1e6;
const validGroupName = (name: string) => name.trim() !== "" && name.length <= 64 && !name.includes(",");

/** New API's `AutoGroups`: the groups a token of group "auto" walks, in order (those the user may use). */
export function autoGroups(source: OptionSource): string[] {
  try {
    const v = JSON.parse(source.option("AutoGroups") ?? '["default"]');
    return Array.isArray(v) ? v.filter((g): g is string => typeof g === "string" && g !== "auto") : [];
  } catch {
    return [];
  }
}

/** New API's `MaxTokenAutoGroups`: how many groups a token's own auto list may hold (a positive integer). */
export function maxTokenAutoGroups(source: OptionSource): number {
  const n = Number(source.option("MaxTokenAutoGroups") ?? "5");
  return Number.isInteger(n) && n > 0 ? n : 5;
}

/** New API's `DefaultUseAutoGroup`: a registration's default token is of group "auto". */
export function defaultUseAutoGroup(source: OptionSource): boolean {
  return source.option("DefaultUseAutoGroup") === "true";
}

export const groupOptions: OptionDef[] = [
  boolOption("DefaultUseAutoGroup", false),
  intOption("MaxTokenAutoGroups", 5, 1, 2147483647),
  {
    key: "AutoGroups",
    default: JSON.stringify(["default"]),
    validate: (v): Message | undefined => {
      try {
        const a = JSON.parse(v);
        if (Array.isArray(a) && a.every((g) => typeof g === "string" && validGroupName(g))) return undefined;
      } catch { /* not JSON */ }
      return { key: "api.option_json", params: { key: "AutoGroups" } };
    },
  },
  {
    key: "GroupRatio",
    default: JSON.stringify({ default: 1, vip: 1, svip: 1 }),
    validate: (v): Message | undefined => {
      const o = parseObject(v);
      if (!o) return { key: "api.option_json_object", params: { key: "GroupRatio" } };
      for (const [name, ratio] of Object.entries(o)) {
        if (!validGroupName(name)) {
          return { key: "api.option_group_name", params: { key: "GroupRatio", name } };
        }
        if (!validRatio(ratio)) return { key: "api.option_group_ratio", params: { key: "GroupRatio", name } };
      }
      return undefined;
    },
  },
  {
    key: "UserUsableGroups",
    default: JSON.stringify({ default: "Default group", vip: "VIP group" }),
    validate: (v): Message | undefined => {
      const o = parseObject(v);
      const key = "UserUsableGroups";
      if (!o) return { key: "api.option_json_object", params: { key } };
      for (const [name, desc] of Object.entries(o)) {
        if (!validGroupName(name)) return { key: "api.option_group_name", params: { key, name } };
        if (typeof desc !== "string") return { key: "api.option_group_description", params: { key, name } };
      }
      return undefined;
    },
  },
  {
    key: "GroupGroupRatio",
    default: "{}",
    validate: (v): Message | undefined => {
      const o = parseObject(v);
      const key = "GroupGroupRatio";
      if (!o) return { key: "api.option_json_object", params: { key } };
      for (const [userGroup, ratios] of Object.entries(o)) {
        const inner = ratios && typeof ratios === "object" && !Array.isArray(ratios) ? ratios : undefined;
        if (!inner) return { key: "api.option_group_map", params: { key, name: userGroup } };
        for (const [name, ratio] of Object.entries(inner)) {
          if (!validRatio(ratio)) {
            return { key: "api.option_group_ratio", params: { key, name: `${userGroup} → ${name}` } };
          }
        }
      }
      return undefined;
    },
  },
];

function readObject(source: OptionSource, key: string): Record<string, unknown> {
  const stored = source.option(key);
  const parsed = stored === undefined ? undefined : parseObject(stored);
  return parsed ?? parseObject(groupOptions.find((d) => d.key === key)!.default)!;
}

/** Group → ratio, as configured (non-numeric entries dropped). */
export function groupRatios(source: OptionSource): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, ratio] of Object.entries(readObject(source, "GroupRatio"))) {
    if (validRatio(ratio)) out[name] = ratio as number;
  }
  return out;
}

/** The groups a user in `userGroup` may choose, with descriptions (their own group always included). */
export function usableGroups(source: OptionSource, userGroup: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, desc] of Object.entries(readObject(source, "UserUsableGroups"))) {
    out[name] = typeof desc === "string" ? desc : "";
  }
  if (userGroup && !(userGroup in out)) out[userGroup] = "User group";
  return out;
}

/** The ratio a user in `userGroup` pays when using `group` (a per-user-group override first). */
export function groupRatioFor(source: OptionSource, userGroup: string, group: string): number {
  const special = readObject(source, "GroupGroupRatio")[userGroup];
  if (special && typeof special === "object") {
    const ratio = (special as Record<string, unknown>)[group];
    if (validRatio(ratio)) return ratio as number;
  }
  return groupRatios(source)[group] ?? 1;
}

/** Whether a token of a user in `userGroup` may be bound to `group` ("" = the user's own group). */
export function isSelectableGroup(source: OptionSource, userGroup: string, group: string): boolean {
  if (group === "") return true;
  if (!(group in usableGroups(source, userGroup))) return false;
  return group === "auto" || group in groupRatios(source);
}

/** New API's IsUserSelectableGroup: a real group (not "auto") the user may use and that has a ratio. */
export function isRealSelectableGroup(source: OptionSource, userGroup: string, group: string): boolean {
  return group !== "" && group !== "auto" && group in usableGroups(source, userGroup) &&
    group in groupRatios(source);
}

/**
 * The groups a token of group "auto" walks, New API's GetRequestAutoGroups: the token's own list when it
 * has one (`tokenList`, parsed from `auto_groups`; a list that cannot be read is an empty one), filtered by
 * what the user may use now and cut at `MaxTokenAutoGroups`; else `AutoGroups` filtered the same way.
 */
export function requestAutoGroups(
  source: OptionSource,
  userGroup: string,
  tokenList: string[] | undefined,
): string[] {
  const cap = tokenList === undefined ? Infinity : maxTokenAutoGroups(source);
  const out: string[] = [];
  for (const g of tokenList ?? autoGroups(source)) {
    if (out.length >= cap) break;
    if (!out.includes(g) && isRealSelectableGroup(source, userGroup, g)) out.push(g);
  }
  return out;
}

/** A token's stored `auto_groups`: undefined when empty (inherit `AutoGroups`), [] when unreadable. */
export function parseTokenAutoGroups(stored: string): string[] | undefined {
  if (stored === "") return undefined;
  try {
    const v = JSON.parse(stored);
    if (v === null) return undefined;
    if (!Array.isArray(v) || !v.every((g) => typeof g === "string")) return [];
    return v.length > 0 ? v : undefined;
  } catch {
    return [];
  }
}
