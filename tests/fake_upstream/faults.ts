/**
 * What a fake-upstream request should do besides answering normally: error statuses, delays, hangs, cut
 * or broken streams, and pacing overrides. A fault comes from the test's script, the `x-fake-fault`
 * header, a `[fake:...]` directive in the prompt, or a `fault-...` model name (the last two survive a
 * gateway that drops unknown headers).
 */
import type { KeyEcho } from "./key_echo.ts";

export interface Fault {
  /** Answer with this HTTP status and the dialect's error body instead of a result. */
  status?: number;
  /** Error message (default: a dialect-typical one; 401 echoes the caller's key on purpose). */
  message?: string;
  /** Error message that echoes the caller's key in this altered form (`key_echo.ts`), error and stream. */
  echoKey?: KeyEcho;
  /** `Retry-After` header value for the error answer (429 gets "1" by default). */
  retryAfter?: string;
  /** Extra delay before the response headers. */
  headerDelayMs?: number;
  /** Never send response headers (the request stays open until the client gives up). */
  hang?: boolean;
  /** Streams: send this many events, then drop the connection without the terminal event. */
  cutAfter?: number;
  /** Streams: send this many events, then stall forever (no more bytes, connection open). */
  stallAfter?: number;
  /** Streams: send this many events, then the dialect's in-stream error and close (HTTP status stays 200). */
  errorAfter?: number;
  /** Streams: after this many events insert one event whose data is not valid JSON, then go on. */
  malformedAfter?: number;
  /** Streams: after `junkAfter` (default 1) events send `junk` as it is (no framing added; bytes for non-UTF-8). */
  junk?: string | Uint8Array;
  junkAfter?: number;
  /** Streams: after `oversizedAfter` (default 1) events send one `data:` line of this many bytes. */
  oversizedLineBytes?: number;
  oversizedAfter?: number;
  /** Omit usage (no include_usage chunk, no usageMetadata, no usage in Claude/Responses events). */
  noUsage?: boolean;
  /** Pacing overrides for this request. */
  latencyMs?: number;
  chunks?: number;
  chunkIntervalMs?: number;
}

const NUMBER_KEYS = [
  "status",
  "headerDelayMs",
  "cutAfter",
  "stallAfter",
  "errorAfter",
  "malformedAfter",
  "oversizedLineBytes",
  "oversizedAfter",
  "junkAfter",
  "latencyMs",
  "chunks",
  "chunkIntervalMs",
] as const;

/** Reads a fault from JSON (`{"status":429}`) or `key=value` pairs separated by `;` or `,`. */
export function parseFaultHeader(value: string | null): Fault {
  if (!value) return {};
  const text = value.trim();
  if (text.startsWith("{")) return normalizeFault(JSON.parse(text));
  const raw: Record<string, string> = {};
  for (const pair of text.split(/[;,]/)) {
    const [k, ...rest] = pair.split("=");
    if (k.trim()) raw[k.trim()] = rest.join("=").trim() || "true";
  }
  return normalizeFault(raw);
}

function normalizeFault(raw: Record<string, unknown>): Fault {
  const out: Fault = {};
  for (const key of NUMBER_KEYS) {
    if (raw[key] !== undefined) out[key] = Number(raw[key]);
  }
  if (raw.message !== undefined) out.message = String(raw.message);
  if (raw.echoKey !== undefined) out.echoKey = String(raw.echoKey) as KeyEcho;
  if (raw.retryAfter !== undefined) out.retryAfter = String(raw.retryAfter);
  if (raw.junk !== undefined) out.junk = String(raw.junk);
  if (raw.hang !== undefined) out.hang = raw.hang === true || raw.hang === "true";
  if (raw.noUsage !== undefined) out.noUsage = raw.noUsage === true || raw.noUsage === "true";
  return out;
}

/**
 * A short fault name, used in model names (`fault-429`) and prompt directives (`[fake:fault=cut-3]`):
 * `<status>`, `hang`, `slow-<ms>`, `cut-<k>`, `stall-<k>`, `error-<k>`, `malformed-<k>`,
 * `oversized-<bytes>`, `nousage`.
 */
export function parseFaultName(name: string): Fault {
  const m = /^(\d{3})$|^(hang)$|^(nousage)$|^(slow|cut|stall|error|malformed|oversized)-(\d+)$/.exec(name);
  if (!m) return {};
  if (m[1]) return { status: Number(m[1]) };
  if (m[2]) return { hang: true };
  if (m[3]) return { noUsage: true };
  const n = Number(m[5]);
  switch (m[4]) {
    case "slow":
      return { headerDelayMs: n };
    case "cut":
      return { cutAfter: n };
    case "stall":
      return { stallAfter: n };
    case "error":
      return { errorAfter: n };
    case "malformed":
      return { malformedAfter: n };
    default:
      return { oversizedLineBytes: n };
  }
}

/** `fault-429`, `gpt-4o-fault-cut-3` → the fault named after `fault-`. */
export function faultFromModel(model: string | undefined): Fault {
  if (!model) return {};
  const i = model.indexOf("fault-");
  return i < 0 ? {} : parseFaultName(model.slice(i + "fault-".length));
}

/** Prompt directives: `[fake:key=value]` or `[fake:flag]` anywhere in the request's text. */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/\[fake:([a-z_]+)(?:=([^\]]*))?\]/g)) out.set(m[1], m[2] ?? "true");
  return out;
}

export function faultFromDirectives(directives: Map<string, string>): Fault {
  const fault: Fault = directives.has("fault") ? parseFaultName(directives.get("fault")!) : {};
  if (directives.has("chunks")) fault.chunks = Number(directives.get("chunks"));
  if (directives.has("interval")) fault.chunkIntervalMs = Number(directives.get("interval"));
  return fault;
}

/** A fault queued by a test: applies to the next `times` requests whose path matches. */
export interface ScriptedFault extends Fault {
  path?: string | RegExp;
  times?: number;
}

export function scriptMatches(entry: ScriptedFault, path: string): boolean {
  if (entry.path === undefined) return true;
  return typeof entry.path === "string"
    ? path === entry.path || path.endsWith(entry.path)
    : entry.path.test(path);
}
