/**
 * Webhook delivery: a JSON body in New API's payload shape, signed so a receiver can check origin and
 * reject replays: `X-Webhook-Timestamp: <unix seconds>` and `X-Webhook-Signature: sha256=<hex HMAC-SHA256
 * of "<timestamp>.<raw body>" keyed with the user's secret>`. No secret, no signature header.
 */
import { guardedFetch, type GuardedFetchOptions } from "../net/ssrf_fetch.ts";
import { type Notice, renderContent } from "./notice.ts";
import { DeliveryError } from "./delivery_error.ts";

const encoder = new TextEncoder();

/** `sha256=<hex>` over `"<timestamp>.<body>"`. */
export async function webhookSignature(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`)));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export async function sendWebhook(
  url: string,
  secret: string | undefined,
  notice: Notice,
  fetchOptions: Pick<GuardedFetchOptions, "setting" | "resolver" | "timeoutMs">,
): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    type: notice.type,
    title: notice.title,
    content: renderContent(notice),
    values: notice.values,
    timestamp,
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "NewAPI-Webhook-Notify/1.0",
    "x-webhook-timestamp": String(timestamp),
  };
  if (secret) headers["x-webhook-signature"] = await webhookSignature(secret, timestamp, body);
  const res = await guardedFetch(url, {
    ...fetchOptions,
    method: "POST",
    headers,
    body,
    maxBytes: 64 * 1024,
  });
  if (res.status < 200 || res.status >= 300) throw new DeliveryError(`webhook answered ${res.status}`);
}
