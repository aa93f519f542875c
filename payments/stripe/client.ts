/**
 * The official `stripe` library, configured from the options: one client per API secret and API base
 * (`STRIPE_API_BASE`, which tests point at a local fake). Webhook verification needs no API secret, so
 * `stripeWebhooks` works from the library alone.
 */
import Stripe from "stripe";
import { optionRegistry as o } from "../../options/index.ts";
import type { OptionSource } from "../../options/registry.ts";

const clients = new Map<string, Stripe>();

export function stripeClient(apiSecret: string, apiBase: string): Stripe {
  const id = `${apiBase}\n${apiSecret}`;
  let client = clients.get(id);
  if (!client) {
    const base = new URL(apiBase);
    client = new Stripe(apiSecret, {
      host: base.hostname,
      port: base.port || (base.protocol === "http:" ? 80 : 443),
      protocol: base.protocol === "http:" ? "http" : "https",
      maxNetworkRetries: 1,
      timeout: 20_000,
    });
    if (clients.size > 8) clients.clear();
    clients.set(id, client);
  }
  return client;
}

let webhookOnly: Stripe | undefined;
/** `stripe.webhooks` (signature checks and test headers), without any API key. */
export function stripeWebhooks(): Stripe["webhooks"] {
  webhookOnly ??= new Stripe("sk_webhook_only");
  return webhookOnly.webhooks;
}

export interface StripeSettings {
  apiSecret: string;
  webhookSecret: string;
  priceId: string;
  unitPrice: number;
  minTopUp: number;
  promotionCodes: boolean;
  /** A Checkout can be started: an API secret, a price and a webhook secret to hear back with. */
  enabled: boolean;
}

export function stripeSettings(cat: OptionSource): StripeSettings {
  const s = {
    apiSecret: o.string(cat, "StripeApiSecret"),
    webhookSecret: o.string(cat, "StripeWebhookSecret").trim(),
    priceId: o.string(cat, "StripePriceId"),
    unitPrice: o.float(cat, "StripeUnitPrice"),
    minTopUp: o.int(cat, "StripeMinTopUp"),
    promotionCodes: o.bool(cat, "StripePromotionCodesEnabled"),
  };
  return { ...s, enabled: /^(sk|rk)_/.test(s.apiSecret) && s.priceId !== "" && s.webhookSecret !== "" };
}
