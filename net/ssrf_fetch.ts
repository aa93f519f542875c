/**
 * The one HTTP client for URLs a user supplied (webhooks, Bark, Gotify, later image and file URLs).
 *
 * Why `node:http`/`node:https` and not `fetch`: the address must be checked at connect time, on the
 * very address the socket connects to, or a name can resolve to a public address for the check and to
 * 127.0.0.1 for the connection (DNS rebinding, the gap GHSA-6qcr-qxgr-m7fv leaves open). Node's client
 * takes a `lookup` function, and Deno's `node:net` calls it for every connection and connects only to
 * what it returns, while TLS still verifies the certificate against the URL's host name (SNI intact).
 * Deno's `fetch` has no such hook: `Deno.createHttpClient({proxy: {transport: "tcp"}})` pins the address
 * but only speaks plain HTTP over it (no TLS), and fetching `https://<ip>` breaks certificate checks.
 * So: IP literals are checked before connecting, names are checked inside `lookup` (every resolved
 * address must pass, or none is used), redirects are followed here one hop at a time with each hop
 * checked again, and every exchange is capped in time and size.
 */
import http from "node:http";
import https from "node:https";
import { lookup as dnsLookup } from "node:dns";
import { Buffer } from "node:buffer";
import type { LookupFunction } from "node:net";
import { formatIp, parseIp } from "./ip.ts";
import { checkUrl, type FetchSetting, refuseAddress } from "./fetch_setting.ts";

/** The guard refused the URL or an address it resolved to; nothing was sent. */
export class SsrfRefusedError extends Error {
  override name = "SsrfRefusedError";
}

/** The exchange failed: connection, timeout, size cap, too many redirects. */
export class GuardedFetchError extends Error {
  override name = "GuardedFetchError";
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address (the system resolver by default; tests pass their own). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    })
  );

export interface GuardedFetchOptions {
  setting: FetchSetting;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Redirects to follow, each checked like the first URL (default 3). */
  maxRedirects?: number;
  /** Whole exchange, redirects included (default 10 s). */
  timeoutMs?: number;
  /** Response body cap (default 1 MiB). */
  maxBytes?: number;
  resolver?: Resolver;
  /** Extra trusted CA certificates in PEM (tests with a local TLS server). */
  caCerts?: string[];
}

export interface GuardedResponse {
  status: number;
  headers: Headers;
  /** The URL that answered, after redirects. */
  url: string;
  body: Uint8Array;
  text(): string;
}

const redirectCodes = new Set([301, 302, 303, 307, 308]);

/** Fetches a user-supplied URL through the SSRF guard. Throws SsrfRefusedError or GuardedFetchError. */
export async function guardedFetch(input: string, options: GuardedFetchOptions): Promise<GuardedResponse> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SsrfRefusedError("not a valid URL");
  }
  let method = (options.method ?? "GET").toUpperCase();
  let body = options.body;
  const headers = { ...options.headers };
  for (let hop = 0;; hop++) {
    const res = await exchange(url, method, headers, body, options, deadline);
    const location = res.headers.get("location");
    if (!redirectCodes.has(res.status) || !location) return res;
    if (hop >= (options.maxRedirects ?? 3)) throw new GuardedFetchError("too many redirects");
    const next = new URL(location, url);
    if (next.origin !== url.origin) {
      for (const name of Object.keys(headers)) {
        if (/^(authorization|cookie)$/i.test(name)) delete headers[name];
      }
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
    }
    url = next;
  }
}

function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  options: GuardedFetchOptions,
  deadline: number,
): Promise<GuardedResponse> {
  const target = checkUrl(url, options.setting);
  if (typeof target === "string") return Promise.reject(new SsrfRefusedError(target));
  const resolver = options.resolver ?? systemResolver;
  const setting = options.setting;
  let refusal: SsrfRefusedError | undefined;
  // Resolves the normalised host (lower case, no trailing dot) that the domain rules were checked on.
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolver(target.host).then((addresses) => {
      const checked = addresses.map((a) => {
        const ip = parseIp(a.address);
        if (!ip) return { ...a, refused: `unreadable address ${a.address}` };
        return { address: formatIp(ip), family: a.family, refused: refuseAddress(ip, setting) };
      });
      const bad = checked.find((a) => a.refused);
      if (bad || checked.length === 0) {
        refusal = new SsrfRefusedError(`${hostname}: ${bad?.refused ?? "no address"}`);
        callback(refusal, "", 4);
        return;
      }
      const usable = checked.filter((a) => !lookupOptions.family || a.family === lookupOptions.family);
      if (lookupOptions.all) callback(null, usable.map(({ address, family }) => ({ address, family })));
      else if (usable.length) callback(null, usable[0].address, usable[0].family);
      else callback(new GuardedFetchError(`${hostname}: no address of the requested family`), "", 4);
    }, (err) => callback(err as NodeJS.ErrnoException, "", 4));
  };
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new GuardedFetchError("timed out"));
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method,
      headers,
      agent: false,
      lookup,
      ...(options.caCerts ? { ca: options.caCerts } : {}),
    });
    const timer = setTimeout(() => req.destroy(new GuardedFetchError("timed out")), remaining);
    const fail = (err: unknown) => {
      clearTimeout(timer);
      if (refusal) reject(refusal);
      else if (err instanceof SsrfRefusedError || err instanceof GuardedFetchError) reject(err);
      else reject(new GuardedFetchError(`request failed: ${(err as Error)?.message ?? err}`));
    };
    req.on("error", fail);
    req.on("response", (res) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new GuardedFetchError(`response larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(new Uint8Array(chunk));
      });
      res.on("error", fail);
      res.on("end", () => {
        clearTimeout(timer);
        const out = new Uint8Array(size);
        let at = 0;
        for (const c of chunks) out.set(c, (at += c.length) - c.length);
        const h = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) h.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: h,
          url: url.href,
          body: out,
          text: () => new TextDecoder().decode(out),
        });
      });
    });
    if (body !== undefined) req.write(typeof body === "string" ? body : Buffer.from(body));
    req.end();
  });
}
