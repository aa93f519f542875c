/**
 * A relay set up on an in-process app: prices (1 prompt token = 1 quota, 1 completion token = 2 for the
 * test models), a user with a balance, an API key, and channels pointing at a fake upstream. Plus an
 * official `openai` SDK client that talks to the app in-process (its `fetch` is `app.request`).
 */
import { LEASED_USER_QUOTA } from "../../store/quota_leases.ts";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import type { AppHarness } from "./app.ts";
import { testSecrets } from "./stores.ts";
import { insertUser, Role } from "../../store/users.ts";
import { createToken, type TokenFields } from "../../store/tokens.ts";
import { type ChannelFields, insertChannel } from "../../store/channels.ts";
import { saveOptions } from "../../store/options.ts";
import { asInt, queryOne } from "../../store/db.ts";

export const RELAY_MODELS = ["gpt-4o-mini", "gpt-4.1", "o4-mini", "text-embedding-3-small", "test-model"];

const ratios = (v: number) => JSON.stringify(Object.fromEntries(RELAY_MODELS.map((m) => [m, v])));

/** 1 prompt token = 1 quota, 1 completion token = 2, nothing held beyond the estimate. */
export const RELAY_PRICES: Record<string, string> = {
  ModelRatio: ratios(1),
  CompletionRatio: ratios(2),
  PreConsumedQuota: "0",
};

export interface RelaySetup {
  /** The API key, `sk-…`. */
  key: string;
  userId: number;
  tokenId: number;
  channelIds: number[];
}

export interface RelaySetupOptions {
  channels: ChannelFields[];
  userQuota?: number;
  role?: number;
  username?: string;
  token?: Partial<TokenFields>;
  options?: Record<string, string>;
}

/** A channel of the fake upstream (OpenAI type unless `type` says otherwise). */
export function fakeChannel(url: string, fields: ChannelFields = {}): ChannelFields {
  return {
    name: "fake",
    type: 1,
    key: "sk-upstream-key",
    baseUrl: url,
    models: RELAY_MODELS.join(","),
    group: "default",
    ...fields,
  };
}

export async function relaySetup(h: AppHarness, o: RelaySetupOptions): Promise<RelaySetup> {
  const { db, cache } = h.deps;
  await saveOptions(db, { ...RELAY_PRICES, ...(o.options ?? {}) });
  await cache.publish({ kind: "options" });
  const userId = await insertUser(db, {
    username: o.username ?? "payer",
    passwordHash: "x",
    quota: o.userQuota ?? 1_000_000,
    role: o.role ?? Role.common,
  });
  await cache.publish({ kind: "user", id: userId });
  const { token, key } = await createToken(db, testSecrets.cryptoSecret, userId, {
    name: "relay",
    unlimitedQuota: true,
    ...(o.token ?? {}),
  });
  await cache.publish({ kind: "token", id: token.id });
  const channelIds: number[] = [];
  for (const ch of o.channels) {
    const id = await insertChannel(db, testSecrets.cryptoSecret, ch);
    await cache.publish({ kind: "channel", id });
    channelIds.push(id);
  }
  return { key, userId, tokenId: token.id, channelIds };
}

/** The official SDK against the in-process app. */
export function gatewayClient(h: AppHarness, key: string): OpenAI {
  return new OpenAI({
    apiKey: key,
    baseURL: "http://gateway.test/v1",
    maxRetries: 0,
    fetch: (url: string | URL | Request, init?: RequestInit) => Promise.resolve(h.app.request(url, init)),
  });
}

/** The official Anthropic SDK against the in-process app (it sends its key as a Bearer token). */
export function anthropicGateway(h: AppHarness, key: string): Anthropic {
  return new Anthropic({
    apiKey: key,
    baseURL: "http://gateway.test",
    maxRetries: 0,
    fetch: (url: string | URL | Request, init?: RequestInit) => Promise.resolve(h.app.request(url, init)),
  });
}

/** Every item of an async iterable (an SDK stream), in order. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Prices for `models`: 1 quota per prompt token, 2 per completion token, plus `ratios` (e.g. CacheRatio). */
export function modelPrices(
  models: readonly string[],
  ratios: Record<string, number> = {},
): Record<string, string> {
  const each = (v: number) => JSON.stringify(Object.fromEntries(models.map((m) => [m, v])));
  return {
    ModelRatio: each(1),
    CompletionRatio: each(2),
    ...Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, each(v)])),
    PreConsumedQuota: "0",
  };
}

export interface ProviderSetupOptions {
  /** The models the channel serves, priced by `modelPrices` (the channel's `models` unless it says). */
  models: readonly string[];
  /** Other price ratios of those models (CacheRatio, CreateCacheRatio...). */
  ratios?: Record<string, number>;
  /** More options saved beside the prices. */
  options?: Record<string, string>;
}

export interface ProviderSetup extends RelaySetup {
  gw: OpenAI;
  claude: Anthropic;
}

/**
 * One channel of a provider's fake upstream at `url` (type, key... in `channel`), its models priced, a
 * user and key, and the OpenAI and Anthropic SDKs pointed at the app with that key.
 */
export async function providerSetup(
  h: AppHarness,
  url: string,
  channel: ChannelFields,
  o: ProviderSetupOptions,
): Promise<ProviderSetup> {
  const s = await relaySetup(h, {
    options: { ...modelPrices(o.models, o.ratios), ...(o.options ?? {}) },
    channels: [fakeChannel(url, { models: o.models.join(","), ...channel })],
  });
  return { ...s, gw: gatewayClient(h, s.key), claude: anthropicGateway(h, s.key) };
}

/** A streamed chat completion with usage asked for: its chunks, the text they add up to and the usage. */
export async function streamedChat(
  gw: OpenAI,
  body: Omit<OpenAI.ChatCompletionCreateParamsStreaming, "stream">,
) {
  const chunks = await collect(
    await gw.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }),
  );
  return {
    chunks,
    text: chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""),
    usage: chunks.find((c) => c.usage)?.usage ?? undefined,
  };
}

/**
 * The user's durable balance as readers see it (the column plus the quota leased out to instances on
 * PostgreSQL and MySQL), once the quota book has written every settlement made so far.
 */
export async function userQuota(h: AppHarness, userId: number): Promise<number> {
  await h.deps.billing.flush();
  return asInt(
    (await queryOne(h.deps.db, `SELECT ${LEASED_USER_QUOTA} AS quota FROM users WHERE id = ?`, [userId]))
      ?.quota,
  );
}

/** Holds still open: HELD rows, plus the quota book's in-memory holds on SQLite. */
export async function heldCount(h: AppHarness): Promise<number> {
  return (h.deps.billing.book?.size ?? 0) + asInt(
    (await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM quota_reservations WHERE status = 'HELD'"))?.n,
  );
}

/** Waits until every reservation has ended (settlement of a stream finishes just after its last byte). */
export async function settled(h: AppHarness, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (await heldCount(h) > 0) {
    if (Date.now() > until) throw new Error("reservations still held");
    await new Promise((r) => setTimeout(r, 20));
  }
  // The quota book's settlements are committed in batches: make the last one durable before reading.
  await h.deps.billing.flush();
}

/** A chat request through the app with the key. */
export function chat(
  h: AppHarness,
  key: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return h.call("POST", "/v1/chat/completions", body, { authorization: `Bearer ${key}`, ...headers });
}
