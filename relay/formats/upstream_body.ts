/** Shared checks on upstream answers: a body that is not the expected JSON object is a 502, not a crash. */
import { SseUndecodableError } from "../sse/parser.ts";
import { errorFromUpstream, RelayError } from "./errors.ts";

export type JsonObject = Record<string, unknown>;

/** The answer as an object; an `error` body becomes the upstream's RelayError. */
export function upstreamObject(body: unknown, what: string): JsonObject {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new RelayError(502, `upstream answered with an unreadable ${what}`, { code: "bad_response_body" });
  }
  const obj = body as JsonObject;
  if (obj.error && typeof obj.error === "object") throw errorFromUpstream(502, obj);
  return obj;
}

/** Data between events that means nothing: blank (a keep-alive) or a `[DONE]` in a dialect without one. */
export function isStreamFiller(data: string): boolean {
  const t = data.trim();
  return t === "" || t === "[DONE]";
}

/**
 * One stream event's data as a JSON object; undefined for filler (skipped). Anything else throws
 * SseUndecodableError: an event that cannot be read ends the stream with an error, never silently.
 */
export function streamEventObject(data: string): JsonObject | undefined {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    if (isStreamFiller(data)) return undefined;
    throw new SseUndecodableError("an event whose data is not JSON", data);
  }
  if (v && typeof v === "object" && !Array.isArray(v)) return v as JsonObject;
  throw new SseUndecodableError("an event whose data is not a JSON object", data);
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const num = (
  v: unknown,
): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const obj = (v: unknown): JsonObject | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? v as JsonObject : undefined;
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A token count an upstream reports: a whole number, never negative; 0 when missing or not a number. */
export const tokenCount = (v: unknown): number => Math.max(0, Math.floor(num(v) ?? 0));
