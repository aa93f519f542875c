/**
 * Reading requests at the edge: JSON bodies (size-capped, zod-checked), query strings, paging
 * (`p`, `page_size`/`ps`/`size`, New API's lenient rule) and numeric path ids. Every other failure becomes
 * a 400 ApiError with a message naming the field.
 */
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import { ApiError, apiError, badRequest, notFound } from "./errors.ts";
import type { ApiMessageKey } from "./messages.ts";

/** Authenticated JSON bodies: large enough for a multi-key channel, small enough to bound memory. */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw apiError(413, "api.body_too_large", { limit: maxBytes });
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw apiError(413, "api.body_too_large", { limit: maxBytes });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** The first bad field as an ApiError: "{field} is required", or "Invalid {field}: {detail}". */
export function zodApiError(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue.path.map(String).join(".");
  if (!field) return new ApiError(400, "api.invalid_body");
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return new ApiError(400, "api.field_required", { field });
  }
  return new ApiError(400, "api.invalid_field", { field }, issue);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  // The input is reported so that each language can word the issue ("received string"); it is never echoed.
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw zodApiError(result.error);
  return result.data;
}

/** The JSON body checked against `schema` (which should describe an object); `empty` lets no body be `{}`. */
export async function readJson<S extends z.ZodType>(
  c: Context,
  schema: S,
  maxBytes = DEFAULT_BODY_LIMIT,
  empty?: "as_object",
): Promise<z.output<S>> {
  const text = await readBodyText(c.req.raw, maxBytes);
  // Some of New API's routes take an empty body as `{}` (they ignore the bind error).
  if (empty === "as_object" && text.trim() === "") return parseWith(schema, {});
  let value: unknown;
  try {
    value = text.trim() === "" ? undefined : JSON.parse(text);
  } catch {
    throw badRequest("api.invalid_json");
  }
  // PostgreSQL's text cannot hold U+0000, and no field of the API needs it: refused on every store alike.
  if (text.includes("\\u0000") && holdsNul(value)) throw badRequest("api.nul_character");
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("api.invalid_body");
  }
  return parseWith(schema, value);
}

/** Whether a parsed JSON value has U+0000 in any string or key. */
function holdsNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\0");
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(holdsNul);
  return Object.entries(value).some(([k, v]) => k.includes("\0") || holdsNul(v));
}

/**
 * Middleware for `/api/*`: a query string with a NUL byte (`%00`) is refused with a 400, on every store
 * alike (PostgreSQL's text cannot hold one, so a search for it would otherwise fail as a 500).
 */
export const refuseNulInQuery: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  const q = url.indexOf("?");
  if (q !== -1 && /%00/i.test(url.slice(q))) throw badRequest("api.nul_character");
  await next();
};

/** The query string checked against `schema`; empty values count as absent. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.query())) if (v !== "") raw[k] = v;
  return parseWith(schema, raw);
}

/** A query integer (given as text) within bounds. */
export const queryInt = (min: number, max: number) =>
  z.string().regex(/^-?\d+$/, "api.expected_integer").transform(Number).pipe(z.int().min(min).max(max));

/** A query boolean: true/false/1/0. */
export const queryBool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const MAX_PAGE_SIZE = 100;
/** Far past any real list; it only keeps `offset` a safe integer for the database. */
const MAX_PAGE = 1_000_000;

export interface Paging {
  page: number;
  pageSize: number;
  offset: number;
}

/** Go's `strconv.Atoi`: an optionally signed decimal integer, else nothing (New API then defaults). */
function atoi(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/**
 * The one paging parser of `/api`, New API's `GetPageQuery`: `p` counts from 1 (absent, 0, negative or
 * not a number → 1); the size is the first of `page_size`, `ps`, `size` that is a nonzero integer, else
 * `defaultSize`; below 1 → `defaultSize`, above 100 → 100. Never an error: One API scripts send `p=0`.
 */
export function readPaging(c: Context, defaultSize = 10): Paging {
  const page = Math.min(MAX_PAGE, Math.max(1, atoi(c.req.query("p")) ?? 1));
  let pageSize = defaultSize;
  for (const name of ["page_size", "ps", "size"]) {
    const n = atoi(c.req.query(name));
    if (n) {
      pageSize = n;
      break;
    }
  }
  if (pageSize < 1) pageSize = defaultSize;
  if (pageSize > MAX_PAGE_SIZE) pageSize = MAX_PAGE_SIZE;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/**
 * New API's paged `data`, its `PageInfo`: `{page, page_size, start_timestamp, end_timestamp, total, items}`.
 * The two timestamps are always 0 there (no query parameter binds them), so they are here.
 */
export function pageData<T>(paging: Paging, items: T[], total: number) {
  return {
    page: paging.page,
    page_size: paging.pageSize,
    start_timestamp: 0,
    end_timestamp: 0,
    total,
    items,
  };
}

/** A positive integer path parameter; anything else is "not found" (`missing` names the thing). */
export function idParam(c: Context, missing: ApiMessageKey, name = "id"): number {
  const text = c.req.param(name) ?? "";
  const id = /^\d{1,15}$/.test(text) ? Number(text) : 0;
  if (id <= 0) throw notFound(missing);
  return id;
}

/** Text PostgreSQL can store: no NUL character. */
export const NO_NUL = /^[^\0]*$/;

/** A positive id inside a body. */
export const bodyId = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
