/**
 * A local stand-in for Creem's API: `POST /v1/checkouts` takes the merchant's `x-api-key` and JSON body,
 * records them and answers a checkout with its `checkout_url`, as Creem does. `checkoutCompleted` builds
 * the `checkout.completed` event Creem sends, and `signed` signs a body the way Creem signs webhooks
 * (hex HMAC-SHA256 of the raw body under the webhook secret, in `creem-signature`), computed here on its
 * own rather than with the gateway's function.
 */
import { createHmac } from "node:crypto";

export interface CreemCheckout {
  id: string;
  body: {
    product_id: string;
    request_id: string;
    customer?: { email?: string };
    metadata?: Record<string, string>;
  };
}

export class FakeCreem {
  readonly checkouts: CreemCheckout[] = [];
  #server: Deno.HttpServer;

  constructor(readonly apiKey: string) {
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/checkouts") {
        return Response.json({ error: "Not Found" }, { status: 404 });
      }
      if (req.headers.get("x-api-key") !== this.apiKey) {
        return Response.json({ error: "Forbidden", message: ["Invalid API key"] }, { status: 403 });
      }
      const body = await req.json();
      const id = `ch_${this.checkouts.length + 1}`;
      this.checkouts.push({ id, body });
      return Response.json({
        id,
        object: "checkout",
        mode: "test",
        status: "pending",
        request_id: body.request_id,
        product: body.product_id,
        checkout_url: `https://checkout.creem.test/${id}`,
      });
    });
  }

  get base(): string {
    return `http://127.0.0.1:${(this.#server.addr as Deno.NetAddr).port}`;
  }

  async close(): Promise<void> {
    await this.#server.shutdown();
  }
}

export interface CreemOrderFields {
  status?: string;
  type?: string;
  amount?: number;
  sub_total?: number;
  currency?: string;
}

/** Creem's `checkout.completed` event for `requestId` (amounts in cents). */
export function checkoutCompleted(
  requestId: string,
  order: CreemOrderFields,
  eventType = "checkout.completed",
  id = `evt_${crypto.randomUUID().replaceAll("-", "")}`,
): string {
  const amount = order.amount ?? order.sub_total ?? 0;
  return JSON.stringify({
    id,
    eventType,
    created_at: Date.now(),
    object: {
      id: "ch_1",
      object: "checkout",
      request_id: requestId,
      order: {
        object: "order",
        id: "ord_1",
        customer: "cust_1",
        product: "prod_1",
        amount,
        currency: order.currency ?? "USD",
        sub_total: order.sub_total ?? amount,
        tax_amount: 0,
        amount_due: amount,
        amount_paid: amount,
        status: order.status ?? "paid",
        type: order.type ?? "onetime",
        transaction: "tran_1",
        mode: "test",
      },
      product: { id: "prod_1", object: "product", name: "Pack", price: amount, currency: "USD" },
      units: 1,
      customer: { id: "cust_1", object: "customer", email: "buyer@example.com", name: "Buyer" },
      status: "completed",
      metadata: { reference_id: requestId },
      mode: "test",
    },
  });
}

export function signed(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}
