/**
 * OpenAI (type 1) and the shared base every OpenAI-compatible provider is built on: Bearer auth, an API
 * root under the base URL (`/v1` unless the provider says otherwise) and the OpenAI endpoint paths.
 */
import type { Dialect } from "../../formats/ir.ts";
import type { EndpointName } from "../../endpoints.ts";
import {
  OPENAI_ENDPOINTS,
  openAiPath,
  type ProviderSpec,
  RESPONSES_NATIVE,
  type UpstreamTarget,
  webSocketUrl,
} from "../spec.ts";

export interface OpenAiCompatibleData {
  name: string;
  types: readonly number[];
  defaultBaseUrl: string;
  /** API root under the base URL (default `/v1`). */
  root?: string;
  /** Speaks the Responses API natively (else Responses requests are translated to Chat). */
  responses?: boolean;
  /** On New API's stream-options allow-list. */
  streamOptions?: boolean;
  /** Endpoints served besides chat (default: every OpenAI endpoint). */
  passthrough?: readonly EndpointName[];
  /** Fixed extra headers. */
  headers?: Record<string, string>;
  /** A URL rule other than base + root + path. */
  url?: (t: UpstreamTarget, path: string) => string;
}

export function bearerHeaders(t: UpstreamTarget, key: string): Record<string, string> {
  const h: Record<string, string> = { authorization: `Bearer ${key}` };
  if (t.openaiOrganization) h["openai-organization"] = t.openaiOrganization;
  return h;
}

export function openAiCompatible(d: OpenAiCompatibleData): ProviderSpec {
  const root = d.root ?? "/v1";
  const dialects: Dialect[] = d.responses ? ["openai_chat", "openai_responses"] : ["openai_chat"];
  return {
    name: d.name,
    types: d.types,
    defaultBaseUrl: d.defaultBaseUrl,
    dialects,
    passthrough: new Set<EndpointName>([
      ...(d.passthrough ?? OPENAI_ENDPOINTS),
      ...(d.responses ? RESPONSES_NATIVE : []),
    ]),
    streamOptions: d.streamOptions ?? false,
    url: (t) => {
      const path = openAiPath(t.endpoint);
      return d.url ? d.url(t, path) : `${t.baseUrl}${root}${path}`;
    },
    headers: (t, key) => ({ ...bearerHeaders(t, key), ...(d.headers ?? {}) }),
  };
}

/** Cloudflare's AI Gateway proxies OpenAI without the `/v1` segment (New API's rule). */
const CLOUDFLARE_GATEWAY = "https://gateway.ai.cloudflare.com";

const openAiBase = openAiCompatible({
  name: "openai",
  types: [1],
  defaultBaseUrl: "https://api.openai.com",
  responses: true,
  streamOptions: true,
  passthrough: [...OPENAI_ENDPOINTS, "realtime"],
  url: (t, path) =>
    t.baseUrl.startsWith(CLOUDFLARE_GATEWAY) ? `${t.baseUrl}${path}` : `${t.baseUrl}/v1${path}`,
});

/** OpenAI, with its realtime WebSocket (`/v1/realtime?model=`, New API's URL rule). */
export const openAiProvider: ProviderSpec = {
  ...openAiBase,
  realtimeUrl: (t) => `${webSocketUrl(t.baseUrl)}/v1/realtime?model=${encodeURIComponent(t.model)}`,
};
