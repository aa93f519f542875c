/**
 * Request ids in New API's format: local time `yyyyMMddHHmmss`, the nanoseconds of the second and eight
 * random characters (e.g. `2026081512345612345678aB3dE9fQ`). Unique per request: billing keys on it.
 * Made on every relay request, so the time stamp is formatted once per second and the random characters
 * come from a pool of CSPRNG bytes refilled 1 KB at a time (one `getRandomValues` per ~100 ids).
 */
import { ALPHABET } from "../../crypto/token_key.ts";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

let stampSecond = NaN;
let stamp = "";
const pool = new Uint8Array(1024);
let poolAt = pool.length;

/** Uniform alphanumerics (rejection sampling as `randomAlphanumeric`, no modulo bias). */
function randomChars(length: number): string {
  let out = "";
  while (out.length < length) {
    if (poolAt === pool.length) {
      crypto.getRandomValues(pool);
      poolAt = 0;
    }
    const b = pool[poolAt++];
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out;
}

export function newRequestId(now = new Date()): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}` +
      `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  }
  const nanos = now.getMilliseconds() * 1_000_000 + Math.floor((performance.now() % 1) * 1_000_000);
  return `${stamp}${nanos}${randomChars(8)}`;
}
