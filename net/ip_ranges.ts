/**
 * Which addresses are public. Everything in IANA's special-purpose registries that is not globally
 * reachable is refused by the SSRF guard, plus IPv6 forms that carry an IPv4 address (NAT64, 6to4) when
 * the carried address is not public. IPv4-mapped IPv6 needs no rule: `ip.ts` stores IPv4 that way.
 */
import { cidrContains, type IpBytes, IpMatcher, parseCidr } from "./ip.ts";

const nonPublic = IpMatcher.parse([
  "0.0.0.0/8", // "this network"; 0.0.0.0 reaches localhost on Linux (GHSA-v5c3-6wvc-pc2q)
  "10.0.0.0/8",
  "100.64.0.0/10", // carrier-grade NAT
  "127.0.0.0/8",
  "169.254.0.0/16", // link-local, cloud metadata at 169.254.169.254
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24", // 6to4 relay anycast
  "192.168.0.0/16",
  "198.18.0.0/15", // benchmarking
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, broadcast
  "::/96", // unspecified, loopback, deprecated IPv4-compatible
  "64:ff9b:1::/48", // local-use NAT64
  "100::/64", // discard-only
  "2001::/32", // Teredo (carries an obfuscated IPv4)
  "2001:10::/28",
  "2001:20::/28",
  "2001:db8::/32",
  "3fff::/20",
  "fc00::/7", // unique local
  "fe80::/10", // link-local
  "fec0::/10", // site-local (deprecated)
  "ff00::/8", // multicast
].join(",")).matcher;

const nat64 = parseCidr("64:ff9b::/96")!;
const sixToFour = parseCidr("2002::/16")!;

function v4(bytes: Uint8Array): IpBytes {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(bytes, 12);
  return out;
}

/** Is `ip` a globally reachable unicast address? */
export function isPublicIp(ip: IpBytes): boolean {
  if (nonPublic.matches(ip)) return false;
  if (cidrContains(nat64, ip)) return isPublicIp(v4(ip.slice(12, 16)));
  if (cidrContains(sixToFour, ip)) return isPublicIp(v4(ip.slice(2, 6)));
  return true;
}

/** The words `TRUSTED_PROXIES` (and other allow-lists) accept besides CIDRs. */
export const ipRangeWords: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  private: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
  none: [],
};

/**
 * Parses an address list such as `TRUSTED_PROXIES`: CIDRs, addresses and the words above, comma
 * separated. Throws naming the first entry it cannot read (`what` names the list in the message).
 */
export function parseIpRangeList(text: string, what: string): IpMatcher {
  const { matcher, invalid } = IpMatcher.parse(text, ipRangeWords);
  if (invalid.length) {
    throw new Error(`${what}: "${invalid[0]}" is not a CIDR, an IP, loopback, private or none`);
  }
  return matcher;
}
