/**
 * Plays Telegram's login widget: signs the fields it hands back as Telegram does (HMAC-SHA256 keyed with
 * SHA-256 of the bot token over the sorted data-check-string), computed with Web Crypto, independently
 * of the gateway's node:crypto check.
 */
export const TEST_BOT_TOKEN = "123456:bot-token-for-tests";

export async function signTelegram(
  fields: Record<string, string>,
  botToken = TEST_BOT_TOKEN,
): Promise<URLSearchParams> {
  const check = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join("\n");
  const secret = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(botToken));
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(check)));
  const hash = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
  return new URLSearchParams({ ...fields, hash });
}
