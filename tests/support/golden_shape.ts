/**
 * Golden shapes of New API's answers (tests/fixtures/new_api/golden/*.json): a shape maps each key New API
 * writes to its JSON type (`a|b` for either, `any` for all); a type starting with `?` is a Go `omitempty`
 * key, checked when present and allowed to be absent.
 */

export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Differences of `value` from `shape` (keys not in it are allowed only when listed in `ours`), as lines. */
export function shapeProblems(
  where: string,
  value: unknown,
  shape: Record<string, string>,
  ours: string[] = [],
): string[] {
  if (jsonType(value) !== "object") return [`${where}: ${jsonType(value)}, not an object`];
  const obj = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(shape)) {
    const optional = spec.startsWith("?");
    const type = optional ? spec.slice(1) : spec;
    if (!(key in obj)) {
      if (!optional) problems.push(`${where}.${key}: missing`);
    } else if (type !== "any" && !type.split("|").includes(jsonType(obj[key]))) {
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
