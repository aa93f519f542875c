/**
 * API token keys: `sk-` + 48 random alphanumerics (New API's format), stored only as a keyed hash
 * (`h1:` + base64url HMAC-SHA256) plus a masked hint for display. The plaintext exists only in the
 * create/regenerate response.
 */
import { createHmac } from "node:crypto";
import { deriveKey } from "./keys.ts";

export const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const HASH_PREFIX = "h1:";

/** Uniform random alphanumerics from the CSPRNG (rejection sampling, no modulo bias). */
export function randomAlphanumeric(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

/** A new key without the `sk-` prefix (New API stores and compares keys without it). */
export function generateTokenKey(): string {
  return randomAlphanumeric(48);
}

/** Strips `Bearer `, `sk-` and whitespace: what clients send → the bare key. */
export function bareKey(presented: string): string {
  let k = presented.trim();
  if (/^bearer\s+/i.test(k)) k = k.replace(/^bearer\s+/i, "");
  if (k.startsWith("sk-")) k = k.slice(3);
  return k;
}

export function hashWithPurpose(
  secret: string,
  purpose: "token-hash" | "access-token-hash" | "redemption-hash",
  value: string,
): string {
  const mac = createHmac("sha256", deriveKey(secret, purpose)).update(value).digest("base64url");
  return HASH_PREFIX + mac;
}

/** The stored form of a token key (bare, without `sk-`). */
export function hashTokenKey(cryptoSecret: string, bare: string): string {
  return hashWithPurpose(cryptoSecret, "token-hash", bare);
}

export function isHashed(stored: string): boolean {
  return stored.startsWith(HASH_PREFIX);
}

/** `sk-abcd**********wxyz`, as New API masks keys. */
export function maskTokenKey(bare: string): string {
  if (bare.length <= 8) return "sk-" + "*".repeat(bare.length);
  return `sk-${bare.slice(0, 4)}**********${bare.slice(-4)}`;
}
