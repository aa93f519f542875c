/**
 * Creem, as New API uses it: products are configured in `CreemProducts` (each crediting a fixed quota for
 * a fixed price), a checkout is created with `POST /v1/checkouts` (`x-api-key`), and Creem's webhook is
 * signed with HMAC-SHA256 of the raw body under the webhook secret, hex, in `creem-signature`.
 * `CREEM_API_BASE` (ours) points the API at a local fake; otherwise `CreemTestMode` picks Creem's test API.
 */
import { createHmac } from "node:crypto";
import { z } from "zod";
import { optionRegistry as o } from "../../options/index.ts";
import type { OptionSource } from "../../options/registry.ts";
import { equalSecrets } from "../../crypto/equal.ts";
import { type CreemProduct, creemProducts } from "./products.ts";

export const CREEM_SIGNATURE_HEADER = "creem-signature";

export interface CreemSettings {
  apiKey: string;
  webhookSecret: string;
  products: CreemProduct[];
  testMode: boolean;
  /** A checkout can be started: an API key, products, and a webhook secret to hear back with. */
  enabled: boolean;
}

export function creemSettings(cat: OptionSource): CreemSettings {
  const parsed = creemProducts.safeParse(o.json<unknown>(cat, "CreemProducts") ?? []);
  const s = {
    apiKey: o.string(cat, "CreemApiKey").trim(),
    webhookSecret: o.string(cat, "CreemWebhookSecret").trim(),
    products: parsed.success ? parsed.data : [],
    testMode: o.bool(cat, "CreemTestMode"),
  };
  return { ...s, enabled: s.apiKey !== "" && s.webhookSecret !== "" && s.products.length > 0 };
}

export function creemApiBase(configured: string, testMode: boolean): string {
  if (configured) return configured.replace(/\/+$/, "");
  return testMode ? "https://test-api.creem.io" : "https://api.creem.io";
}

/** The hex HMAC-SHA256 of `body` under `secret`: what Creem puts in `creem-signature`. */
export function creemSignature(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** True only for a non-empty secret and the exact signature of `body` (compared in constant time). */
export function verifyCreemSignature(body: string, signature: string, secret: string): boolean {
  if (secret === "" || signature === "") return false;
  return equalSecrets(signature.trim().toLowerCase(), creemSignature(body, secret));
}

export interface CreemCheckoutRequest {
  productId: string;
  requestId: string;
  email: string;
  metadata: Record<string, string>;
}

const checkoutAnswer = z.object({ checkout_url: z.string().url(), id: z.string().optional() });

/** Creates a checkout; returns its URL, or throws with the HTTP status (never the API key). */
export async function createCreemCheckout(
  base: string,
  apiKey: string,
  r: CreemCheckoutRequest,
): Promise<string> {
  const res = await fetch(`${base}/v1/checkouts`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({
      product_id: r.productId,
      request_id: r.requestId,
      customer: r.email ? { email: r.email } : undefined,
      metadata: r.metadata,
    }),
    signal: AbortSignal.timeout(30_000),
    redirect: "error",
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`creem checkout answered HTTP ${res.status}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("creem checkout answered something other than JSON");
  }
  const parsed = checkoutAnswer.safeParse(json);
  if (!parsed.success) throw new Error("creem checkout answered no checkout_url");
  const url = new URL(parsed.data.checkout_url);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error("creem checkout_url not http(s)");
  }
  return parsed.data.checkout_url;
}
