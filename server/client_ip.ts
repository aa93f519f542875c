/**
 * Who is on the other end, and where they think they are: the client's IP, scheme and host. A proxy's
 * `X-Forwarded-For` / `X-Real-IP` / `X-Forwarded-Proto` / `X-Forwarded-Host` are believed when — and
 * only when — the connection's peer is in `TRUSTED_PROXIES` (default `none`). `resolveForwarded` is the
 * one place that decides; session cookies, the same-origin check and page URLs read its answer.
 */
import type { Context, MiddlewareHandler } from "hono";
import { formatIp, type IpMatcher, parseIp } from "../net/ip.ts";
import { parseIpRangeList } from "../net/ip_ranges.ts";

/** The request as the client made it (before any trusted proxy). */
export interface ForwardedView {
  /** Empty when the peer is unknown (in-process requests). */
  ip: string;
  proto: "http" | "https";
  /** `host[:port]`, as in the Host header. */
  host: string;
}

declare module "hono" {
  interface ContextVariableMap {
    /** Set by `clientIpMiddleware`; empty when the peer is unknown (in-process requests). */
    clientIp: string;
    /** Set by `clientIpMiddleware`; read it through `forwardedView(c)`. */
    forwarded: ForwardedView;
  }
}

/** Parses `TRUSTED_PROXIES` (default `none`; also `loopback`, `private`, CIDRs, comma separated). */
export function parseTrustedProxies(text: string): IpMatcher {
  return parseIpRangeList(text, "TRUSTED_PROXIES");
}

/**
 * The client address behind a trusted peer. `X-Forwarded-For` is read right to left: each proxy appends
 * the address it saw, so hops we trust are skipped and the first untrusted one is the client (when all
 * are trusted, the leftmost). Hops left of it were written by the client and are never read. A malformed
 * entry ends the walk, falling back to `X-Real-IP`, then the peer.
 */
function forwardedClient(peerIp: Uint8Array, headers: Headers, trusted: IpMatcher): string {
  const forwarded = headers.get("x-forwarded-for");
  if (forwarded) {
    const hops = forwarded.split(",");
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = parseIp(hops[i]);
      if (!hop) break;
      if (i === 0 || !trusted.matches(hop)) return formatIp(hop);
    }
  }
  const real = parseIp(headers.get("x-real-ip") ?? "");
  return formatIp(real ?? peerIp);
}

/** The value the nearest proxy wrote: the last of a comma-separated header, or undefined. */
function lastValue(headers: Headers, name: string): string | undefined {
  const value = headers.get(name)?.split(",").pop()?.trim();
  return value ? value : undefined;
}

/**
 * Resolves the client's address, scheme and host from the peer, the request URL and its headers.
 * An untrusted or unknown peer's forwarded headers are ignored: the peer is the client, the URL's scheme
 * and the Host header are the request's.
 */
export function resolveForwarded(
  peer: string,
  url: URL,
  headers: Headers,
  trusted: IpMatcher,
): ForwardedView {
  const own: ForwardedView = {
    ip: peer,
    proto: url.protocol === "https:" ? "https" : "http",
    host: headers.get("host") || url.host,
  };
  const peerIp = parseIp(peer);
  if (!peerIp) return own;
  if (!trusted.matches(peerIp)) return { ...own, ip: formatIp(peerIp) };
  const proto = lastValue(headers, "x-forwarded-proto")?.toLowerCase();
  const host = lastValue(headers, "x-forwarded-host");
  return {
    ip: forwardedClient(peerIp, headers, trusted),
    proto: proto === "https" || proto === "http" ? proto : own.proto,
    host: host ?? own.host,
  };
}

/** The client address alone (see `resolveForwarded`). */
export function resolveClientIp(peer: string, headers: Headers, trusted: IpMatcher): string {
  return resolveForwarded(peer, new URL("http://localhost/"), headers, trusted).ip;
}

/** The peer address Deno.serve passes as `c.env` (what `hono/deno`'s getConnInfo reads). */
export function peerAddress(c: Context): string {
  const addr = (c.env as { remoteAddr?: Deno.Addr } | undefined)?.remoteAddr;
  if (!addr) return "";
  // A Unix socket peer is a local reverse proxy.
  return addr.transport === "tcp" || addr.transport === "udp" ? addr.hostname : "127.0.0.1";
}

const nobody = parseTrustedProxies("none");

/**
 * The request's view as resolved by `clientIpMiddleware`; without it (a sub-app mounted alone), nobody
 * is trusted.
 */
export function forwardedView(c: Context): ForwardedView {
  return c.get("forwarded") ??
    resolveForwarded(peerAddress(c), new URL(c.req.url), c.req.raw.headers, nobody);
}

/** The request URL with the client's scheme and host (for absolute links on pages). */
export function publicUrl(c: Context): URL {
  const url = new URL(c.req.url);
  const view = forwardedView(c);
  try {
    return new URL(`${url.pathname}${url.search}`, `${view.proto}://${view.host}`);
  } catch {
    return url; // a host no URL can carry: keep the one the request arrived with
  }
}

/** Distinct peers remembered by `clientIpMiddleware` (forgotten all at once when full). */
const PEER_MEMO_ENTRIES = 1024;

/**
 * Sets `c.get("clientIp")` and the forwarded view for every later handler. What `resolveForwarded` decides
 * from the peer alone (is it trusted, its normalised address) is remembered per peer, so a request from an
 * untrusted peer (every request, by default) costs no address parsing and no URL parse.
 */
export function clientIpMiddleware(trusted: IpMatcher): MiddlewareHandler {
  /** Peer → its address as the client's (untrusted), or null (trusted: the forwarded headers decide). */
  const peers = new Map<string, string | null>();
  const untrustedIp = (peer: string): string | null => {
    let ip = peers.get(peer);
    if (ip === undefined) {
      const bytes = parseIp(peer);
      ip = !bytes ? peer : trusted.matches(bytes) ? null : formatIp(bytes);
      if (peers.size >= PEER_MEMO_ENTRIES) peers.clear();
      peers.set(peer, ip);
    }
    return ip;
  };
  return async function clientIp(c, next) {
    const peer = peerAddress(c);
    const ip = untrustedIp(peer);
    const view: ForwardedView = ip === null
      ? resolveForwarded(peer, new URL(c.req.url), c.req.raw.headers, trusted)
      : {
        ip,
        proto: c.req.url.startsWith("https:") ? "https" : "http",
        host: c.req.raw.headers.get("host") || new URL(c.req.url).host,
      };
    c.set("forwarded", view);
    c.set("clientIp", view.ip);
    await next();
  };
}
