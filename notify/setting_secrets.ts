/**
 * The secrets users keep in their notification settings (`users.setting`): the webhook signing secret, the
 * Gotify app token and the Bark URL (its path carries the device key). They are stored encrypted like
 * channel keys (`enc:v1:`, ../crypto/channel_key.ts, under their own derived key), opened only to send a
 * notice, and shown to their owner as an empty secret and a masked Bark URL.
 */
import { decryptWithPurpose, encryptWithPurpose, isEncrypted } from "../crypto/channel_key.ts";
import type { UserSetting } from "./user_setting.ts";

export const settingSecretFields = ["webhook_secret", "gotify_token", "bark_url"] as const;

/** A copy with every secret field that holds clear text encrypted. */
export function sealSettingSecrets<T extends Record<string, unknown>>(cryptoSecret: string, setting: T): T {
  const out: Record<string, unknown> = { ...setting };
  for (const field of settingSecretFields) {
    const value = out[field];
    if (typeof value === "string" && value !== "" && !isEncrypted(value)) {
      out[field] = encryptWithPurpose(cryptoSecret, "notify-secret", value);
    }
  }
  return out as T;
}

/** A copy with the secret fields decrypted, for sending; throws when one cannot be (CRYPTO_SECRET changed). */
export function openSettingSecrets(cryptoSecret: string, setting: UserSetting): UserSetting {
  const out = { ...setting };
  for (const field of settingSecretFields) {
    const value = out[field];
    if (value) out[field] = decryptWithPurpose(cryptoSecret, "notify-secret", value);
  }
  return out;
}

/**
 * A URL with its secret parts hidden: scheme and host kept, every path segment but a `{{placeholder}}`
 * replaced, the query and any user info dropped.
 */
export function maskUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "****";
  }
  const path = url.pathname.split("/").map((segment) => {
    if (segment === "") return segment;
    const decoded = decodeURIComponent(segment);
    return /^\{\{\w+\}\}$/.test(decoded) ? decoded : "****";
  }).join("/");
  return `${url.protocol}//${url.host}${path}${url.search ? "?****" : ""}`;
}

/** The stored Bark URL as its owner is shown it, or "" when it cannot be opened. */
export function maskedBarkUrl(cryptoSecret: string, stored: unknown): string {
  if (typeof stored !== "string" || stored === "") return "";
  try {
    return maskUrl(decryptWithPurpose(cryptoSecret, "notify-secret", stored));
  } catch {
    return "";
  }
}

/** The setting as its owner reads it back: secrets empty (write-only fields), the Bark URL masked. */
export function settingForOwner(
  cryptoSecret: string,
  setting: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...setting };
  if ("webhook_secret" in out) out.webhook_secret = "";
  if ("gotify_token" in out) out.gotify_token = "";
  if ("bark_url" in out) out.bark_url = maskedBarkUrl(cryptoSecret, out.bark_url);
  return out;
}
