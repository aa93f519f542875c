/**
 * The client's IP address: the connection's peer, or what a trusted reverse proxy says in
 * `X-Forwarded-For` / `X-Real-IP` when — and only when — the peer is in `TRUSTED_PROXIES`. A client
 * talking to us directly cannot choose its address by sending those headers (gin's default trusted
 * everyone, which defeated per-IP limits and token IP allow-lists in one-api).
 */
import type { Context, MiddlewareHandler } from "hono";
import { formatIp, type IpMatcher, parseIp } from "../net/ip.ts";
import { parseIpRangeList } from "../net/ip_ranges.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by `clientIpMiddleware`; empty when the peer is unknown (in-process requests). */
    clientIp: string;
  }
}

/** Parses `TRUSTED_PROXIES` (default `loopback,private`; `none` trusts nobody). */
export function parseTrustedProxies(text: string): IpMatcher {
  return parseIpRangeList(text, "TRUSTED_PROXIES");
}

/**
 * Resolves the client address from the peer and the request headers. `X-Forwarded-For` is read right
 * to left: each proxy appends the address it saw, so hops we trust are skipped and the first untrusted
 * one is the client (when all are trusted, the leftmost). A malformed entry ends the walk, falling back
 * to `X-Real-IP`, then the peer.
 */
export function resolveClientIp(peer: string, headers: Headers, trusted: IpMatcher): string {
  const peerIp = parseIp(peer);
  if (!peerIp) return peer;
  if (!trusted.matches(peerIp)) return formatIp(peerIp);
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

/** The peer address Deno.serve passes as `c.env` (what `hono/deno`'s getConnInfo reads). */
export function peerAddress(c: Context): string {
  const addr = (c.env as { remoteAddr?: Deno.Addr } | undefined)?.remoteAddr;
  if (!addr) return "";
  // A Unix socket peer is a local reverse proxy.
  return addr.transport === "tcp" || addr.transport === "udp" ? addr.hostname : "127.0.0.1";
}

/** Sets `c.get("clientIp")` for every later handler. */
export function clientIpMiddleware(trusted: IpMatcher): MiddlewareHandler {
  return async function clientIp(c, next) {
    const peer = peerAddress(c);
    c.set("clientIp", peer ? resolveClientIp(peer, c.req.raw.headers, trusted) : "");
    await next();
  };
}
