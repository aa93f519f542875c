/**
 * Channel affinity in the attempt loop (New API's `channel_affinity_setting`): a request whose session a
 * rule recognises goes first to the channel (and key) that last answered for that session, so upstream
 * prompt caches stay warm. It never holds a request there: an affinity channel that is gone, disabled,
 * not routable or ejected by the breaker is passed over, a failed attempt moves on as any other, and the
 * session then follows whichever channel answered. The decision is written to the log row's
 * `admin_info.channel_affinity`.
 */
import type { RelayCtx } from "./context.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { optionRegistry } from "../../options/index.ts";
import { log } from "../../server/logger.ts";
import {
  type AffinityMatch,
  type AffinitySettings,
  compileRules,
  matchAffinity,
  mergeOverrideTemplate,
} from "../routing/affinity_rules.ts";
import type { ChannelConfig } from "./channel_config.ts";
import { PARAM_OVERRIDE_MODES, ParamOverrideError, parseParamOverride } from "./param_override.ts";
import { type AffinityTarget, deleteAffinity, getAffinity, setAffinity } from "../routing/affinity_store.ts";
import { ChannelStatus } from "../../store/channels.ts";

const cache = new WeakMap<object, { version: number; settings: AffinitySettings }>();

/** The affinity options, compiled once per catalog version. */
export function affinitySettings(catalog: RelayCtx["deps"]["catalog"]): AffinitySettings {
  const cached = cache.get(catalog);
  if (cached?.version === catalog.version) return cached.settings;
  const settings: AffinitySettings = {
    enabled: optionRegistry.bool(catalog, "channel_affinity_setting.enabled"),
    switchOnSuccess: optionRegistry.bool(catalog, "channel_affinity_setting.switch_on_success"),
    keepOnChannelDisabled: optionRegistry.bool(catalog, "channel_affinity_setting.keep_on_channel_disabled"),
    defaultTtlSeconds: optionRegistry.int(catalog, "channel_affinity_setting.default_ttl_seconds"),
    rules: compileRules(optionRegistry.json(catalog, "channel_affinity_setting.rules")),
  };
  cache.set(catalog, { version: catalog.version, settings });
  return settings;
}

/** One request's affinity: its session, what was remembered for it, and what happened. */
export interface Affinity {
  match: AffinityMatch;
  settings: AffinitySettings;
  remembered?: AffinityTarget;
  /** The remembered channel was tried first. */
  used: boolean;
  /** Why the remembered channel was passed over, if it was. */
  skipped?: string;
  /** The rule's param override template was merged into the attempt's channel override. */
  templateApplied?: boolean;
  /** Template operations of modes this gateway does not carry out (New API's header modes), left out. */
  templateSkippedModes?: string[];
}

/** Looks up the session of this request; undefined when no rule applies or the KV could not answer. */
export async function lookupAffinity(ctx: RelayCtx): Promise<Affinity | undefined> {
  const settings = affinitySettings(ctx.deps.catalog);
  if (!settings.enabled || settings.rules.length === 0) return undefined;
  const caller = ctx.caller!;
  const match = await matchAffinity(settings, {
    model: ctx.parsed!.model,
    path: ctx.path,
    usingGroup: caller.usingGroup,
    headers: ctx.clientHeaders,
    body: ctx.parsed!.json,
    context: {
      id: caller.user.id,
      user_id: caller.user.id,
      username: caller.user.username,
      group: caller.user.group,
      token_id: caller.token?.id,
      token_name: caller.token?.name,
      token_group: caller.usingGroup,
      using_group: caller.usingGroup,
    },
  });
  if (!match) return undefined;
  try {
    const remembered = await getAffinity(ctx.deps.kv, match.cacheKey);
    return { match, settings, remembered, used: false };
  } catch (err) {
    log.warn("channel affinity lookup failed", { requestId: ctx.requestId, error: String(err) });
    return { match, settings, used: false };
  }
}

/**
 * The remembered channel for the first attempt, if it can serve this request now: present in the
 * routable tiers (enabled, in the group, serving the model and endpoint) and not ejected.
 */
export function affinityChannel(
  ctx: RelayCtx,
  affinity: Affinity,
  tiers: readonly ChannelView[][],
  ejected: (id: number) => boolean,
): ChannelView | undefined {
  const id = affinity.remembered?.channelId;
  if (id === undefined) return undefined;
  const channel = tiers.flat().find((c) => c.id === id);
  if (channel && !ejected(id)) {
    affinity.used = true;
    return channel;
  }
  affinity.skipped = channel ? "ejected" : "unavailable";
  const current = ctx.deps.catalog.channel(id);
  const disabled = !current || current.status !== ChannelStatus.enabled;
  if (!channel && !(disabled && affinity.settings.keepOnChannelDisabled)) {
    // New API drops a binding to a channel that cannot serve it (unless told to keep it for a disabled one).
    deleteAffinity(ctx.deps.kv, affinity.match.cacheKey).catch(() => {});
    affinity.remembered = undefined;
  }
  return undefined;
}

