/**
 * The upstream side of a realtime session: the channel's WebSocket URL and handshake headers (provider
 * rules, model mapping, header override, the client's realtime beta flag), and opening the socket with a
 * timeout. Used by the relay (`route.ts`) and the channel test.
 */
import type { ChannelView } from "../../store/cache/catalog.ts";
import { RelayError } from "../formats/errors.ts";
import { channelConfig } from "../pipeline/channel_config.ts";
import { mapModel, ModelMappingCycle } from "../routing/model_mapping.ts";
import type { ProviderEnv, UpstreamTarget } from "../providers/spec.ts";
import type { Frame } from "./bridge.ts";

const UPSTREAM_CONNECT_MS = 15_000;

export interface RealtimeUpstreamInput {
  channel: ChannelView;
  key: string;
  /** The model the client asked for (mapped here). */
  model: string;
  clientHeaders: Headers;
  env: ProviderEnv;
}

export interface RealtimeUpstream {
  url: string;
  headers: Record<string, string>;
  upstreamModel: string;
}

function protocols(headers: Headers): string[] {
  return (headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
}

/** Where and how to open the channel's realtime socket; undefined when its provider has none. */
export function realtimeUpstream(i: RealtimeUpstreamInput): RealtimeUpstream | undefined {
  const config = channelConfig(i.channel);
  const realtimeUrl = config?.provider.realtimeUrl;
  if (!config || !realtimeUrl || !config.baseUrl) return undefined;
  let upstreamModel: string;
  try {
    upstreamModel = mapModel(config.mapping, i.model);
  } catch (e) {
    if (e instanceof ModelMappingCycle) {
      throw new RelayError(400, e.message, { code: "model_mapping_contains_cycle" });
    }
    throw e;
  }
  const target: UpstreamTarget = {
    baseUrl: config.baseUrl,
    endpoint: "realtime",
    dialect: "openai_chat",
    model: upstreamModel,
    stream: true,
    other: i.channel.other,
    settings: config.settings,
    openaiOrganization: i.channel.openaiOrganization,
    env: i.env,
  };
  const headers: Record<string, string> = { ...config.provider.headers(target, i.key, i.clientHeaders) };
  const beta = i.clientHeaders.get("openai-beta") ??
    (protocols(i.clientHeaders).includes("openai-beta.realtime-v1") ? "realtime=v1" : undefined);
  if (beta) headers["openai-beta"] = beta;
  for (const [name, value] of Object.entries(config.headerOverride)) {
    if (name === "host" || name === "content-length") continue;
    headers[name] = value.replaceAll("{api_key}", i.key);
  }
  return { url: realtimeUrl(target), headers, upstreamModel };
}

/**
 * Opens a WebSocket with handshake headers; rejects on failure, close or timeout. Events that arrive
 * before the caller takes the socket over are kept in `early` (Deno dispatches socket events from promise
 * jobs, so `session.created` can come right behind `open`).
 */
export function openUpstream(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ socket: WebSocket; early: Frame[] }> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      // Deno's WebSocket takes handshake headers; the project's `dom` lib types only know protocols.
      const options = { headers } as unknown as string[];
      ws = new WebSocket(url, options);
    } catch (e) {
      return reject(e);
    }
    const fail = (why: string) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      try {
        ws.close();
      } catch { /* not open */ }
      reject(new Error(why));
    };
    const onAbort = () => fail("aborted");
    const timer = setTimeout(() => fail("connect timeout"), UPSTREAM_CONNECT_MS);
    signal.addEventListener("abort", onAbort, { once: true });
    const early: Frame[] = [];
    ws.onmessage = (e) => {
      if (early.length < 64) early.push(e.data);
    };
    ws.onopen = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      ws.onerror = ws.onclose = null;
      resolve({ socket: ws, early });
    };
    ws.onerror = () => fail("upstream refused the WebSocket handshake");
    ws.onclose = () => fail("upstream closed during the handshake");
  });
}
