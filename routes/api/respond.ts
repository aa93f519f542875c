/** New API's JSON envelope for the management API: `{success, message, data}`. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export function ok(c: Context, data?: unknown, message = ""): Response {
  return c.json(data === undefined ? { success: true, message } : { success: true, message, data });
}

export function fail(c: Context, status: ContentfulStatusCode, message: string): Response {
  return c.json({ success: false, message }, status);
}
