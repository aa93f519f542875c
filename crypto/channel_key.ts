/**
 * Secrets encrypted at rest with AES-256-GCM: `enc:v1:` + base64(iv | ciphertext | tag), under a key derived
 * per purpose. Channel (upstream) keys are decrypted only when the channel cache is built for the relay,
 * users' notification secrets only when a notice is sent; neither is returned by the API.
 */
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey } from "./keys.ts";

const PREFIX = "enc:v1:";

/** What may be encrypted with this scheme, each under its own key. */
/** `token-key`: a copy of each token key, kept only so a rollback to New API can write the keys back. */
/** `totp-secret`: users' TOTP secrets (`two_fas.secret`). */
export type SealedPurpose = "channel-key" | "notify-secret" | "token-key" | "access-token" | "totp-secret";

export function isEncrypted(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function encryptWithPurpose(cryptoSecret: string, purpose: SealedPurpose, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(cryptoSecret, purpose), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
}

/** Decrypts a stored value; one without the prefix (not yet migrated) is returned as it is. */
export function decryptWithPurpose(cryptoSecret: string, purpose: SealedPurpose, stored: string): string {
  if (!isEncrypted(stored)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
  if (raw.length < 28) throw new Error(`${purpose} ciphertext is truncated`);
  const decipher = createDecipheriv("aes-256-gcm", deriveKey(cryptoSecret, purpose), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
    "utf8",
  );
}

export function encryptChannelKey(cryptoSecret: string, plaintext: string): string {
  return encryptWithPurpose(cryptoSecret, "channel-key", plaintext);
}

export function decryptChannelKey(cryptoSecret: string, stored: string): string {
  return decryptWithPurpose(cryptoSecret, "channel-key", stored);
}
