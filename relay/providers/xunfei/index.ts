/**
 * Xunfei Spark (type 18) over its WebSocket API. The key is New API's `AppId|APISecret|APIKey`. The version
 * comes from a model named `SparkDesk-v3.5` (the part after the one dash), else the channel's `other`, else
 * v1.1; it names the path `/{version}/chat` and the frame's domain (v1.1 lite, v2.1 generalv2, v3.1
 * generalv3, v3.5 generalv3.5, v4.0 4.0Ultra, else `general{version}`), as New API does. The socket URL is
 * signed as Xunfei's docs say: HMAC-SHA256 with the APISecret over `host`, `date` (RFC 1123) and the
 * request line `GET {path} HTTP/1.1`, put with the APIKey in a base64 `authorization` query parameter.
 */
import { ChannelError } from "../../pipeline/failure.ts";
import { exchangeOverWebSocket } from "../../http/websocket_exchange.ts";
import { type ProviderSpec, type UpstreamTarget, webSocketUrl } from "../spec.ts";
import { sparkFrameError, sparkWire } from "./chat.ts";

const enc = new TextEncoder();

export function sparkVersion(model: string, other: string): string {
  const parts = model.split("-");
  if (parts.length === 2 && parts[1]) return parts[1];
  return other.trim() || "v1.1";
}

export function sparkDomain(version: string): string {
  const known: Record<string, string> = {
    "v1.1": "lite",
    "v2.1": "generalv2",
    "v3.1": "generalv3",
    "v3.5": "generalv3.5",
    "v4.0": "4.0Ultra",
  };
  return known[version] ?? `general${version}`;
}

export function parseSparkKey(key: string): { appId: string; apiSecret: string; apiKey: string } {
  const parts = key.split("|").map((p) => p.trim());
  if (parts.length !== 3 || parts.some((p) => !p)) {
    throw new ChannelError("the Xunfei key must be AppId|APISecret|APIKey");
  }
  return { appId: parts[0], apiSecret: parts[1], apiKey: parts[2] };
}

const base64 = (bytes: Uint8Array | ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** The signed socket URL for `url` at `date` (exported for the fake upstream's check and tests). */
export async function signSparkUrl(
  url: string,
  apiKey: string,
  apiSecret: string,
  date: Date,
): Promise<string> {
  const u = new URL(url);
  const rfc1123 = date.toUTCString();
  const origin = `host: ${u.host}\ndate: ${rfc1123}\nGET ${u.pathname} HTTP/1.1`;
  const k = await crypto.subtle.importKey(
    "raw",
    enc.encode(apiSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const signature = base64(await crypto.subtle.sign("HMAC", k, enc.encode(origin)));
  const authorization = base64(enc.encode(
    `api_key="${apiKey}", algorithm="hmac-sha256", headers="host date request-line", signature="${signature}"`,
  ));
  u.search = new URLSearchParams({ authorization, date: rfc1123, host: u.host }).toString();
  return u.toString();
}

const chatUrl = (t: UpstreamTarget) => `${webSocketUrl(t.baseUrl)}/${sparkVersion(t.model, t.other)}/chat`;

export const xunfeiProvider: ProviderSpec = {
  name: "xunfei",
  types: [18],
  defaultBaseUrl: "https://spark-api.xf-yun.com",
  dialects: ["openai_chat"],
  passthrough: new Set(),
  streamOptions: false,
  wire: sparkWire,
  url: chatUrl,
  headers: () => ({}),
  prepareBody(body, t) {
    const parameter = body.parameter as { chat: Record<string, unknown> };
    parameter.chat = { domain: sparkDomain(sparkVersion(t.model, t.other)), ...parameter.chat };
  },
  async sign(req) {
    const k = parseSparkKey(req.key);
    const frame = JSON.parse(typeof req.body === "string" ? req.body : new TextDecoder().decode(req.body));
    frame.header = { ...frame.header, app_id: k.appId };
    return {
      headers: {},
      url: await signSparkUrl(req.url, k.apiKey, k.apiSecret, new Date()),
      body: JSON.stringify(frame),
    };
  },
  send(req, http) {
    const error = (frame: Record<string, unknown>) => {
      const e = sparkFrameError(frame);
      return e && { status: e.status, text: JSON.stringify({ error: { message: e.message, code: e.code } }) };
    };
    return exchangeOverWebSocket({
      url: String(req.url),
      http,
      proxy: req.proxy,
      message: typeof req.body === "string" ? req.body : new TextDecoder().decode(req.body as Uint8Array),
      signal: req.signal,
      isLast: (f) => (f.payload as { choices?: { status?: number } })?.choices?.status === 2,
      errorOf: error,
    });
  },
};
