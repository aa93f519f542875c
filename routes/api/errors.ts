/**
 * The one error path of the management API: handlers and middleware throw `ApiError` (or let zod and
 * JSON failures become one) and `renderApiError` answers `{success:false, message}` with its status.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { HTTPException } from "hono/http-exception";
import { fail } from "./respond.ts";
import { type MessageKey, msg } from "./messages.ts";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: ContentfulStatusCode, message: string) {
    super(message);
  }
}

/** An ApiError whose text is the message `key` (see messages.ts). */
export function apiError(
  status: ContentfulStatusCode,
  key: MessageKey,
  params?: Record<string, string | number>,
): ApiError {
  return new ApiError(status, msg(key, params));
}

export const badRequest = (key: MessageKey, params?: Record<string, string | number>) =>
  apiError(400, key, params);
export const notFound = (key: MessageKey) => apiError(404, key);
export const forbidden = (key: MessageKey = "insufficientPrivilege") => apiError(403, key);

/** Renders an expected failure in the envelope, or returns undefined for a real fault (→ 500). */
export function renderApiError(c: Context, err: unknown): Response | undefined {
  if (err instanceof ApiError) return fail(c, err.status, err.message);
  if (err instanceof HTTPException) {
    return fail(c, err.status as ContentfulStatusCode, err.message || msg("invalidBody"));
  }
  return undefined;
}
