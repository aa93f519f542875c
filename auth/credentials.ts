/**
 * Rules for the secrets a person chooses or is given: username and password limits, a sign-in check that
 * costs one bcrypt comparison whether or not the user exists, and console access tokens (random,
 * stored only as a keyed hash).
 */
import { hashPassword, MAX_PASSWORD_BYTES, verifyPassword } from "../crypto/password.ts";
import { hashWithPurpose, randomAlphanumeric } from "../crypto/token_key.ts";
import { badRequest } from "../routes/api/errors.ts";

export const MIN_PASSWORD_CHARS = 8;
/** New API's `UserNameMaxLength`; setup allows only 12. */
export const MAX_USERNAME_CHARS = 20;
export const MAX_SETUP_USERNAME_CHARS = 12;

/** Throws a 400 unless the password is 8+ characters and fits bcrypt's 72 bytes (never silently cut). */
export function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_CHARS) throw badRequest("api.password_too_short");
  if (new TextEncoder().encode(password).byteLength > MAX_PASSWORD_BYTES) {
    throw badRequest("api.password_too_long");
  }
}

/** Trims and checks a username; returns the trimmed form. */
export function checkUsername(raw: string, max = MAX_USERNAME_CHARS): string {
  const name = raw.trim();
  if (name === "") throw badRequest("api.username_required");
  if ([...name].length > max) throw badRequest("api.username_too_long", { max });
  // deno-lint-ignore no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(name)) throw badRequest("api.username_invalid");
  return name;
}

let dummyHash: Promise<string> | undefined;

/**
 * Compares `password` with `hash`; when there is no user (`hash` undefined) it compares against a
 * throwaway hash so that unknown users and wrong passwords take the same time.
 */
export async function verifySignIn(password: string, hash: string | undefined): Promise<boolean> {
  dummyHash ??= hashPassword(randomAlphanumeric(24));
  const against = hash && hash.startsWith("$2") ? hash : await dummyHash;
  const ok = await verifyPassword(password, against);
  return ok && against === hash;
}

/** A new console access token (New API uses 29–32 random characters; we use 32). */
export function generateAccessToken(): string {
  return randomAlphanumeric(32);
}

export function accessTokenHash(cryptoSecret: string, token: string): string {
  return hashWithPurpose(cryptoSecret, "access-token-hash", token);
}
