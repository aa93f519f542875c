/**
 * A fake of the providers' account-balance endpoints New API reads (a real HTTP server on a loopback port):
 * OpenAI's `/v1/dashboard/billing/subscription` + `/usage` (cents), OpenRouter's `/v1/credits`, DeepSeek's
 * `/user/balance`, SiliconFlow's `/v1/user/info`, Moonshot's `/v1/users/me/balance`, AIProxy's
 * `/api/report/getUserOverview` (`Api-Key` header) and the `credit_grants` of API2GPT/AIGC2D, each in its
 * documented shape. Only `key` is accepted (401 otherwise, echoing the key as careless upstreams do).
 */
export interface FakeAccountsOptions {
  key: string;
  /** USD for OpenAI-style, OpenRouter, AIProxy, credit grants; CNY for DeepSeek, SiliconFlow, Moonshot. */
  balance: number;
  /** OpenAI-style: usage this period, in USD. */
  usedUsd?: number;
}

export interface FakeAccounts {
  url: string;
  /** Every request's path with its query. */
  readonly paths: string[];
  setBalance(balance: number): void;
  [Symbol.asyncDispose](): Promise<void>;
}

export function startFakeAccounts(opts: FakeAccountsOptions): FakeAccounts {
  let balance = opts.balance;
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    paths.push(url.pathname + url.search);
    const given = req.headers.get("authorization")?.replace(/^Bearer /, "") ?? req.headers.get("api-key");
    if (given !== opts.key) {
      return Response.json({ error: { message: `Incorrect API key provided: ${given}` } }, { status: 401 });
    }
    const used = opts.usedUsd ?? 0;
    const s = String(balance);
    switch (url.pathname) {
      case "/v1/dashboard/billing/subscription":
        return Response.json({
          object: "billing_subscription",
          has_payment_method: true,
          soft_limit_usd: balance,
          hard_limit_usd: balance,
          system_hard_limit_usd: balance,
          access_until: 0,
        });
      case "/v1/dashboard/billing/usage":
        return Response.json({ object: "list", total_usage: used * 100 });
      case "/v1/credits":
        return Response.json({ data: { total_credits: balance + used, total_usage: used } });
      case "/user/balance":
        return Response.json({
          is_available: true,
          balance_infos: [
            { currency: "USD", total_balance: "1.00", granted_balance: "0.00", topped_up_balance: "1.00" },
            { currency: "CNY", total_balance: s, granted_balance: "0.00", topped_up_balance: s },
          ],
        });
      case "/v1/user/info":
        return Response.json({
          code: 20000,
          message: "OK",
          status: true,
          data: { id: "u1", name: "n", balance: s, chargeBalance: "0", totalBalance: s, status: "normal" },
        });
      case "/v1/users/me/balance":
        return Response.json({
          code: 0,
          data: { available_balance: balance, voucher_balance: 0, cash_balance: balance },
          scode: "0x0",
          status: true,
        });
      case "/api/report/getUserOverview":
        return Response.json({ success: true, message: "", error_code: 0, data: { totalPoints: balance } });
      case "/dashboard/billing/credit_grants":
        return Response.json({
          object: "credit_summary",
          total_granted: balance + used,
          total_used: used,
          total_available: balance,
          total_remaining: balance,
        });
      default:
        return Response.json({ error: { message: "not found" } }, { status: 404 });
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    paths,
    setBalance: (b) => (balance = b),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
