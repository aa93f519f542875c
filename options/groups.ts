/**
 * User groups (New API's `GroupRatio`, `UserUsableGroups`, `GroupGroupRatio`) and the rules built on
 * them: which groups a user may pick for a token, and the price ratio a user pays in a group.
 */
import type { OptionDef, OptionSource } from "./registry.ts";

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

export const groupOptions: OptionDef[] = [
  {
    key: "GroupRatio",
    default: JSON.stringify({ default: 1, vip: 1, svip: 1 }),
    validate: (v) => {
      const o = parseObject(v);
      if (!o) return "GroupRatio must be a JSON object of group → ratio";
      for (const [name, ratio] of Object.entries(o)) {
        if (!validGroupName(name)) return `GroupRatio: invalid group name "${name}"`;
        if (!validRatio(ratio)) {
          return `GroupRatio: the ratio of "${name}" must be a number from 0 to 1000000`;
        }
      }
      return undefined;
    },
  },
  {
    key: "UserUsableGroups",
    default: JSON.stringify({ default: "Default group", vip: "VIP group" }),
    validate: (v) => {
      const o = parseObject(v);
      if (!o) return "UserUsableGroups must be a JSON object of group → description";
      for (const [name, desc] of Object.entries(o)) {
        if (!validGroupName(name)) return `UserUsableGroups: invalid group name "${name}"`;
        if (typeof desc !== "string") return `UserUsableGroups: the description of "${name}" must be text`;
      }
      return undefined;
    },
  },
  {
    key: "GroupGroupRatio",
    default: "{}",
    validate: (v) => {
      const o = parseObject(v);
      if (!o) return "GroupGroupRatio must be a JSON object of user group → {group → ratio}";
      for (const [userGroup, ratios] of Object.entries(o)) {
        const inner = ratios && typeof ratios === "object" && !Array.isArray(ratios) ? ratios : undefined;
        if (!inner) return `GroupGroupRatio: "${userGroup}" must map to an object`;
        for (const [name, ratio] of Object.entries(inner)) {
          if (!validRatio(ratio)) {
            return `GroupGroupRatio: the ratio of "${userGroup}" → "${name}" is invalid`;
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
