/**
 * Channel (upstream) keys encrypted at rest with AES-256-GCM: `enc:v1:` + base64(iv | ciphertext | tag).
 * Decrypted only when the channel cache is built for the relay; never returned by the API.
 */
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey } from "./keys.ts";

const PREFIX = "enc:v1:";

export function isEncrypted(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function encryptChannelKey(cryptoSecret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(cryptoSecret, "channel-key"), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
}

/** Decrypts a stored key; a value without the prefix (not yet migrated) is returned as it is. */
export function decryptChannelKey(cryptoSecret: string, stored: string): string {
  if (!isEncrypted(stored)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
  if (raw.length < 28) throw new Error("channel key ciphertext is truncated");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    deriveKey(cryptoSecret, "channel-key"),
    raw.subarray(0, 12),
  );
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
    "utf8",
  );
}
