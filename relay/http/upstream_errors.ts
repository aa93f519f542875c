/** Typed failures of an upstream call, so the relay can tell "retry elsewhere" from "the client left". */

export type UpstreamTimeoutPhase = "first_byte" | "idle" | "total";

export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** No response headers within the first-byte timeout, no body bytes within the idle timeout, or total. */
export class UpstreamTimeoutError extends UpstreamError {
  override name = "UpstreamTimeoutError";
  constructor(readonly phase: UpstreamTimeoutPhase, readonly timeoutMs: number) {
    super(`upstream ${phase.replace("_", "-")} timeout after ${timeoutMs} ms`);
  }
}

/** The connection could not be made (refused, DNS, unreachable): nothing reached the upstream. */
export class UpstreamConnectError extends UpstreamError {
  override name = "UpstreamConnectError";
}

/** The connection broke after it was made: reset, or the body ended early (a cut stream). */
export class UpstreamResetError extends UpstreamError {
  override name = "UpstreamResetError";
  constructor(message: string, readonly phase: "headers" | "body", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The caller's signal aborted the call (typically: the downstream client disconnected). */
export class UpstreamAbortedError extends UpstreamError {
  override name = "UpstreamAbortedError";
  constructor(readonly reason?: unknown) {
    super("upstream call aborted by the caller");
  }
}

/** A body read with a byte cap was larger than the cap. */
export class UpstreamBodyTooLargeError extends UpstreamError {
  override name = "UpstreamBodyTooLargeError";
  constructor(readonly limitBytes: number) {
    super(`upstream body exceeds ${limitBytes} bytes`);
  }
}

/** Error codes (node:net / TLS / undici) meaning the connection was never established. */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_HAS_EXPIRED",
]);

const CONNECT_PATTERN =
  /connection refused|connect timeout|getaddrinfo|dns|certificate|tls handshake|proxy|socks/i;

/**
 * Maps a transport failure to a typed error. An abort carries our own typed reason; `responded` tells
 * whether the response headers had arrived (a failure after that is a broken body).
 */
export function classifyTransportError(err: unknown, reason: unknown, responded: boolean): UpstreamError {
  if (reason instanceof UpstreamError) return reason;
  if (err instanceof UpstreamError) return err;
  const code = (err as { code?: unknown })?.code;
  const text = describe(err);
  // undici refusing the request itself (bad header value, method): a caller bug, not a transport failure.
  if (code === "UND_ERR_INVALID_ARG") {
    return new UpstreamError(`invalid upstream request: ${text}`, { cause: err });
  }
  if (!responded && (CONNECT_CODES.has(String(code)) || CONNECT_PATTERN.test(text))) {
    return new UpstreamConnectError(`upstream connect failed: ${text}`, { cause: err });
  }
  return new UpstreamResetError(
    responded ? `upstream body broke: ${text}` : `upstream connection failed: ${text}`,
    responded ? "body" : "headers",
    { cause: err },
  );
}

function describe(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown })?.code;
    parts.push((e instanceof Error ? e.message : String(e)) + (code ? ` (${code})` : ""));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}
