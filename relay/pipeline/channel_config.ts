/**
 * A channel's relay settings parsed once per catalog entry (the catalog replaces the object on every
 * change, so a WeakMap is an exact cache): provider, base URL, model mapping, New API's `setting` fields
 * (system prompt, thinking-to-content, proxy, pass-through body), header and param overrides, and the
 * key choice for multi-key channels (random or polling over the keys not disabled).
 */
import type { ChannelView } from "../../store/cache/catalog.ts";
import { parseModelMapping } from "../routing/model_mapping.ts";
import { providerFor } from "../providers/registry.ts";
import { parseJsonObject, type ProviderSpec } from "../providers/spec.ts";
import { type ParamOverride, ParamOverrideError, parseParamOverride } from "./param_override.ts";

export interface ChannelConfig {
  provider: ProviderSpec;
  baseUrl: string;
  mapping: Record<string, string>;
  settings: Record<string, unknown>;
  systemPrompt: string;
  systemPromptOverride: boolean;
  thinkingToContent: boolean;
  /** Forward the client's body untouched (New API's `pass_through_body_enabled`). */
  passThroughBody: boolean;
  proxy?: string;
  headerOverride: Record<string, string>;
  /** The parsed override, or the error that makes the channel unusable until fixed. */
  paramOverride?: ParamOverride | ParamOverrideError;
}

const cache = new WeakMap<ChannelView, ChannelConfig | null>();

function build(ch: ChannelView): ChannelConfig | null {
  const provider = providerFor(ch.type);
  if (!provider) return null;
  const setting = parseJsonObject(ch.setting);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseJsonObject(ch.headerOverride))) {
    if (typeof v === "string" && /^[A-Za-z0-9-]{1,64}$/.test(k)) headers[k.toLowerCase()] = v;
  }
  let paramOverride: ParamOverride | ParamOverrideError | undefined;
  try {
    paramOverride = parseParamOverride(ch.paramOverride);
  } catch (e) {
    paramOverride = e as ParamOverrideError;
  }
  return {
    provider,
    baseUrl: (ch.baseUrl || provider.defaultBaseUrl).trim().replace(/\/+$/, ""),
    mapping: parseModelMapping(ch.modelMapping),
    settings: parseJsonObject(ch.settings),
    systemPrompt: typeof setting.system_prompt === "string" ? setting.system_prompt : "",
    systemPromptOverride: setting.system_prompt_override === true,
    thinkingToContent: setting.thinking_to_content === true,
    passThroughBody: setting.pass_through_body_enabled === true,
    proxy: typeof setting.proxy === "string" && setting.proxy.trim() ? setting.proxy.trim() : undefined,
    headerOverride: headers,
    paramOverride,
  };
}

/** The channel's config, or undefined when its type cannot be relayed. */
export function channelConfig(ch: ChannelView): ChannelConfig | undefined {
  let c = cache.get(ch);
  if (c === undefined) cache.set(ch, c = build(ch));
  return c ?? undefined;
}

/** Indexes of the keys that are not disabled. */
export function enabledKeys(ch: ChannelView): number[] {
  const out: number[] = [];
  for (let i = 0; i < ch.keys.length; i++) {
    const s = ch.info.keyStatus[i];
    if (s === undefined || s === 1) out.push(i);
  }
  return out;
}

const polling = new Map<number, number>();

/**
 * The key for one attempt: random or round-robin over enabled keys; undefined when none is left. A
 * `preferred` key (the one a session used last: key-level affinity) is taken while it is enabled;
 * `exclude` are keys this request already failed on.
 */
export function pickKey(
  ch: ChannelView,
  random = Math.random,
  preferred?: number,
  exclude?: ReadonlySet<number>,
): { index: number; key: string } | undefined {
  let keys = ch.info.isMultiKey ? enabledKeys(ch) : ch.keys.length ? [0] : [];
  if (exclude?.size) keys = keys.filter((i) => !exclude.has(i));
  if (keys.length === 0) return undefined;
  let index: number;
  if (!ch.info.isMultiKey || keys.length === 1) index = keys[0];
  else if (preferred !== undefined && keys.includes(preferred)) index = preferred;
  else if (ch.info.mode === "polling") {
    const n = polling.get(ch.id) ?? 0;
    polling.set(ch.id, n + 1);
    index = keys[n % keys.length];
  } else index = keys[Math.floor(random() * keys.length)];
  return { index, key: ch.keys[index] };
}
