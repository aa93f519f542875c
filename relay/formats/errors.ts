/**
 * The relay's typed error and the one place that renders it in each dialect: as an HTTP body, and as the
 * in-stream error event that ends a stream which broke after its 200.
 */
import type { SseEvent } from "../sse/event.ts";
import type { Dialect } from "./ir.ts";

/** An error any relay layer may throw; `renderError` turns it into the caller's dialect. */
export class RelayError extends Error {
  override name = "RelayError";
  /** HTTP status to answer with (before a stream starts). */
  readonly status: number;
  /** Machine code (OpenAI `error.code`), e.g. "invalid_request_error", "model_not_found". */
  readonly code: string;
  /** The offending request field, when known (OpenAI `error.param`). */
  readonly param?: string;

  constructor(status: number, message: string, opts: { code?: string; param?: string } = {}) {
    super(message);
    this.status = status;
    this.code = opts.code ?? openAiType(status);
    this.param = opts.param;
  }
}

/** A 400 for a body the caller sent. */
export function invalidRequest(message: string, param?: string): RelayError {
  return new RelayError(400, message, { code: "invalid_request_error", param });
}

/** Wraps anything thrown into a RelayError without leaking internals (a stack is never rendered). */
export function asRelayError(e: unknown): RelayError {
  if (e instanceof RelayError) return e;
  return new RelayError(500, "internal error while translating the request", { code: "internal_error" });
}

function openAiType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function claudeType(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
      return "timeout_error";
  }
  return status >= 500 ? "api_error" : "invalid_request_error";
}

function geminiStatus(status: number): string {
  switch (status) {
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ABORTED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 501:
      return "UNIMPLEMENTED";
    case 503:
    case 529:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
  }
  return status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
}

const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";

export interface RenderedError {
  status: number;
  body: unknown;
}

export interface RenderOptions {
  /** Appended to the message as " (request id: …)", as New API does. */
  requestId?: string;
}

function messageOf(err: RelayError, opts: RenderOptions): string {
  return opts.requestId ? `${err.message} (request id: ${opts.requestId})` : err.message;
}

/** The error body (and status) in a dialect. Overload is 529 for Claude and 503 elsewhere. */
export function renderError(dialect: Dialect, err: RelayError, opts: RenderOptions = {}): RenderedError {
  const message = messageOf(err, opts);
  switch (dialect) {
    case "claude": {
      const status = err.status === 503 ? 529 : err.status;
      const body: Record<string, unknown> = { type: "error", error: { type: claudeType(status), message } };
      if (opts.requestId) body.request_id = opts.requestId;
      return { status, body };
    }
    case "gemini": {
      // Google answers a bad key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.
      if (err.status === 401) {
        const details = [{ "@type": ERROR_INFO, reason: "API_KEY_INVALID", domain: "googleapis.com" }];
        return { status: 400, body: { error: { code: 400, message, status: "INVALID_ARGUMENT", details } } };
      }
      const status = err.status === 529 ? 503 : err.status;
      return { status, body: { error: { code: status, message, status: geminiStatus(status) } } };
    }
    default: {
      const status = err.status === 529 ? 503 : err.status;
      return {
        status,
        body: { error: { message, type: openAiType(status), param: err.param ?? null, code: err.code } },
      };
    }
  }
}

/**
 * The event(s) that end a broken stream in a dialect, instead of its success terminator. Responses also
 * needs `response.failed`, which its encoder adds (it owns the response snapshot and sequence numbers).
 */
export function renderStreamError(
  dialect: Dialect,
  err: RelayError,
  opts: RenderOptions & { sequenceNumber?: number } = {},
): SseEvent[] {
  const message = messageOf(err, opts);
  switch (dialect) {
    case "claude":
      return [{
        event: "error",
        data: JSON.stringify({ type: "error", error: { type: claudeType(err.status), message } }),
      }];
    case "openai_responses":
      return [{
        event: "error",
        data: JSON.stringify({
          type: "error",
          code: err.code,
          message,
          param: err.param ?? null,
          sequence_number: opts.sequenceNumber ?? 0,
        }),
      }];
    default:
      return [{ data: JSON.stringify(renderError(dialect, err, opts).body) }];
  }
}

/** Reads an upstream's error body (any dialect's shape) into a RelayError with the upstream's status. */
export function errorFromUpstream(status: number, body: unknown): RelayError {
  const b = body as Record<string, unknown> | null;
  const inner = (b && typeof b === "object" && b.error && typeof b.error === "object" ? b.error : b) as
    | Record<string, unknown>
    | null;
  const message = typeof inner?.message === "string"
    ? inner.message
    : typeof body === "string" && body
    ? body.slice(0, 500)
    : `upstream answered ${status}`;
  const code = typeof inner?.code === "string"
    ? inner.code
    : typeof inner?.type === "string"
    ? inner.type
    : typeof inner?.status === "string"
    ? inner.status
    : undefined;
  return new RelayError(status, message, { code });
}

const TYPE_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  overloaded_error: 529,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  INVALID_ARGUMENT: 400,
};

/** Reads an error that arrived inside a 200 stream (`{"error":{…}}` or a Claude/Responses error event). */
export function errorFromStreamPayload(payload: unknown): RelayError {
  const p = payload as Record<string, unknown> | null;
  const inner = (p && typeof p.error === "object" && p.error ? p.error : p) as Record<string, unknown> | null;
  const numeric = typeof inner?.code === "number" && inner.code >= 400 && inner.code < 600 ? inner.code : 0;
  // The flat Responses form is `{"type":"error","code":…}`: "error" names the event, not the failure.
  const label = [inner?.code, inner?.type, inner?.status].find((v) =>
    typeof v === "string" && v !== "error"
  ) as
    | string
    | undefined;
  const status = numeric || (label && TYPE_STATUS[label]) || 500;
  const message = typeof inner?.message === "string"
    ? inner.message
    : "upstream reported an error mid-stream";
  return new RelayError(status, message, label ? { code: label } : {});
}

/** Raised when an upstream stream ends without its terminator: the client must not see a clean end. */
export function truncatedStreamError(): RelayError {
  return new RelayError(502, "upstream stream ended before the response was complete", {
    code: "upstream_stream_truncated",
  });
}

/** Raised when an upstream stream holds a line or event that cannot be decoded (its text goes to admins). */
export function undecodableStreamError(): RelayError {
  return new RelayError(502, "The upstream sent a stream event that could not be decoded", {
    code: "bad_response_body",
  });
}
