/**
 * A local stand-in for Stripe's API: `POST /v1/checkout/sessions` records the form the official library
 * sends and answers a Checkout Session. Webhooks are signed in the tests with the library's own
 * `generateTestHeaderStringAsync`, Stripe's real scheme (`t=…,v1=HMAC-SHA256(t.payload)`).
 */
export class FakeStripe {
  readonly sessions: { form: URLSearchParams; auth: string | null; id: string }[] = [];
  #server: Deno.HttpServer;

  constructor() {
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/checkout/sessions") {
        return Response.json({ error: { type: "invalid_request_error", message: "no such route" } }, {
          status: 404,
        });
      }
      const form = new URLSearchParams(await req.text());
      const id = `cs_test_${this.sessions.length + 1}`;
      this.sessions.push({ form, auth: req.headers.get("authorization"), id });
      return Response.json({
        id,
        object: "checkout.session",
        mode: form.get("mode"),
        client_reference_id: form.get("client_reference_id"),
        url: `https://checkout.stripe.test/c/pay/${id}`,
        status: "open",
        payment_status: "unpaid",
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

/** A Checkout Session event as Stripe sends it (only the fields the gateway reads, plus ids). */
export function checkoutEvent(
  type: string,
  session: Record<string, unknown>,
  id = `evt_${crypto.randomUUID().replaceAll("-", "")}`,
): string {
  return JSON.stringify({
    id,
    object: "event",
    api_version: "2025-01-27.acacia",
    created: Math.floor(Date.now() / 1000),
    type,
    data: {
      object: {
        id: "cs_test_1",
        object: "checkout.session",
        mode: "payment",
        status: "complete",
        payment_status: "paid",
        currency: "usd",
        ...session,
      },
    },
  });
}
