/**
 * A local WeChat auth server (the wechat-server project New API talks to): `GET /api/wechat/user?code=`
 * with `Authorization: <token>` answers `{success: true, message: "", data: <openid>}` for a code it issued
 * (spent on use) and an empty `data` for any other; a wrong token gets 401 `{success: false}`.
 * `issue(openid)` plays the user messaging the official account and receiving a code.
 */
export const FAKE_WECHAT_TOKEN = "wechat-server-token";

export interface FakeWeChat {
  base: string;
  /** A fresh code the official account would send `openid`. */
  issue(openid: string): string;
  /** Requests received: the code and the Authorization header. */
  requests: { code: string; authorization: string }[];
  /** Options that point the gateway at this server (and let the SSRF guard reach 127.0.0.1). */
  options(): Record<string, string>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function startFakeWeChat(): FakeWeChat {
  const codes = new Map<string, string>();
  const fake: FakeWeChat = {
    base: "",
    requests: [],
    issue: (openid) => {
      const code = String(100000 + Math.floor(Math.random() * 900000));
      codes.set(code, openid);
      return code;
    },
    options: () => ({
      WeChatAuthEnabled: "true",
      WeChatServerAddress: fake.base,
      WeChatServerToken: FAKE_WECHAT_TOKEN,
      WeChatAccountQRCodeImageURL: "https://example.com/wechat-qr.png",
      "fetch_setting.allow_private_ip": "true",
      "fetch_setting.allowed_ports": JSON.stringify([String(port)]),
    }),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const url = new URL(req.url);
    if (req.method !== "GET" || url.pathname !== "/api/wechat/user") return json({ success: false }, 404);
    const code = url.searchParams.get("code") ?? "";
    const authorization = req.headers.get("authorization") ?? "";
    fake.requests.push({ code, authorization });
    if (authorization !== FAKE_WECHAT_TOKEN) {
      return json({ success: false, message: "无权进行此操作，token 无效" }, 401);
    }
    if (!code) return json({ success: false, message: "无效的参数" });
    const openid = codes.get(code) ?? "";
    codes.delete(code);
    return json({ success: true, message: "", data: openid });
  });
  server.unref();
  const port = server.addr.port;
  fake.base = `http://127.0.0.1:${port}`;
  return fake;
}
