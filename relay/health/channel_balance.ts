/**
 * Channel balances as New API reads them (`/api/channel/update_balance[/:id]`, and every
 * CHANNEL_UPDATE_FREQUENCY minutes on one instance): each provider's own account endpoint, asked with the
 * channel's key through the one upstream client (the channel's proxy), the balance in USD written to
 * `channels.balance` and `balance_updated_time`. A scheduled run disables an enabled channel whose balance
 * is used up (≤ 0), as New API does; multi-key channels are skipped (one balance cannot speak for many keys).
 *
 * The providers: OpenAI and Custom (`/v1/dashboard/billing/subscription` minus this month's usage),
 * OpenRouter (credits − usage), DeepSeek (the CNY balance, as New API reads it), SiliconFlow, Moonshot (CNY
 * divided by the `Price` option), AIProxy, API2GPT, AIGC2D. New API asks the last six at fixed hosts; here
 * a channel whose base URL names another host (a mirror, a test's fake) is asked there instead.
 */
import type { AppDeps } from "../../server/deps.ts";
import type { Job } from "../../jobs/scheduler.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { ChannelStatus } from "../../store/channels.ts";
import { channelConfig, pickKey } from "../pipeline/channel_config.ts";
import { optionRegistry } from "../../options/index.ts";
import { disableChannel } from "./channel_state.ts";
import { log } from "../../server/logger.ts";

/** Why a balance could not be read; `reason` is ours, never the upstream's text (it may echo the key). */
export class BalanceError extends Error {
  constructor(readonly reason: "unsupported" | "multi_key" | "no_key" | "upstream" | "answer") {
    super(`channel balance: ${reason}`);
  }
}

type Get = (url: string, headers: Record<string, string>) => Promise<unknown>;

interface BalanceSource {
  /** Hosts New API asks for this type; a base URL on any other host is asked instead. */
  hosts?: readonly string[];
  read(get: Get, base: string, key: string, price: number): Promise<number>;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function num(v: unknown): number {
  const n = typeof v === "string" ? Number.parseFloat(v) : typeof v === "number" ? v : NaN;
  if (!Number.isFinite(n)) throw new BalanceError("answer");
  return n;
}

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};

/** `…/dashboard/billing/credit_grants`-style answers (API2GPT's remaining, AIGC2D's available). */
function creditGrants(path: string, field: "total_remaining" | "total_available"): BalanceSource["read"] {
  return async (get, base, key) => num(obj(await get(`${base}${path}`, bearer(key)))[field]);
}

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10);
}

const openAiDashboard: BalanceSource = {
  async read(get, base, key, _price) {
    const sub = obj(await get(`${base}/v1/dashboard/billing/subscription`, bearer(key)));
    const now = new Date();
    const start = sub.has_payment_method === true
      ? `${ymd(now).slice(0, 7)}-01`
      : ymd(new Date(now.getTime() - 100 * 86_400_000));
    const usage = obj(
      await get(`${base}/v1/dashboard/billing/usage?start_date=${start}&end_date=${ymd(now)}`, bearer(key)),
    );
    // `total_usage` is in cents.
    return num(sub.hard_limit_usd) - num(usage.total_usage ?? 0) / 100;
  },
};

/** Channel type → how its balance is read (New API's `updateChannelBalance`). */
const SOURCES: Record<number, BalanceSource> = {
  1: openAiDashboard,
  8: openAiDashboard,
  10: {
    hosts: ["api.aiproxy.io", "aiproxy.io"],
    async read(get, base, key) {
      const body = obj(await get(`${base}/api/report/getUserOverview`, { "api-key": key }));
      if (body.success !== true) throw new BalanceError("answer");
      return num(obj(body.data).totalPoints);
    },
  },
  12: {
    hosts: ["api.api2gpt.com"],
    read: creditGrants("/dashboard/billing/credit_grants", "total_remaining"),
  },
  13: {
    hosts: ["api.aigc2d.com"],
    read: creditGrants("/dashboard/billing/credit_grants", "total_available"),
  },
  20: {
    hosts: ["openrouter.ai"],
    async read(get, base, key) {
      const data = obj(obj(await get(`${base}/v1/credits`, bearer(key))).data);
      return num(data.total_credits) - num(data.total_usage);
    },
  },
  25: {
    hosts: ["api.moonshot.cn"],
    async read(get, base, key, price) {
      const body = obj(await get(`${base}/v1/users/me/balance`, bearer(key)));
      if (body.status !== true || num(body.code ?? 0) !== 0) throw new BalanceError("answer");
      const cny = num(obj(body.data).available_balance);
      return price > 0 ? cny / price : cny;
    },
  },
  40: {
    hosts: ["api.siliconflow.cn"],
    async read(get, base, key) {
      const body = obj(await get(`${base}/v1/user/info`, bearer(key)));
      if (num(body.code) !== 20000) throw new BalanceError("answer");
      return num(obj(body.data).totalBalance);
    },
  },
  43: {
    hosts: ["api.deepseek.com"],
    async read(get, base, key) {
      const infos = obj(await get(`${base}/user/balance`, bearer(key))).balance_infos;
      const cny = (Array.isArray(infos) ? infos : []).map(obj).find((i) => i.currency === "CNY");
      if (!cny) throw new BalanceError("answer");
      return num(cny.total_balance);
    },
  },
};

