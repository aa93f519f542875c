/**
 * What an upstream's error may tell the client. Upstream text can carry key fragments ("Incorrect API key
 * provided: sk-abc…xyz"), account names or internal URLs, so the client gets a generic message for the
 * statuses that are about the gateway's account (401, 403, 402, 429, 5xx) and the upstream's own message,
 * with anything key-like redacted, only for request errors it can act on (400, 404, 409, 413, 415, 422).
 * The admin error log gets the redacted text too (users can read their own error rows).
 */
import { RelayError } from "../formats/errors.ts";

const PATTERNS: [RegExp, string][] = [
  [/Bearer\s+\S+/gi, "Bearer [redacted]"],
  [/\bsk-[A-Za-z0-9_\-*.]{3,}/g, "sk-[redacted]"],
  [/\bAIza[0-9A-Za-z_\-]{8,}/g, "[redacted]"],
  [
    /\b(api[_-]?key|key|token|secret|password|authorization)(["']?\s*[:=]\s*["']?)[^\s"',;&]{4,}/gi,
    "$1$2[redacted]",
  ],
  [/[A-Za-z0-9_\-+/]{32,}={0,2}/g, "[redacted]"],
];

/** Removes `secrets` (the channel key...) and key-like strings from `text`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 6) out = out.split(s).join("[redacted]");
  }
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out;
}

const USER_ERRORS = new Set([400, 404, 409, 413, 415, 422]);

function genericMessage(status: number): string {
  if (status === 401 || status === 403) return "The upstream refused this channel's credentials";
  if (status === 402) return "The upstream account behind this channel has no balance left";
  if (status === 429) return "The upstream is rate limiting requests; please retry later";
  if (status === 408 || status === 504 || status === 524) return "The upstream did not answer in time";
  return `The upstream service failed (HTTP ${status})`;
}

/** The client's view of an upstream error: `status` is the (mapped) status the client will get. */
export function clientError(status: number, upstream: RelayError, secrets: readonly string[]): RelayError {
  if (!USER_ERRORS.has(status)) {
    return new RelayError(status, genericMessage(status), { code: "upstream_error" });
  }
  const code = /^[A-Za-z0-9_.]{1,64}$/.test(upstream.code) ? upstream.code : "upstream_error";
  const message = redactSecrets(upstream.message, secrets).slice(0, 500) || genericMessage(status);
  return new RelayError(status, message, { code, param: upstream.param });
}
