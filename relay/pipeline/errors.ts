/**
 * The relay's error answers: every failure becomes a RelayError rendered in the caller's dialect with
 * " (request id: …)" appended and the `X-Oneapi-Request-Id` header (and Claude's `request-id`); limits add
 * `Retry-After`.
 */
import type { Dialect } from "../formats/ir.ts";
import { RelayError, renderError } from "../formats/errors.ts";
import { BillingError } from "../billing/errors.ts";

export const REQUEST_ID_HEADER = "X-Oneapi-Request-Id";

/** A 429 from a limit, with the seconds to wait. */
export class RateLimitedError extends RelayError {
  override name = "RateLimitedError";
  constructor(message: string, readonly retryAfterSeconds: number, code = "rate_limit_exceeded") {
    super(429, message, { code });
  }
}

/** The client went away before the answer started: nothing is written, nothing is charged. */
export class ClientGoneError extends Error {
  override name = "ClientGoneError";
}

/** Maps anything thrown inside the pipeline to a RelayError (internals never reach the client). */
export function toRelayError(e: unknown): RelayError {
  if (e instanceof RelayError) return e;
  if (e instanceof BillingError) return new RelayError(e.status, e.message, { code: e.code, param: e.param });
  return new RelayError(500, "internal error", { code: "new_api_error" });
}

/** The request id headers of an answer: New API's, plus `request-id` for Claude clients (the SDK reads it). */
export function requestIdHeaders(dialect: Dialect, requestId: string): Record<string, string> {
  return dialect === "claude"
    ? { [REQUEST_ID_HEADER]: requestId, "request-id": requestId }
    : { [REQUEST_ID_HEADER]: requestId };
}

export function errorResponse(dialect: Dialect, err: RelayError, requestId: string): Response {
  const { status, body } = renderError(dialect, err, { requestId });
  const headers = new Headers({
    "content-type": "application/json",
    ...requestIdHeaders(dialect, requestId),
  });
  if (err instanceof RateLimitedError) headers.set("retry-after", String(err.retryAfterSeconds));
  return new Response(JSON.stringify(body), { status, headers });
}

export const unauthorized = () =>
  new RelayError(401, "Invalid token: the API key is missing, unknown or wrong", { code: "invalid_api_key" });
export const forbidden = (message: string, code = "access_denied") => new RelayError(403, message, { code });

export const shuttingDown = () =>
  new RelayError(503, "The server is shutting down; please retry", { code: "server_shutting_down" });
