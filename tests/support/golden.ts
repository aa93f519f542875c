/**
 * Golden shapes of New API's answers (tests/fixtures/new_api/golden/*.json) and the one comparison every
 * golden test uses: same keys, same JSON types, nested objects and the first item of arrays compared
 * the same way. Extra keys are allowed only where the fixture lists them as ours.
 *
 * A shape maps each key to a type: a JSON type name (`string`, `number`, `boolean`, `null`, `array`,
 * `object`), several joined by `|`, `any`, a trailing `?` when New API omits the key (`omitempty`), a
 * nested shape (an object), or `[shape]` (an array whose first item has that shape, when there is one).
 * `{"*": type}` is a map: any key, every value of that type.
 */
export type GoldenType = string | GoldenShape | [GoldenShape | string];
export interface GoldenShape {
  [key: string]: GoldenType;
}

export interface GoldenFile {
  source: string;
  envelope: GoldenShape;
  page?: GoldenShape;
  shapes: Record<string, GoldenShape>;
  /** Keys our answers add to a shape (New API clients ignore unknown keys). */
  ours?: Record<string, string[]>;
}

export async function readGolden(name: string): Promise<GoldenFile> {
  const url = new URL(`../fixtures/new_api/golden/${name}.json`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url));
}

export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function typeProblems(where: string, value: unknown, type: GoldenType, ours: string[]): string[] {
  if (Array.isArray(type)) {
    if (!Array.isArray(value)) return [`${where}: ${jsonType(value)}, New API writes an array`];
    return value.length === 0 ? [] : typeProblems(`${where}[0]`, value[0], type[0], ours);
  }
  if (typeof type === "object") return shapeProblems(where, value, type, ours);
  const names = type.replace(/\?$/, "").split("|");
  if (names.includes("any") || names.includes(jsonType(value))) return [];
  return [`${where}: ${jsonType(value)}, New API writes ${type.replace(/\?$/, "")}`];
}

/**
 * Differences of `value` from `shape`, as readable lines (empty when it matches). `ours` names the keys
 * this project adds at the top level of the shape; nested shapes allow none.
 */
export function shapeProblems(
  where: string,
  value: unknown,
  shape: GoldenShape,
  ours: string[] = [],
): string[] {
  if (jsonType(value) !== "object") return [`${where}: ${jsonType(value)}, not an object`];
  const obj = value as Record<string, unknown>;
  if ("*" in shape && Object.keys(shape).length === 1) {
    return Object.entries(obj).flatMap(([k, v]) => typeProblems(`${where}.${k}`, v, shape["*"], []));
  }
  const problems: string[] = [];
  for (const [key, type] of Object.entries(shape)) {
    const optional = typeof type === "string" && type.endsWith("?");
    if (!(key in obj)) {
      if (!optional) problems.push(`${where}.${key}: missing`);
    } else problems.push(...typeProblems(`${where}.${key}`, obj[key], type, []));
  }
  for (const key of Object.keys(obj)) {
    if (!(key in shape) && !ours.includes(key)) {
      problems.push(`${where}.${key}: not New API's, not listed as ours`);
    }
  }
  return problems;
}

/** One answer checked against the fixture: the envelope, the page object if any, and every item. */
export function answerProblems(
  golden: GoldenFile,
  route: string,
  body: unknown,
  data: { page?: boolean; item: string; list?: boolean; pageShape?: GoldenShape; pageOurs?: string[] },
): string[] {
  const problems = shapeProblems(route, body, golden.envelope);
  const payload = (body as { data?: unknown })?.data;
  const ours = golden.ours?.[data.item] ?? [];
  const shape = golden.shapes[data.item];
  if (!shape) throw new Error(`fixture has no shape ${data.item}`);
  let items: unknown[];
  if (data.page) {
    const pageShape = data.pageShape ?? golden.page;
    if (!pageShape) throw new Error("fixture has no page shape");
    problems.push(
      ...shapeProblems(`${route} data`, payload, pageShape, data.pageOurs ?? golden.ours?.page ?? []),
    );
    items = ((payload as { items?: unknown[] })?.items) ?? [];
  } else if (data.list) {
    if (!Array.isArray(payload)) return [...problems, `${route} data: ${jsonType(payload)}, not an array`];
    items = payload;
  } else items = [payload];
  if (items.length === 0) problems.push(`${route}: no item to compare (the test needs realistic data)`);
  for (const item of items) problems.push(...shapeProblems(`${route} item`, item, shape, ours));
  return [...new Set(problems)];
}
