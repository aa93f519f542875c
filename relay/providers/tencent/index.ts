/**
 * Tencent Hunyuan (type 23): `POST {base}/` with `X-TC-Action: ChatCompletions`, `X-TC-Version:
 * 2023-09-01` and a TC3-HMAC-SHA256 signature (Tencent Cloud API 3.0 "Signature v3": canonical request of
 * method, `/`, query, the signed headers `content-type;host;x-tc-action` and the body's SHA-256; string to
 * sign with the timestamp and `{date}/hunyuan/tc3_request`; the key derived from `TC3{SecretKey}` by date,
 * service and `tc3_request`). The key is New API's `AppId|SecretId|SecretKey`; the body goes in Hunyuan's
 * own format (`chat.ts`).
 */
import { ChannelError } from "../../pipeline/failure.ts";
import type { ProviderSpec } from "../spec.ts";
import { tencentWire } from "./chat.ts";

const enc = new TextEncoder();
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return hex(
    await crypto.subtle.digest(
      "SHA-256",
      (typeof data === "string" ? enc.encode(data) : data) as BufferSource,
    ),
  );
}

async function hmac(key: Uint8Array | ArrayBuffer, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

export function parseTencentKey(key: string): { appId: string; secretId: string; secretKey: string } {
  const parts = key.split("|").map((p) => p.trim());
  if (parts.length !== 3 || !/^\d+$/.test(parts[0]) || !parts[1] || !parts[2]) {
    throw new ChannelError("the Tencent key must be AppId|SecretId|SecretKey");
  }
  return { appId: parts[0], secretId: parts[1], secretKey: parts[2] };
}

/** The TC3-HMAC-SHA256 `Authorization` for one request (exported for tests). */
export async function tc3Authorization(
  o: {
    secretId: string;
    secretKey: string;
    host: string;
    action: string;
    body: Uint8Array | string;
    timestamp: number;
  },
): Promise<string> {
  const service = "hunyuan";
  const date = new Date(o.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = "content-type;host;x-tc-action";
  const canonical = [
    "POST",
    "/",
    "",
    `content-type:application/json\nhost:${o.host}\nx-tc-action:${o.action.toLowerCase()}\n`,
    signedHeaders,
    await sha256Hex(o.body),
  ].join("\n");
  const scope = `${date}/${service}/tc3_request`;
  const toSign = ["TC3-HMAC-SHA256", String(o.timestamp), scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac(enc.encode(`TC3${o.secretKey}`), date);
  key = await hmac(key, service);
  key = await hmac(key, "tc3_request");
  const signature = hex(await hmac(key, toSign));
  return `TC3-HMAC-SHA256 Credential=${o.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

const ACTION = "ChatCompletions";

export const tencentProvider: ProviderSpec = {
  name: "tencent",
  types: [23],
  defaultBaseUrl: "https://hunyuan.tencentcloudapi.com",
  dialects: ["openai_chat"],
  passthrough: new Set(),
  streamOptions: false,
  wire: tencentWire,
  url: (t) => `${t.baseUrl}/`,
  headers: () => ({ "x-tc-action": ACTION, "x-tc-version": "2023-09-01" }),
  async sign(req) {
    const k = parseTencentKey(req.key);
    const timestamp = Math.floor(Date.now() / 1000);
    const authorization = await tc3Authorization({
      secretId: k.secretId,
      secretKey: k.secretKey,
      host: new URL(req.url).host,
      action: ACTION,
      body: req.body,
      timestamp,
    });
    return {
      headers: { authorization, "x-tc-timestamp": String(timestamp), "content-type": "application/json" },
    };
  },
};
