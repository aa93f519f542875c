/**
 * The reversible copies of token keys and access tokens (`enc:v1:`, purpose token-key) kept beside its hash. The gateway
 * only ever compares hashes; the copy exists so a rollback to New API can give it its plaintext keys.
 */
import { decryptWithPurpose, encryptWithPurpose } from "./channel_key.ts";

export function sealTokenKey(cryptoSecret: string, bare: string): string {
  return encryptWithPurpose(cryptoSecret, "token-key", bare);
}

export function openTokenKey(cryptoSecret: string, sealed: string): string {
  return decryptWithPurpose(cryptoSecret, "token-key", sealed);
}

/** Likewise for a console access token (New API keeps it in clear in `users.access_token`). */
export function sealAccessToken(cryptoSecret: string, token: string): string {
  return encryptWithPurpose(cryptoSecret, "access-token", token);
}

export function openAccessToken(cryptoSecret: string, sealed: string): string {
  return decryptWithPurpose(cryptoSecret, "access-token", sealed);
}
