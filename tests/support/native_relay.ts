/**
 * Native-dialect relay tests: one channel per upstream kind (OpenAI, Anthropic, Gemini) on the fake
 * upstream with neutral model names (no family rules apply, so 1 prompt token = 1 quota and 1 completion
 * token = 2 quota, cache reads at 0.25, cache writes at 1.25), the official Anthropic SDK on the in-process
 * app, the app served on a real loopback port (for clients that use the global `fetch`, like
 * `@google/genai`), and a replay of what reached the fake, sent straight to it.
 */
import type { AppHarness } from "./app.ts";
import { fakeChannel, RELAY_MODELS, type RelaySetup, relaySetup, type RelaySetupOptions } from "./relay.ts";
import type { FakeUpstream, RecordedRequest } from "../fake_upstream/mod.ts";
import type { ChannelFields } from "../../store/channels.ts";
import type { Dialect } from "../../relay/formats/ir.ts";

export type UpstreamKind = "openai" | "claude" | "gemini";

export const UPSTREAMS: readonly { kind: UpstreamKind; type: number; model: string; dialect: Dialect }[] = [
  { kind: "openai", type: 1, model: "chat-openai", dialect: "openai_chat" },
  { kind: "claude", type: 14, model: "chat-claude", dialect: "claude" },
  { kind: "gemini", type: 24, model: "chat-gemini", dialect: "gemini" },
];

export const NATIVE_MODELS = [...UPSTREAMS.map((u) => u.model), "gemini-embedding-001", ...RELAY_MODELS];

const each = (v: number) => JSON.stringify(Object.fromEntries(NATIVE_MODELS.map((m) => [m, v])));

export const NATIVE_PRICES: Record<string, string> = {
  ModelRatio: each(1),
  CompletionRatio: each(2),
  CacheRatio: each(0.25),
  CreateCacheRatio: each(1.25),
  PreConsumedQuota: "0",
};

/** The expected charge for usage at NATIVE_PRICES. */
export function expectedQuota(u: { input: number; cacheRead?: number; cacheWrite?: number; output: number }) {
  return Math.round(u.input + (u.cacheRead ?? 0) * 0.25 + (u.cacheWrite ?? 0) * 1.25 + u.output * 2);
}

/** One channel of each upstream kind (each serving its model), plus `extra`. */
export function nativeSetup(
  h: AppHarness,
  fake: FakeUpstream,
  o: Partial<RelaySetupOptions> & { extra?: ChannelFields[]; channel?: ChannelFields } = {},
): Promise<RelaySetup> {
  return relaySetup(h, {
    ...o,
    options: { ...NATIVE_PRICES, ...(o.options ?? {}) },
    channels: [
      ...UPSTREAMS.map((u) =>
        fakeChannel(fake.url, {
          name: u.kind,
          type: u.type,
          models: u.model,
          key: `key-${u.kind}`,
          ...o.channel,
        })
      ),
      ...(o.extra ?? []),
    ],
  });
}

export interface ServedApp {
  url: string;
  /** `METHOD /path?query` of every request the gateway received. */
  seen: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** The app on a real loopback port (its `fetch` gets the peer address, as in main.ts). */
export function serveApp(h: AppHarness): ServedApp {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req, info) => {
    const url = new URL(req.url);
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    return h.app.fetch(req, info);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/**
 * What the fake answers when `sent` (a request the gateway made) is sent to it straight: the reference a
 * translated answer must mean the same as. Recorded as the last request; it is dropped from the recording.
 */
export async function replay(fake: FakeUpstream, sent: RecordedRequest): Promise<Response> {
  const headers = new Headers(sent.headers);
  headers.delete("content-length");
  headers.delete("host");
  const res = await fetch(new URL(sent.url.pathname + sent.url.search, fake.url), {
    method: sent.method,
    headers,
    body: sent.body,
  });
  fake.requests.pop();
  return res;
}
