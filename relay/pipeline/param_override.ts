/**
 * A channel's param override (New API's `param_override`), applied to the upstream JSON body. Two forms:
 *
 * - legacy: a JSON object whose members replace the body's top-level members;
 * - `{"operations": [...]}`: each operation has `mode` and, by mode, `path`, `value`, `from`, `to`,
 *   `keep_origin`, plus optional `conditions` (each `{path, mode, value, invert, pass_missing_key}` with
 *   mode full | prefix | suffix | contains | gt | gte | lt | lte) joined by `logic` (AND, default OR).
 *
 * Modes implemented: set (keep_origin: only when absent), delete, copy (from → to), move (from → to),
 * prepend / append (arrays: add items; strings: concatenate; objects: merge, keep_origin keeps existing
 * keys), block (refuse the request) and pass (stop processing). Paths are `json_path.ts` paths. Not
 * implemented: New API's string transforms (trim, case, regex replace...), header operations and
 * `return_error`; an unknown mode is a channel configuration error.
 */
import { deletePath, getPath, hasPath, type Json, setPath } from "./json_path.ts";

export class ParamOverrideError extends Error {
  override name = "ParamOverrideError";
}

/** The override asked to refuse this request (`block`). */
export class ParamOverrideBlocked extends Error {
  override name = "ParamOverrideBlocked";
}

interface Condition {
  path: string;
  mode: string;
  value: Json;
  invert?: boolean;
  pass_missing_key?: boolean;
}

interface Operation {
  mode: string;
  path?: string;
  value?: Json;
  from?: string;
  to?: string;
  keep_origin?: boolean;
  conditions?: Condition[];
  logic?: string;
}

export type ParamOverride = { legacy: Record<string, Json> } | { operations: Operation[] };

type Body = Record<string, Json>;

/** Parses the channel's text; undefined when empty. Malformed text is a ParamOverrideError. */
export function parseParamOverride(text: string): ParamOverride | undefined {
  if (!text || !text.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ParamOverrideError("param override is not valid JSON");
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    throw new ParamOverrideError("param override must be an object");
  }
  const ops = (v as Record<string, unknown>).operations;
  if (Array.isArray(ops)) {
    for (const op of ops) {
      if (!op || typeof op !== "object" || typeof (op as Operation).mode !== "string") {
        throw new ParamOverrideError("every param override operation needs a mode");
      }
    }
    return { operations: ops as Operation[] };
  }
  return { legacy: v as Record<string, Json> };
}

function compare(actual: Json, expected: Json, mode: string): boolean {
  switch (mode.toLowerCase()) {
    case "full":
      if (typeof actual === "object" || typeof expected === "object") {
        return JSON.stringify(actual) === JSON.stringify(expected);
      }
      if (typeof actual !== typeof expected) return false;
      return actual === expected;
    case "prefix":
      return String(actual).startsWith(String(expected));
    case "suffix":
      return String(actual).endsWith(String(expected));
    case "contains":
      return String(actual).includes(String(expected));
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      if (typeof actual !== "number" || typeof expected !== "number") return false;
      const m = mode.toLowerCase();
      return m === "gt"
        ? actual > expected
        : m === "gte"
        ? actual >= expected
        : m === "lt"
        ? actual < expected
        : actual <= expected;
    }
    default:
      throw new ParamOverrideError(`unknown condition mode "${mode}"`);
  }
}

function conditionsHold(body: Body, op: Operation): boolean {
  const list = op.conditions ?? [];
  if (list.length === 0) return true;
  const results = list.map((c) => {
    if (!hasPath(body, c.path)) return c.pass_missing_key === true;
    const r = compare(getPath(body, c.path), c.value, c.mode ?? "full");
    return c.invert ? !r : r;
  });
  return (op.logic ?? "OR").toUpperCase() === "AND" ? results.every(Boolean) : results.some(Boolean);
}

function need(v: string | undefined, what: string, mode: string): string {
  if (typeof v !== "string" || v === "") throw new ParamOverrideError(`${mode} needs "${what}"`);
  return v;
}

function combine(body: Body, op: Operation, prepend: boolean): void {
  const path = need(op.path, "path", op.mode);
  const current = getPath(body, path);
  const value = structuredClone(op.value);
  let next: Json;
  if (Array.isArray(current)) {
    const items = Array.isArray(value) ? value : [value];
    next = prepend ? [...items, ...current] : [...current, ...items];
  } else if (typeof current === "string") {
    next = prepend ? `${String(value)}${current}` : `${current}${String(value)}`;
  } else if (current && typeof current === "object" && value && typeof value === "object") {
    const merged: Record<string, Json> = { ...(current as Record<string, Json>) };
    for (const [k, v] of Object.entries(value as Record<string, Json>)) {
      if (!op.keep_origin || merged[k] === undefined || merged[k] === null) merged[k] = v;
    }
    next = merged;
  } else if (current === undefined) {
    next = value;
  } else {
    throw new ParamOverrideError(`${op.mode}: cannot combine with the value at "${path}"`);
  }
  setPath(body, path, next);
}

/** The operation modes `applyParamOverride` carries out (New API's header and string modes are not here). */
export const PARAM_OVERRIDE_MODES: ReadonlySet<string> = new Set([
  "block",
  "pass",
  "set",
  "delete",
  "copy",
  "move",
  "prepend",
  "append",
]);

/** Applies the override to `body` in place. Throws ParamOverrideBlocked or ParamOverrideError. */
export function applyParamOverride(body: Body, override: ParamOverride): void {
  if ("legacy" in override) {
    for (const [k, v] of Object.entries(override.legacy)) body[k] = structuredClone(v);
    return;
  }
  for (const op of override.operations) {
    if (!conditionsHold(body, op)) continue;
    switch (op.mode) {
      case "block":
        throw new ParamOverrideBlocked("request blocked by the channel's param override conditions");
      case "pass":
        return;
      case "set": {
        const path = need(op.path, "path", op.mode);
        if (op.keep_origin && hasPath(body, path)) break;
        if (!setPath(body, path, structuredClone(op.value))) {
          throw new ParamOverrideError(`set: bad path "${path}"`);
        }
        break;
      }
      case "delete":
        deletePath(body, need(op.path, "path", op.mode));
        break;
      case "copy":
      case "move": {
        const from = need(op.from, "from", op.mode);
        const to = need(op.to, "to", op.mode);
        if (!hasPath(body, from)) break;
        const value = structuredClone(getPath(body, from));
        if (op.mode === "move") deletePath(body, from);
        if (!setPath(body, to, value)) throw new ParamOverrideError(`${op.mode}: bad path "${to}"`);
        break;
      }
      case "prepend":
      case "append":
        combine(body, op, op.mode === "prepend");
        break;
      default:
        throw new ParamOverrideError(`unknown param override mode "${op.mode}"`);
    }
  }
}
