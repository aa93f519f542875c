/** A local HTTP receiver for webhook notices, and the options that let the SSRF guard reach it. */

export interface WebhookReceiver {
  url: string;
  /** JSON bodies received so far. */
  hooks: Record<string, unknown>[];
  /** `fetch_setting.*` options allowing delivery to this loopback port. */
  options: Record<string, string>;
  /** Resolves once `n` hooks arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function startWebhookReceiver(): WebhookReceiver {
  const hooks: Record<string, unknown>[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    hooks.push(await req.json());
    return new Response("ok");
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    hooks,
    options: {
      "fetch_setting.allow_private_ip": "true",
      "fetch_setting.allowed_ports": String(server.addr.port),
    },
    async waitFor(n, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (hooks.length < n) {
        if (Date.now() > until) throw new Error(`${hooks.length} of ${n} webhooks arrived`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
