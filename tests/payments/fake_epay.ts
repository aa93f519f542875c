/**
 * A local Epay (易支付) gateway speaking the real protocol: `POST|GET /submit.php` takes the merchant's
 * signed purchase (MD5 of the sorted non-empty params without sign/sign_type, then the key), keeps the
 * order and redirects to its cashier (`/cashier/<out_trade_no>`, a page naming the order and its money);
 * `pay(tradeNo)` plays the customer paying and sends the signed asynchronous notice (a GET to notify_url,
 * as Epay does) through `deliver`.
 */
import { createHash } from "node:crypto";

export interface EpayGatewayOrder {
  params: Record<string, string>;
  gatewayTradeNo: string;
}

function sign(params: Record<string, string>, key: string): string {
  const text = Object.entries(params)
    .filter(([k, v]) => k !== "sign" && k !== "sign_type" && v !== "")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  return createHash("md5").update(text + key).digest("hex");
}

export class FakeEpay {
  readonly orders = new Map<string, EpayGatewayOrder>();
  readonly rejected: string[] = [];
  #server: Deno.HttpServer;
  #seq = 1000;

  constructor(
    readonly pid: string,
    readonly key: string,
    /** Sends the notice URL to the merchant (the in-process app) and returns its body. */
    readonly deliver: (url: string) => Promise<string>,
  ) {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.#handle(req),
    );
  }

  get address(): string {
    const a = this.#server.addr as Deno.NetAddr;
    return `http://127.0.0.1:${a.port}`;
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const cashier = url.pathname.match(/^\/cashier\/([^/]+)$/);
    const shown = cashier && this.orders.get(decodeURIComponent(cashier[1]));
    if (shown) {
      const { out_trade_no: no, money } = shown.params;
      return new Response(`<!doctype html><title>cashier</title><h1>Order ${no}: pay ${money}</h1>`, {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    if (url.pathname !== "/submit.php") return new Response("not found", { status: 404 });
    const form = req.method === "POST" ? new URLSearchParams(await req.text()) : url.searchParams;
    const params = Object.fromEntries(form);
    if (params.pid !== this.pid || params.sign !== sign(params, this.key) || params.sign_type !== "MD5") {
      this.rejected.push(params.out_trade_no ?? "");
      return new Response("签名错误", { status: 400 });
    }
    this.orders.set(params.out_trade_no, { params, gatewayTradeNo: String(this.#seq++) });
    return new Response(null, {
      status: 302,
      headers: { location: `${this.address}/cashier/${params.out_trade_no}` },
    });
  }

  /** The notice Epay sends when `tradeNo` is paid; `tamper` edits it after signing (a forgery). */
  notice(
    tradeNo: string,
    edit: (p: Record<string, string>) => void = () => {},
    tamper: (p: Record<string, string>) => void = () => {},
  ): string {
    const order = this.orders.get(tradeNo);
    if (!order) throw new Error(`the gateway never saw ${tradeNo}`);
    const p: Record<string, string> = {
      pid: this.pid,
      trade_no: order.gatewayTradeNo,
      out_trade_no: tradeNo,
      type: order.params.type,
      name: order.params.name,
      money: order.params.money,
      trade_status: "TRADE_SUCCESS",
    };
    edit(p);
    p.sign = sign(p, this.key);
    p.sign_type = "MD5";
    tamper(p);
    const u = new URL(order.params.notify_url);
    for (const [k, v] of Object.entries(p)) u.searchParams.set(k, v);
    return u.toString();
  }

  pay(tradeNo: string): Promise<string> {
    return this.deliver(this.notice(tradeNo));
  }

  async close(): Promise<void> {
    await this.#server.shutdown();
  }
}
