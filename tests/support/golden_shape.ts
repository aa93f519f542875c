/** Comparing an answer with a golden New API shape: keys present, JSON types, no unlisted extra keys. */
function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Differences of `value` from `shape` (types may be `a|b`; `any` matches all), as readable lines. */
export function shapeProblems(
  where: string,
  value: unknown,
  shape: Record<string, string>,
  ours: string[] = [],
) {
  if (jsonType(value) !== "object") return [`${where}: ${jsonType(value)}, not an object`];
  const obj = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, type] of Object.entries(shape)) {
    if (!(key in obj)) problems.push(`${where}.${key}: missing`);
    else if (type !== "any" && !type.split("|").includes(jsonType(obj[key]))) {
      problems.push(`${where}.${key}: ${jsonType(obj[key])}, New API writes ${type}`);
    }
  }
  for (const key of Object.keys(obj)) {
    if (!(key in shape) && !ours.includes(key)) {
      problems.push(`${where}.${key}: not New API's, not listed as ours`);
    }
  }
  return problems;
}
