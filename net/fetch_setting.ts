/**
 * New API's `fetch_setting.*` options for fetching user-supplied URLs, and the pure checks they imply:
 * SSRF protection on by default, a switch for private addresses, domain and IP lists that are allow-
 * lists (filter mode true) or deny-lists (false), allowed ports ("80", "8000-9000"), and whether names
 * are held to the IP rules (on by default; off reopens GHSA-6qcr-qxgr-m7fv). The connection-time part
 * lives in `ssrf_fetch.ts`.
 */
import { z } from "zod";
import { formatIp, type IpBytes, IpMatcher, parseIp } from "./ip.ts";
import { isPublicIp } from "./ip_ranges.ts";

export interface FetchSetting {
  enableSsrfProtection: boolean;
  allowPrivateIp: boolean;
  /** true: `domainList` is an allow-list; false: a deny-list. */
  domainFilterMode: boolean;
  /** true: `ipList` is an allow-list; false: a deny-list. */
  ipFilterMode: boolean;
  /** `example.com` or `*.example.com` */
  domainList: string[];
  /** CIDRs or addresses */
  ipList: string[];
  /** Ports or ranges (`"8000-9000"`); empty allows every port. */
  allowedPorts: string[];
  applyIpFilterForDomain: boolean;
}

export const defaultFetchSetting: FetchSetting = {
  enableSsrfProtection: true,
  allowPrivateIp: false,
  domainFilterMode: false,
  ipFilterMode: false,
  domainList: [],
  ipList: [],
  allowedPorts: ["80", "443", "8080", "8443"],
  applyIpFilterForDomain: true,
};

const list = z.union([
  z.array(z.string()),
  z.string().transform((text) => {
    const trimmed = text.trim();
    if (trimmed.startsWith("[")) return z.array(z.string()).parse(JSON.parse(trimmed));
    return trimmed.split(/[\s,]+/).filter(Boolean);
  }),
]);
const flag = z.union([z.boolean(), z.string().transform((v) => v.trim() === "true")]);

/** Reads the setting from New API option rows (`fetch_setting.enable_ssrf_protection`, ...). */
export function parseFetchSetting(options: Record<string, string | undefined>): FetchSetting {
  const d = defaultFetchSetting;
  const get = <T>(name: string, schema: z.ZodType<T>, fallback: T): T => {
    const raw = options[`fetch_setting.${name}`];
    if (raw === undefined) return fallback;
    const parsed = schema.safeParse(raw);
    return parsed.success ? parsed.data : fallback;
  };
  return {
    enableSsrfProtection: get("enable_ssrf_protection", flag, d.enableSsrfProtection),
    allowPrivateIp: get("allow_private_ip", flag, d.allowPrivateIp),
    domainFilterMode: get("domain_filter_mode", flag, d.domainFilterMode),
    ipFilterMode: get("ip_filter_mode", flag, d.ipFilterMode),
    domainList: get("domain_list", list, d.domainList),
    ipList: get("ip_list", list, d.ipList),
    allowedPorts: get("allowed_ports", list, d.allowedPorts),
    applyIpFilterForDomain: get("apply_ip_filter_for_domain", flag, d.applyIpFilterForDomain),
  };
}

function portAllowed(port: number, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((entry) => {
    const [lo, hi = lo] = entry.trim().split("-").map((p) => Number(p.trim()));
    return Number.isInteger(lo) && Number.isInteger(hi) && port >= lo && port <= hi;
  });
}

function domainListed(host: string, entries: string[]): boolean {
  return entries.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/\.$/, "");
    if (!entry) return false;
    if (entry.startsWith("*.")) {
      const base = entry.slice(2);
      return host === base || host.endsWith(`.${base}`);
    }
    return host === entry;
  });
}

/** Why an address may not be contacted, or null when it may. */
export function refuseAddress(ip: IpBytes, setting: FetchSetting): string | null {
  if (!setting.enableSsrfProtection) return null;
  if (!setting.allowPrivateIp && !isPublicIp(ip)) return `address ${formatIp(ip)} is not public`;
  const listed = IpMatcher.parse(setting.ipList.join(",")).matcher.matches(ip);
  if (setting.ipFilterMode && !listed) return `address ${formatIp(ip)} is not in the allowed list`;
  if (!setting.ipFilterMode && listed) return `address ${formatIp(ip)} is in the blocked list`;
  return null;
}

/** The parts of a URL the connection uses, after the checks that need no DNS. */
export interface UrlTarget {
  /** Lower-case host name without brackets or trailing dot. */
  host: string;
  port: number;
  /** Set when the host is an IP literal (already checked). */
  ip?: IpBytes;
}

/**
 * Checks a URL before connecting: scheme, port, IP literal rules, domain lists. Hosts written as
 * decimal, octal or hex numbers reach here already normalised to dotted IPv4 by the URL parser.
 * Returns the target, or a reason for refusing it.
 */
export function checkUrl(url: URL, setting: FetchSetting): UrlTarget | string {
  if (url.protocol !== "http:" && url.protocol !== "https:") return `scheme ${url.protocol} is not allowed`;
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (!host) return "URL has no host";
  const ip = parseIp(host) ?? undefined;
  if (!setting.enableSsrfProtection) return { host, port, ip };
  if (!portAllowed(port, setting.allowedPorts)) return `port ${port} is not allowed`;
  if (ip) {
    const refused = refuseAddress(ip, setting);
    return refused ?? { host, port, ip };
  }
  const listed = domainListed(host, setting.domainList);
  if (setting.domainFilterMode && !listed) return `host ${host} is not in the allowed list`;
  if (!setting.domainFilterMode && listed) return `host ${host} is in the blocked list`;
  return { host, port };
}
