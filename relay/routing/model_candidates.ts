/**
 * The names a requested model is looked up under, New API's `channelLookupModelCandidates`: the name
 * itself, its pricing name (`gpt-4-gizmo-abc` → `gpt-4-gizmo-*`, thinking-budget variants), and for a
 * compaction's `{model}-openai-compact` the base model and its pricing name, so a channel listing `gpt-5`
 * (or `gpt-4-gizmo-*`) serves them.
 */
import { COMPACT_SUFFIX, matchingModelName } from "../billing/price_table.ts";

/** New API's `WithCompactModelSuffix`: the billing name of a compaction request. */
export function withCompactSuffix(model: string): string {
  return model.endsWith(COMPACT_SUFFIX) ? model : model + COMPACT_SUFFIX;
}

export function modelCandidates(model: string): string[] {
  const out: string[] = [];
  const add = (name: string) => {
    if (name && !out.includes(name)) out.push(name);
  };
  add(model);
  add(matchingModelName(model));
  if (model.endsWith(COMPACT_SUFFIX)) {
    const base = model.slice(0, -COMPACT_SUFFIX.length);
    add(base);
    add(matchingModelName(base));
  }
  return out;
}