/** The key the session used last on `channel`, when that channel is the remembered one. */
export function affinityKey(affinity: Affinity | undefined, channel: ChannelView): number | undefined {
  const r = affinity?.remembered;
  return r && r.channelId === channel.id ? r.keyIndex : undefined;
}

/**
 * After an answer: the session follows the channel and key that answered (`switch_on_success`; when it
 * is off, a remembered channel stays remembered while it exists). Never awaited by the answer.
 */
export function rememberAffinity(
  ctx: RelayCtx,
  affinity: Affinity | undefined,
  channel: ChannelView,
  keyIndex: number,
): void {
  if (!affinity) return;
  const r = affinity.remembered;
  const keepOld = !affinity.settings.switchOnSuccess && r !== undefined && r.channelId !== channel.id;
  const target: AffinityTarget = keepOld
    ? r
    : { channelId: channel.id, ...(channel.info.isMultiKey && keyIndex >= 0 ? { keyIndex } : {}) };
  setAffinity(ctx.deps.kv, affinity.match.cacheKey, target, affinity.match.ttlSeconds).catch((err) =>
    log.warn("channel affinity write failed", { requestId: ctx.requestId, error: String(err) })
  );
}

const templated = new WeakMap<ChannelConfig, WeakMap<object, ChannelConfig>>();

/**
 * The attempt's channel config with the matched rule's `param_override_template` merged into the
 * channel's param override (New API's ApplyChannelAffinityOverrideTemplate, on whichever channel the
 * attempt goes to). Template operations of a mode the override engine does not carry out are left out
 * (and named in the log) rather than failing every request the rule matches; the channel's own override
 * keeps its rules, an unreadable one stays the channel's configuration error.
 */
export function affinityConfig(
  affinity: Affinity | undefined,
  channel: ChannelView,
  config: ChannelConfig,
): ChannelConfig {
  const template = affinity?.match.paramOverrideTemplate;
  if (!template || config.paramOverride instanceof Error) return config;
  affinity.templateApplied = true;
  const ops = template.operations;
  const usable = Array.isArray(ops)
    ? ops.filter((op) => PARAM_OVERRIDE_MODES.has(String((op as { mode?: unknown })?.mode)))
    : undefined;
  if (Array.isArray(ops) && usable!.length < ops.length) {
    affinity.templateSkippedModes = [
      ...new Set(ops.filter((op) => !usable!.includes(op)).map((op) => String(op?.mode))),
    ];
  }
  let perConfig = templated.get(config);
  if (!perConfig) templated.set(config, perConfig = new WeakMap());
  const cached = perConfig.get(template);
  if (cached) return cached;
  let own: Record<string, unknown> = {};
  try {
    const parsed = channel.paramOverride.trim() ? JSON.parse(channel.paramOverride) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) own = parsed;
  } catch { /* unreadable: config.paramOverride is then an error, handled above */ }
  const merged = mergeOverrideTemplate(own, usable ? { ...template, operations: usable } : template);
  let paramOverride: ChannelConfig["paramOverride"];
  try {
    paramOverride = parseParamOverride(JSON.stringify(merged));
  } catch (e) {
    paramOverride = e as ParamOverrideError;
  }
  const out = { ...config, paramOverride };
  perConfig.set(template, out);
  return out;
}

/** The log row's `admin_info.channel_affinity` (New API's keys, plus what this gateway decided). */
export function affinityNote(
  affinity: Affinity,
  channelId: number,
  keyIndex?: number,
): Record<string, unknown> {
  const m = affinity.match;
  const note: Record<string, unknown> = {
    reason: m.rule,
    rule_name: m.rule,
    channel_id: channelId,
    key_source: m.keySource.type,
    key_key: m.keySource.key ?? "",
    key_path: m.keySource.path ?? "",
    key_hint: m.keyHint,
    key_fp: m.keyFingerprint,
    hit: affinity.used,
  };
  if (affinity.remembered) note.remembered_channel_id = affinity.remembered.channelId;
  if (affinity.skipped) note.skipped = affinity.skipped;
  if (affinity.used && affinity.remembered?.channelId !== channelId) note.failed_over = true;
  if (keyIndex !== undefined && keyIndex >= 0) note.multi_key_index = keyIndex;
  if (affinity.templateApplied) {
    const tpl = m.paramOverrideTemplate ?? {};
    note.override_template = {
      applied: true,
      rule_name: m.rule,
      param_override_keys: Object.keys(tpl).length,
      ...(affinity.templateSkippedModes ? { skipped_modes: affinity.templateSkippedModes } : {}),
    };
  }
  return note;
}
