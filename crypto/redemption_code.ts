/**
 * Redemption codes: 32 random alphanumerics (New API's format), stored only as a keyed hash that fits New
 * API's `char(32)` column: `h1:` + the first 29 characters of the base64url HMAC-SHA256 (174 bits), the
 * token keys' scheme under its own derived key. The plaintext exists only in the create response.
 */
import { hashWithPurpose, isHashed, randomAlphanumeric } from "./token_key.ts";

/** New API's `redemptions.key` is `char(32)`. */
const STORED_LENGTH = 32;

export function generateRedemptionCode(): string {
  return randomAlphanumeric(32);
}

/** The stored form of a code as a user types it (surrounding whitespace ignored). */
export function hashRedemptionCode(cryptoSecret: string, code: string): string {
  return hashWithPurpose(cryptoSecret, "redemption-hash", code.trim()).slice(0, STORED_LENGTH);
}

/**
 * What lists show in `key`: 28 asterisks and the last 4 characters of the stored hash, so rows can be
 * told apart; neither the code nor a redeemable value. A value not yet hashed (a row New API wrote after
 * our migration ran) is masked whole.
 */
export function redemptionCodeHint(stored: string): string {
  const mask = "*".repeat(STORED_LENGTH - 4);
  return isHashed(stored) ? mask + stored.slice(-4) : mask + "****";
}
