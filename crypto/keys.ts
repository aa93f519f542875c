/**
 * Keys derived from CRYPTO_SECRET with HKDF, one per purpose, so a token hash can never be confused with
 * a channel-key ciphertext. Changing CRYPTO_SECRET invalidates stored token and redemption-code hashes,
 * channel keys and users' notification secrets.
 */
import { hkdfSync } from "node:crypto";

export type KeyPurpose =
  | "token-hash"
  | "access-token-hash"
  | "redemption-hash"
  | "channel-key"
  | "notify-secret"
  | "token-key"
  | "access-token"
  | "session"
  | "email-code"
  | "oauth-state"
  | "mj-image"
  | "totp-secret"
  | "login-2fa"
  | "passkey-challenge";

const cache = new Map<string, Uint8Array>();

export function deriveKey(secret: string, purpose: KeyPurpose): Uint8Array {
  const id = `${purpose}\u0000${secret}`;
  let key = cache.get(id);
  if (!key) {
    key = new Uint8Array(hkdfSync("sha256", secret, "newapi-deno", `newapi-deno ${purpose} v1`, 32));
    cache.set(id, key);
  }
  return key;
}
