/**
 * Per-channel model mapping: a JSON object from requested model to upstream model, followed as a chain
 * (a → b → c) to its end. A cycle is an error (New API's `model_mapping_contains_cycle`), never a hang.
 */

export class ModelMappingCycle extends Error {
  override name = "ModelMappingCycle";
}

/** Parses the channel's mapping text; an empty or malformed value means no mapping. */
export function parseModelMapping(text: string): Record<string, string> {
  if (!text || !text.trim()) return {};
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v)) return {};
    const out: Record<string, string> = {};
    for (const [k, target] of Object.entries(v)) if (typeof target === "string" && target) out[k] = target;
    return out;
  } catch {
    return {};
  }
}

export function mapModel(mapping: Record<string, string>, model: string): string {
  const seen = new Set<string>([model]);
  let current = model;
  while (Object.hasOwn(mapping, current)) {
    const next = mapping[current];
    if (next === current) break;
    if (seen.has(next)) throw new ModelMappingCycle(`model mapping contains a cycle at ${next}`);
    seen.add(next);
    current = next;
  }
  return current;
}

/** Per-channel status-code mapping (e.g. {"400":"500"}): the status reported for an upstream status. */
export function mapStatus(mappingText: string, status: number): number {
  if (!mappingText || !mappingText.trim()) return status;
  try {
    const v = JSON.parse(mappingText) as Record<string, unknown>;
    const mapped = Number(v?.[String(status)]);
    return Number.isInteger(mapped) && mapped >= 100 && mapped <= 599 ? mapped : status;
  } catch {
    return status;
  }
}
