/**
 * IP addresses and CIDR ranges for allow-lists, trusted proxies and the SSRF guard. Every address is
 * 16 bytes, IPv4 stored as IPv4-mapped IPv6 (`::ffff:a.b.c.d`), so an IPv4 range also matches the mapped
 * form of its addresses and one matcher serves both families. Parsing is strict: IPv4 is dotted decimal
 * only (URL hosts like `2130706433` are normalised by the URL parser before they get here).
 */

export type IpBytes = Uint8Array;

export interface Cidr {
  bytes: IpBytes;
  /** Prefix length in the 128-bit space (an IPv4 /8 is 104). */
  prefix: number;
}

function parseV4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseV6(text: string): IpBytes | null {
  let body = text;
  if (body.includes(".")) {
    // A dotted IPv4 tail (`::ffff:1.2.3.4`) becomes the last two 16-bit groups.
    const cut = body.lastIndexOf(":");
    const v4 = parseV4(body.slice(cut + 1));
    if (!v4) return null;
    body = `${body.slice(0, cut + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${
      ((v4[2] << 8) | v4[3]).toString(16)
    }`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => s === "" ? [] : s.split(":");
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (halves.length === 1 ? head.length !== 8 : head.length + rest.length > 7) return null;
  const all = halves.length === 1
    ? head
    : [...head, ...Array(8 - head.length - rest.length).fill("0"), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return null;
    const n = parseInt(all[i], 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  return out;
}

/** Parses an IPv4 or IPv6 address (brackets and an IPv6 zone id are accepted and dropped). */
export function parseIp(text: string): IpBytes | null {
  let s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s.includes(":")) {
    const zone = s.indexOf("%");
    return parseV6(zone >= 0 ? s.slice(0, zone) : s);
  }
  const v4 = parseV4(s);
  if (!v4) return null;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

/** Is this an IPv4 address (held in its mapped form)? */
export function isIpv4(ip: IpBytes): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/** Dotted decimal for IPv4, compressed lower-case text for IPv6. */
export function formatIp(ip: IpBytes): string {
  if (isIpv4(ip)) return Array.from(ip.slice(12)).join(".");
  const words = Array.from({ length: 8 }, (_, i) => (ip[i * 2] << 8) | ip[i * 2 + 1]);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a single-address range). */
export function parseCidr(text: string): Cidr | null {
  const [addr, bits, extra] = text.trim().split("/");
  if (extra !== undefined) return null;
  const bytes = parseIp(addr);
  if (!bytes) return null;
  const v4 = !addr.includes(":");
  const max = v4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return null;
  const n = bits === undefined ? max : Number(bits);
  if (n > max) return null;
  return { bytes: maskTo(bytes, v4 ? 96 + n : n), prefix: v4 ? 96 + n : n };
}

function maskTo(ip: IpBytes, prefix: number): IpBytes {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = ip[i] & (0xff << (8 - keep));
  }
  return out;
}

export function cidrContains(range: Cidr, ip: IpBytes): boolean {
  const masked = maskTo(ip, range.prefix);
  for (let i = 0; i < 16; i++) if (masked[i] !== range.bytes[i]) return false;
  return true;
}

/** A list of ranges; `matches` accepts parsed bytes or text (unparseable text never matches). */
export class IpMatcher {
  readonly ranges: readonly Cidr[];
  constructor(ranges: Cidr[]) {
    this.ranges = ranges;
  }

  /**
   * Parses a comma or whitespace separated list. `words` maps names (like `loopback`) to ranges;
   * unknown entries are returned in `invalid` rather than silently ignored.
   */
  static parse(
    list: string,
    words: Record<string, string[]> = {},
  ): { matcher: IpMatcher; invalid: string[] } {
    const ranges: Cidr[] = [];
    const invalid: string[] = [];
    for (const entry of list.split(/[\s,]+/).filter(Boolean)) {
      const named = words[entry.toLowerCase()];
      for (const text of named ?? [entry]) {
        const cidr = parseCidr(text);
        if (cidr) ranges.push(cidr);
        else invalid.push(entry);
      }
    }
    return { matcher: new IpMatcher(ranges), invalid };
  }

  matches(ip: IpBytes | string | null | undefined): boolean {
    const bytes = typeof ip === "string" ? parseIp(ip) : ip;
    return !!bytes && this.ranges.some((r) => cidrContains(r, bytes));
  }
}
