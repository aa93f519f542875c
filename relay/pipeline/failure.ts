/**
 * One failed attempt, classified before anything reached the client: what routing decides on (retry,
 * disable: the mapped status and the raw upstream message, which is never shown), what the client gets
 * if it is the last attempt (sanitized), and the redacted detail for the admin error log.
 */
import { errorFromUpstream, RelayError, undecodableStreamError } from "../formats/errors.ts";
import { SseUndecodableError } from "../sse/parser.ts";
import type { AttemptFailure } from "../routing/retry_policy.ts";
import { mapStatus } from "../routing/model_mapping.ts";
import {
  UpstreamBodyTooLargeError,
  UpstreamConnectError,
  UpstreamResetError,
  UpstreamTimeoutError,
} from "../http/upstream_errors.ts";
import { clientError, type ErrorAudience } from "./sanitize.ts";
import { redactSecrets } from "./redact_secrets.ts";

/** A local problem with the channel (no usable key, bad base URL or override): retried elsewhere. */
export class ChannelError extends Error {
  override name = "ChannelError";
}

export interface Failure {
  routing: AttemptFailure;
  /** The upstream's status before the channel's status-code mapping (0: no HTTP answer). */
  upstreamStatus: number;
  client: RelayError;
  detail: string;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An HTTP error answer (or an error inside a 200 body / stream, with its status). */
export function upstreamFailure(
  status: number,
  body: string | RelayError,
  statusCodeMapping: string,
  audience: ErrorAudience,
): Failure {
  const err = typeof body === "string" ? errorFromUpstream(status, parseBody(body)) : body;
  const mapped = mapStatus(statusCodeMapping, status);
  return {
    routing: { status: mapped, message: err.message },
    upstreamStatus: status,
    client: clientError(mapped, err, audience),
    detail: `upstream status ${status}: ${redactSecrets(err.message, audience.secrets).slice(0, 1000)}`,
  };
}

/** No usable HTTP answer: timeouts, refused or broken connections, oversized or undecodable answers. */
export function transportFailure(e: unknown, audience: ErrorAudience): Failure {
  let client: RelayError;
  let channelError = false;
  if (e instanceof UpstreamTimeoutError) {
    client = new RelayError(504, "The upstream did not answer in time", { code: "upstream_timeout" });
  } else if (e instanceof UpstreamConnectError) {
    client = new RelayError(502, "Could not connect to the upstream", { code: "upstream_unreachable" });
  } else if (e instanceof UpstreamResetError) {
    client = new RelayError(502, "The upstream connection failed", { code: "upstream_connection_error" });
  } else if (e instanceof SseUndecodableError) {
    client = undecodableStreamError();
  } else if (e instanceof UpstreamBodyTooLargeError) {
    client = new RelayError(502, "The upstream answer is too large", { code: "bad_response_body" });
  } else {
    channelError = true;
    client = new RelayError(502, "This channel is misconfigured", { code: "channel_error" });
  }
  const message = redactSecrets((e as Error)?.message ?? String(e), audience.secrets);
  return {
    routing: { status: 0, message: "", channelError },
    upstreamStatus: 0,
    client,
    detail: message.slice(0, 1000),
  };
}

export function channelFailure(e: ChannelError): Failure {
  return {
    routing: { status: 0, message: "", channelError: true },
    upstreamStatus: 0,
    client: new RelayError(503, "No channel could serve this request", { code: "channel_error" }),
    detail: `channel error: ${e.message}`,
  };
}
