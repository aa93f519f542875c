/**
 * Request ids in New API's format: local time `yyyyMMddHHmmss`, the nanoseconds of the second and eight
 * random characters (e.g. `2026081512345612345678aB3dE9fQ`). Unique per request: billing keys on it.
 */
import { randomAlphanumeric } from "../../crypto/token_key.ts";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function newRequestId(now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const nanos = now.getMilliseconds() * 1_000_000 + Math.floor((performance.now() % 1) * 1_000_000);
  return `${stamp}${nanos}${randomAlphanumeric(8)}`;
}
