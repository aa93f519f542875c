/** Constant-time comparison of two secrets (signatures, codes, bearer tokens): the one way to do it here. */
import { timingSafeEqual } from "node:crypto";

const utf8 = new TextEncoder();

/** True when `a` and `b` are the same bytes; the time taken depends on their lengths only. */
export function equalSecrets(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === "string" ? utf8.encode(a) : a;
  const y = typeof b === "string" ? utf8.encode(b) : b;
  return x.length === y.length && timingSafeEqual(x, y);
}
