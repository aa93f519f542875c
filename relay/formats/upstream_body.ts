/** Shared checks on upstream answers: a body that is not the expected JSON object is a 502, not a crash. */
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

/** Parses one stream event's data; undefined for data that is not a JSON object (skipped by decoders). */
export function parseEventData(data: string): JsonObject | undefined {
  try {
    const v = JSON.parse(data);
    return v && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const num = (
  v: unknown,
): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const obj = (v: unknown): JsonObject | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? v as JsonObject : undefined;
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
