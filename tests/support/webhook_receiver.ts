/** A local HTTP receiver for webhook (and Bark, Gotify) notices, and the options that let the SSRF guard reach it. */

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Headers;
  /** The raw body ("" for a GET). */
  body: string;
}

export interface WebhookReceiver {
  url: string;
  /** JSON bodies received so far. */
  hooks: Record<string, unknown>[];
  /** Every request received so far, JSON or not. */
  requests: ReceivedRequest[];
  /** `fetch_setting.*` options allowing delivery to this loopback port. */
  options: Record<string, string>;
  /** Resolves once `n` requests arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function startWebhookReceiver(): WebhookReceiver {
  const hooks: Record<string, unknown>[] = [];
  const requests: ReceivedRequest[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const body = await req.text();
    const url = new URL(req.url);
    requests.push({ method: req.method, path: url.pathname + url.search, headers: req.headers, body });
    if (body) hooks.push(JSON.parse(body));
    return new Response("ok");
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    hooks,
    requests,
    options: {
      "fetch_setting.allow_private_ip": "true",
      "fetch_setting.allowed_ports": String(server.addr.port),
    },
    async waitFor(n, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > until) throw new Error(`${requests.length} of ${n} webhooks arrived`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
