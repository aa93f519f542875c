/**
 * One-time email codes in KV (New API keeps them in memory or Redis): the sign-up/binding code of
 * `GET /api/verification` and the password-reset token. A code is stored only as a keyed hash under a
 * hash of the address, expires after New API's 10 minutes, is compared in constant time and is spent by
 * its first correct use; a wrong guess does not spend it, but after `MAX_CODE_ATTEMPTS` wrong guesses the
 * code is dropped, so a short code cannot be brute-forced. A new code replaces the previous one.
 */
import { createHmac } from "node:crypto";
import { equalSecrets } from "../crypto/equal.ts";
import { updateKey } from "../kv/key_update.ts";
import { deriveKey } from "../crypto/keys.ts";

/** New API's `VerificationValidMinutes`. */
export const CODE_VALID_MINUTES = 10;
/** Wrong guesses a code survives. */
export const MAX_CODE_ATTEMPTS = 5;

/** New API's purposes: "v" email verification (sign-up, binding), "r" password reset. */
export type CodePurpose = "v" | "r";

interface StoredCode {
  hash: string;
  attempts: number;
  expiresAt: number;
}

/** Addresses are compared trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function keyed(secret: string, text: string): string {
  return createHmac("sha256", deriveKey(secret, "email-code")).update(text).digest("base64url");
}

function codeKey(secret: string, purpose: CodePurpose, email: string): Deno.KvKey {
  return ["verification", purpose, keyed(secret, `address:${purpose}:${normalizeEmail(email)}`)];
}

/** `length` random hex digits (New API's codes are hex: 6 for verification, 32 for reset). */
export function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, length);
}

export interface CodeStore {
  /** Stores `code` for (`purpose`, `email`), replacing any earlier one. */
  issue(purpose: CodePurpose, email: string, code: string): Promise<void>;
  /** True once for the right code before it expires; a wrong one counts an attempt. */
  consume(purpose: CodePurpose, email: string, code: string): Promise<boolean>;
}

export function emailCodeStore(
  kv: Deno.Kv,
  secret: string,
  validMs = CODE_VALID_MINUTES * 60_000,
): CodeStore {
  return {
    issue: (purpose, email, code) => {
      const hash = keyed(secret, `code:${code}`);
      return updateKey<StoredCode, void>(kv, codeKey(secret, purpose, email), (_state, now) => ({
        state: { hash, attempts: 0, expiresAt: now + validMs },
        result: undefined,
        expireInMs: validMs,
      }));
    },
    consume: (purpose, email, code) => {
      const given = keyed(secret, `code:${code}`);
      return updateKey<StoredCode, boolean>(kv, codeKey(secret, purpose, email), (state, now) => {
        if (!state || state.expiresAt <= now) return { state: undefined, result: false };
        if (equalSecrets(state.hash, given)) {
          return { state: undefined, result: true };
        }
        const attempts = state.attempts + 1;
        if (attempts >= MAX_CODE_ATTEMPTS) return { state: undefined, result: false };
        return { state: { ...state, attempts }, result: false, expireInMs: state.expiresAt - now };
      });
    },
  };
}
