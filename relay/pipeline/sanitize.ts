/**
 * What an upstream's error may tell the client. Upstream text can carry key fragments ("Incorrect API key
 * provided: sk-abc…xyz", URL-encoded, split), account names or internal URLs. A non-admin caller gets a
 * fixed message for the statuses that are about the gateway's account (401, 403, 402, 429, 5xx); for
 * request errors it can act on (400, 404, 409, 413, 415, 422) it gets the upstream's message only when it
 * is plain text in which no secret or key-like string was found (URLs, e-mails and IPs masked), else a
 * fixed message for the upstream's code. An admin (role ≥ 10) gets the upstream's text, redacted.
 */
import { RelayError } from "../formats/errors.ts";
import { findSecrets, redactSecrets } from "./redact_secrets.ts";

/** Who the error is for, and what must never reach them. */
export interface ErrorAudience {
  /** Every secret in play (`secretsInPlay`): channel keys, the caller's key, upstream auth values. */
  secrets: readonly string[];
  /** Role ≥ 10: sees the upstream's (redacted) text. */
  admin: boolean;
}

const USER_ERRORS = new Set([400, 404, 409, 413, 415, 422]);

function genericMessage(status: number): string {
  if (status === 401 || status === 403) return "The upstream refused this channel's credentials";
  if (status === 402) return "The upstream account behind this channel has no balance left";
  if (status === 429) return "The upstream is rate limiting requests; please retry later";
  if (status === 408 || status === 504 || status === 524) return "The upstream did not answer in time";
  return `The upstream service failed (HTTP ${status})`;
}

/** Fixed messages for the request-error codes upstreams send (OpenAI, Anthropic, Gemini). */
const CODE_MESSAGES: Record<string, string> = {
  context_length_exceeded: "The request is longer than the model's context window",
  string_above_max_length: "A field of the request is longer than the upstream allows",
  model_not_found: "The upstream does not offer this model",
  not_found_error: "The upstream does not know the requested resource",
  NOT_FOUND: "The upstream does not know the requested resource",
  content_filter: "The upstream refused the request under its content policy",
  content_policy_violation: "The upstream refused the request under its content policy",
  request_too_large: "The request is too large for the upstream",
  invalid_image_url: "The upstream could not read an image of the request",
  unsupported_parameter: "The request has a parameter this model does not support",
  unsupported_value: "The request has a value this model does not support",
};

function fixedMessage(code: string, status: number): string {
  if (CODE_MESSAGES[code]) return CODE_MESSAGES[code];
  if (status === 404) return "The upstream does not know the requested resource (HTTP 404)";
  if (status === 413) return "The request is too large for the upstream (HTTP 413)";
  return `The upstream rejected the request as invalid (HTTP ${status})`;
}

const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g;

/** The upstream's message if it is fit for a non-admin caller, else undefined. */
function safeUpstreamMessage(message: string, secrets: readonly string[]): string | undefined {
  if (!message || message.length > 600 || findSecrets(message, secrets).found) return undefined;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(message)) return undefined;
  const plain = message.replace(URL_LIKE, "[url]").replace(EMAIL, "[email]").replace(IPV4, "[ip]");
  return plain.replace(/\s+/g, " ").trim() || undefined;
}

/** A machine code or param is kept when it has a code's shape and holds no secret. */
function safeToken(value: string | undefined, secrets: readonly string[]): string | undefined {
  if (!value || !/^[A-Za-z0-9_.:\-\[\]]{1,64}$/.test(value)) return undefined;
  return findSecrets(value, secrets).found ? undefined : value;
}

/** The client's view of an upstream error: `status` is the (mapped) status the client will get. */
export function clientError(status: number, upstream: RelayError, audience: ErrorAudience): RelayError {
  const { secrets } = audience;
  const code = safeToken(upstream.code, secrets) ?? "upstream_error";
  const param = safeToken(upstream.param, secrets);
  if (audience.admin) {
    const message = redactSecrets(upstream.message, secrets).slice(0, 1000) || genericMessage(status);
    return new RelayError(status, message, { code, param });
  }
  if (!USER_ERRORS.has(status)) {
    return new RelayError(status, genericMessage(status), { code: "upstream_error" });
  }
  const message = safeUpstreamMessage(upstream.message, secrets) ?? fixedMessage(code, status);
  return new RelayError(status, message, { code, param });
}
