/**
 * Validates an untrusted request body against a codec's zod schema and turns the first problem into a 400
 * RelayError that names the field, e.g. `messages[1].content: expected a string or an array of parts`.
 */
import { z as zod } from "zod";
import type { z } from "zod";
import { invalidRequest } from "./errors.ts";

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/**
 * A union ("a string or an array of parts") that fails inside one branch reports the deepest problem of
 * that branch (`messages[0].content[1].text: …`); a value matching no branch at all keeps the union's message.
 */
function mostSpecific(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || !issue.errors) return issue;
  let best = issue;
  for (const branch of issue.errors) {
    for (const sub of branch) {
      const inner = mostSpecific({ ...sub, path: [...issue.path, ...sub.path] });
      if (inner.path.length > best.path.length) best = inner;
    }
  }
  return best;
}

export function parseRequestBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalidRequest("request body must be a JSON object");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = mostSpecific(result.error.issues[0]);
  const where = pathText(issue.path);
  throw invalidRequest(where ? `${where}: ${issue.message}` : issue.message, where || undefined);
}

/**
 * Array items tagged by `type`: known types are checked against their schema (issues keep their path),
 * unknown types (server tools, new block kinds) pass as `{ type: "unsupported" }` for the decoder to skip.
 */
export function taggedItem<T extends Record<string, z.ZodType>>(schemas: T) {
  return zod.looseObject({ type: zod.string() }).transform((item, ctx) => {
    const schema = Object.hasOwn(schemas, item.type) ? schemas[item.type] : undefined;
    if (!schema) return { type: "unsupported" as const, unsupported: item.type };
    const r = schema.safeParse(item);
    if (r.success) return r.data as z.output<T[keyof T]>;
    for (const issue of r.error.issues) {
      ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    }
    return zod.NEVER;
  });
}
