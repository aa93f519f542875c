/**
 * New API's per-IP limits (global API, global web, critical, search) as Hono middleware over KV buckets
 * (`kv/limits/keyed_rate.ts`), so every instance sharing a KV shares the budget. A limited request gets
 * 429 with `Retry-After`; the body is `{success:false,message}` unless the route passes a renderer (the
 * relay passes its OpenAI/Claude/Gemini error writer).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { RateLimitSetting } from "../config/env.ts";
import { takeKeyedRate } from "../kv/limits/keyed_rate.ts";
import { retryAfterSeconds } from "../kv/limits/rate.ts";
import { formatIp, isIpv4, parseIp } from "../net/ip.ts";
import { log } from "./logger.ts";
import { msgFor } from "../routes/api/messages.ts";

/** Writes the 429 body; the middleware adds `Retry-After` to whatever it returns. */
export type LimitRenderer = (c: Context, message: string, retryAfterSeconds: number) => Response;

/** The management API's answer: `{success: false, message}`, in the caller's language. */
export const renderApiLimit: LimitRenderer = (c, _message, seconds) =>
  c.json({ success: false, message: msgFor(c, "api.rate_limited", { seconds }) }, 429);

/**
 * The bucket an address counts against. IPv6 clients are grouped by /64, the block one subscriber
 * usually gets, so rotating addresses inside it does not multiply the budget.
 */
export function ipLimitKey(ip: string): string {
  const bytes = parseIp(ip);
  if (!bytes) return ip || "unknown";
  if (isIpv4(bytes)) return formatIp(bytes);
  const prefix = new Uint8Array(16);
  prefix.set(bytes.slice(0, 8));
  return `${formatIp(prefix)}/64`;
}

export interface IpRateLimitOptions {
  kv: Deno.Kv;
  /** Bucket family, like New API's Redis prefixes: "GA" (global API), "GW" (web), "CT" (critical), "SR" (search). */
  name: string;
  setting: RateLimitSetting;
  render?: LimitRenderer;
  /** Defaults to `c.get("clientIp")` set by `clientIpMiddleware`. */
  clientIp?: (c: Context) => string;
}

export function ipRateLimit(options: IpRateLimitOptions): MiddlewareHandler {
  const { kv, name, setting } = options;
  const render = options.render ?? renderApiLimit;
  const clientIp = options.clientIp ?? ((c: Context) => c.get("clientIp") ?? "");
  const rate = { limit: setting.limit, periodMs: setting.durationSeconds * 1000 };
  return async function ipRateLimitMiddleware(c, next) {
    if (!setting.enabled) return await next();
    let answer;
    try {
      answer = await takeKeyedRate(kv, ["limits", "ip", name, ipLimitKey(clientIp(c))], rate);
    } catch (err) {
      // Fail open: an unavailable KV must not turn every request into a 500 (busy files were retried).
      log.error("per-IP rate limit unavailable; request allowed", { limit: name, error: String(err) });
      return await next();
    }
    if (answer.ok) return await next();
    const seconds = retryAfterSeconds(answer.retryAfterMs);
    const res = render(c, `Too many requests, retry in ${seconds} seconds`, seconds);
    res.headers.set("Retry-After", String(seconds));
    return res;
  };
}
