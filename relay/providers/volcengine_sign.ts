/**
 * Volcengine's OpenAPI request signature (HMAC-SHA256, the scheme of New API's jimeng `Sign`), for the
 * visual APIs (Jimeng images and video, `cv` in `cn-north-1`): a canonical request of method, path, sorted
 * query, the signed headers `content-type;host;x-content-sha256;x-date` and the body's SHA-256; a string
 * to sign with `X-Date` and `{date}/{region}/{service}/request`; the key derived from the secret by date,
 * region, service and `request`. Shared by every Volcengine-signed adaptor.
 */
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
    [
      "sign",
    ],
  );
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** Go's url.QueryEscape (what New API signs with): spaces as `+`, `~` kept. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** The sorted, escaped query string that is signed. */
export function canonicalQuery(url: URL): string {
  const pairs = [...url.searchParams].sort(([a, x], [b, y]) =>
    a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0
  );
  return pairs.map(([k, v]) => `${queryEscape(k)}=${queryEscape(v)}`).join("&");
}

export interface VolcengineSignInput {
  method: string;
  url: string;
  body: Uint8Array | string;
  contentType: string;
  accessKey: string;
  secretKey: string;
  region: string;
  service: string;
  now?: Date;
}

/** `X-Date`, `X-Content-Sha256` and `Authorization` for one request. */
export async function volcengineHeaders(o: VolcengineSignInput): Promise<Record<string, string>> {
  const url = new URL(o.url);
  const xDate = (o.now ?? new Date()).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const shortDate = xDate.slice(0, 8);
  const payloadHash = await sha256Hex(o.body);
  const signed: [string, string][] = [
    ["content-type", o.contentType],
    ["host", url.host],
    ["x-content-sha256", payloadHash],
    ["x-date", xDate],
  ];
  const signedHeaders = signed.map(([k]) => k).join(";");
  const canonical = [
    o.method.toUpperCase(),
    url.pathname || "/",
    canonicalQuery(url),
    signed.map(([k, v]) => `${k}:${v.trim()}\n`).join(""),
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${shortDate}/${o.region}/${o.service}/request`;
  const toSign = ["HMAC-SHA256", xDate, scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac(enc.encode(o.secretKey), shortDate);
  for (const part of [o.region, o.service, "request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  return {
    "x-date": xDate,
    "x-content-sha256": payloadHash,
    authorization:
      `HMAC-SHA256 Credential=${o.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
