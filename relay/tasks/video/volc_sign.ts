/**
 * Volcengine's OpenAPI request signature (the "HMAC-SHA256" V4-style scheme of its visual API, as New API's
 * jimeng adaptor signs): canonical request of method, path, sorted query, the signed headers
 * `content-type;host;x-content-sha256;x-date` and the body's SHA-256; string to sign with `X-Date` and the
 * scope `{date}/cn-north-1/cv/request`; the key derived from the secret key by date, region, service and
 * `request`. Returns the headers to add.
 */
const enc = new TextEncoder();
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
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
  return await crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** Go's url.QueryEscape (form encoding: a space is `+`). */
const queryEscape = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");

export interface VolcSignInput {
  method: string;
  url: string;
  contentType: string;
  body: string;
  accessKey: string;
  secretKey: string;
  /** Milliseconds since the epoch (tests fix it). */
  now?: number;
  region?: string;
  service?: string;
}

export async function volcSignedHeaders(i: VolcSignInput): Promise<Record<string, string>> {
  const u = new URL(i.url);
  const iso = new Date(i.now ?? Date.now()).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const xDate = iso; // 20060102T150405Z
  const shortDate = xDate.slice(0, 8);
  const region = i.region ?? "cn-north-1";
  const service = i.service ?? "cv";
  const payloadHash = await sha256Hex(i.body);
  const query = [...u.searchParams.keys()].filter((k, n, all) => all.indexOf(k) === n).sort()
    .flatMap((k) => u.searchParams.getAll(k).sort().map((v) => `${queryEscape(k)}=${queryEscape(v)}`))
    .join("&");
  const signed: Record<string, string> = {
    "content-type": i.contentType,
    host: u.host,
    "x-content-sha256": payloadHash,
    "x-date": xDate,
  };
  const names = Object.keys(signed).sort();
  const canonical = [
    i.method.toUpperCase(),
    u.pathname,
    query,
    names.map((k) => `${k}:${signed[k].trim()}\n`).join(""),
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${shortDate}/${region}/${service}/request`;
  const toSign = ["HMAC-SHA256", xDate, scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac(enc.encode(i.secretKey), shortDate);
  key = await hmac(key, region);
  key = await hmac(key, service);
  key = await hmac(key, "request");
  const signature = hex(await hmac(key, toSign));
  return {
    "x-date": xDate,
    "x-content-sha256": payloadHash,
    authorization: `HMAC-SHA256 Credential=${i.accessKey}/${scope}, SignedHeaders=${
      names.join(";")
    }, Signature=${signature}`,
  };
}