/** New API's fixed account hosts per type (`https://host` + the source's path). */
const FIXED_BASE: Record<number, string> = {
  10: "https://aiproxy.io",
  12: "https://api.api2gpt.com",
  13: "https://api.aigc2d.com",
  20: "https://openrouter.ai/api",
  25: "https://api.moonshot.cn",
  40: "https://api.siliconflow.cn",
  43: "https://api.deepseek.com",
};

export function balanceSupported(type: number): boolean {
  return type in SOURCES;
}

/** Where a channel's balance is asked: New API's fixed host, unless the base URL names another one. */
function balanceBase(type: number, source: BalanceSource, baseUrl: string): string {
  const fixed = FIXED_BASE[type];
  const trimmed = baseUrl.replace(/\/+$/, "");
  if (!fixed) return trimmed;
  let host = "";
  try {
    host = new URL(trimmed).host;
  } catch { /* no usable base URL: the fixed one */ }
  return host && !source.hosts?.includes(host) ? trimmed : fixed;
}

/** Reads a channel's balance (USD) from its provider. Throws `BalanceError`. */
export async function readChannelBalance(deps: AppDeps, channel: ChannelView): Promise<number> {
  const source = SOURCES[channel.type];
  const config = channelConfig(channel);
  if (!source || !config) throw new BalanceError("unsupported");
  if (channel.info.isMultiKey) throw new BalanceError("multi_key");
  const key = pickKey(channel)?.key;
  if (!key) throw new BalanceError("no_key");
  const get: Get = async (url, headers) => {
    let res;
    try {
      res = await deps.upstream.request({
        method: "GET",
        url,
        headers,
        proxy: config.proxy,
        totalTimeoutMs: 20_000,
      });
    } catch {
      throw new BalanceError("upstream");
    }
    if (res.status !== 200) {
      await res.body.cancel().catch(() => {});
      throw new BalanceError("upstream");
    }
    try {
      return JSON.parse(new TextDecoder().decode(await res.bytes(256 * 1024)));
    } catch {
      throw new BalanceError("answer");
    }
  };
  const price = optionRegistry.float(deps.catalog, "Price");
  const balance = await source.read(get, balanceBase(channel.type, source, config.baseUrl), key, price);
  if (!Number.isFinite(balance)) throw new BalanceError("answer");
  return balance;
}

/** Reads and stores a channel's balance; returns it. Throws `BalanceError`. */
export async function updateChannelBalance(deps: AppDeps, channel: ChannelView): Promise<number> {
  const balance = await readChannelBalance(deps, channel);
  await deps.db.exec("UPDATE channels SET balance = ?, balance_updated_time = ? WHERE id = ?", [
    balance,
    Math.floor(Date.now() / 1000),
    channel.id,
  ]);
  await deps.cache.publish({ kind: "channel", id: channel.id });
  return balance;
}

export interface BalanceRun {
  updated: number;
  failed: number;
  disabled: number;
}

/**
 * Every enabled single-key channel whose type has a balance: read, stored, and (with `disableUsedUp`, as
 * the scheduled run does in New API) disabled when ≤ 0 unless its auto-ban is off. One at a time, `gapMs`
 * apart (New API's POLLING_INTERVAL).
 */
export async function updateAllChannelBalances(
  deps: AppDeps,
  opts: { disableUsedUp: boolean; gapMs?: number },
): Promise<BalanceRun> {
  const run: BalanceRun = { updated: 0, failed: 0, disabled: 0 };
  const channels = [...deps.catalog.channels()].filter((c) =>
    c.status === ChannelStatus.enabled && !c.info.isMultiKey && balanceSupported(c.type)
  );
  for (const channel of channels) {
    let balance: number;
    try {
      balance = await updateChannelBalance(deps, channel);
      run.updated++;
    } catch (err) {
      run.failed++;
      log.warn("channel balance not read", {
        channel: channel.id,
        reason: (err as BalanceError).reason ?? "error",
      });
      continue;
    }
    if (opts.disableUsedUp && balance <= 0 && channel.autoBan !== 0) {
      const change = await disableChannel(deps, channel.id, 0, channel.keys.length, "balance used up");
      if (change === "channel") run.disabled++;
    }
    if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
  }
  return run;
}

/** CHANNEL_UPDATE_FREQUENCY (minutes; 0: off) through the scheduler, so one instance runs it. */
export function channelBalanceJob(deps: AppDeps, tickMs = 60_000, lastRun = Date.now()): Job {
  return {
    name: "channel_balance",
    intervalMs: tickMs,
    async run() {
      const minutes = deps.config.channelUpdateFrequencyMinutes;
      if (minutes <= 0 || Date.now() - lastRun < minutes * 60_000 - tickMs / 2) return;
      lastRun = Date.now();
      const result = await updateAllChannelBalances(deps, {
        disableUsedUp: true,
        gapMs: deps.config.pollingIntervalSeconds * 1000,
      });
      log.info("channel balances updated", { ...result });
    },
  };
}
