/**
 * The Telegram login widget's signed answer, checked as Telegram and New API check it: the HMAC-SHA256,
 * keyed with SHA-256 of the bot token, of the sorted `key=value` lines of every field but `hash`. The
 * widget has no nonce, so as New API an answer counts only while `auth_date` is at most 5 minutes old
 * (2 minutes of clock skew ahead), and `claimTelegramAnswer` spends each one once.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { updateKey } from "../kv/key_update.ts";

export const TELEGRAM_MAX_AGE_SECONDS = 5 * 60;
export const TELEGRAM_FUTURE_SKEW_SECONDS = 2 * 60;

export interface TelegramAnswer {
  id: string;
  username: string;
  firstName: string;
  /** The hash, lower-case hex: what `claimTelegramAnswer` spends. */
  hash: string;
  /** Unix seconds after which the answer no longer counts. */
  expiresAt: number;
}

/** The data-check-string of `params` (every field but `hash`, sorted, one `key=value` a line). */
export function telegramCheckString(params: URLSearchParams): string {
  const lines: string[] = [];
  for (const [k, v] of params) if (k !== "hash") lines.push(`${k}=${v}`);
  return lines.sort().join("\n");
}

/** The hash Telegram puts on `params` for the bot whose token is `botToken`. */
export function telegramHash(params: URLSearchParams, botToken: string): string {
  const secret = createHash("sha256").update(botToken).digest();
  return createHmac("sha256", secret).update(telegramCheckString(params)).digest("hex");
}

/** The widget's answer if its hash holds and it is fresh; undefined otherwise. */
export function verifyTelegramAnswer(
  params: URLSearchParams,
  botToken: string,
  nowSeconds: number,
): TelegramAnswer | undefined {
  if (!botToken) return undefined;
  const keys = [...params.keys()];
  // A repeated field makes the check string ambiguous (New API refuses it too).
  if (new Set(keys).size !== keys.length || keys.length > 16) return undefined;
  const id = params.get("id") ?? "";
  const hash = (params.get("hash") ?? "").toLowerCase();
  const authDateText = params.get("auth_date") ?? "";
  if (!/^[0-9]{1,20}$/.test(id) || !/^[0-9a-f]{64}$/.test(hash) || !/^[0-9]{1,12}$/.test(authDateText)) {
    return undefined;
  }
  const authDate = Number(authDateText);
  if (
    authDate < nowSeconds - TELEGRAM_MAX_AGE_SECONDS || authDate > nowSeconds + TELEGRAM_FUTURE_SKEW_SECONDS
  ) {
    return undefined;
  }
  const expected = Buffer.from(telegramHash(params, botToken), "hex");
  if (!timingSafeEqual(expected, Buffer.from(hash, "hex"))) return undefined;
  return {
    id,
    username: params.get("username") ?? "",
    firstName: params.get("first_name") ?? "",
    hash,
    expiresAt: authDate + TELEGRAM_MAX_AGE_SECONDS,
  };
}

/** Spends `answer` once; false when it was spent before (a replayed widget answer). */
export async function claimTelegramAnswer(kv: Deno.Kv, answer: TelegramAnswer, nowSeconds: number) {
  const ttlMs = Math.max(1, answer.expiresAt - nowSeconds + TELEGRAM_FUTURE_SKEW_SECONDS) * 1000;
  return await updateKey<true, boolean>(kv, ["telegram_answer", answer.hash], (spent) => {
    if (spent) return { state: true, result: false, expireInMs: ttlMs };
    return { state: true, result: true, expireInMs: ttlMs };
  });
}
