/**
 * New API's channel affinity rules (`channel_affinity_setting.*`): which requests belong to one session
 * (a rule matches the model, path and user agent, then takes the first non-empty key source: a request
 * header, a body path, or a caller fact) and the cache key that session's channel is remembered under.
 * Pure: the settings are parsed once per catalog version and matching takes plain request facts.
 */
import { z } from "zod";
import { getPath, type Json } from "../pipeline/json_path.ts";

const keySource = z.object({
  type: z.enum(["context_int", "context_string", "request_header", "header", "gjson"]),
  key: z.string().optional(),
  path: z.string().optional(),
  nested_path: z.string().optional(),
});

const rule = z.looseObject({
  name: z.string().default(""),
  model_regex: z.array(z.string()).nullish(),
  path_regex: z.array(z.string()).nullish(),
  user_agent_include: z.array(z.string()).nullish(),
  key_sources: z.array(keySource).nullish(),
  value_regex: z.string().nullish(),
  ttl_seconds: z.number().int().min(0).nullish(),
  skip_retry_on_failure: z.boolean().nullish(),
  include_using_group: z.boolean().nullish(),
  include_model_name: z.boolean().nullish(),
  include_rule_name: z.boolean().nullish(),
  /** Merged into the chosen channel's param override for requests this rule matches. */
  param_override_template: z.record(z.string(), z.unknown()).nullish(),
});

/** The rules option's shape (checked when it is saved). */
export const affinityRulesSchema = z.array(rule);

export type AffinityKeySource = z.infer<typeof keySource>;

export interface AffinityRule {
  name: string;
  model: RegExp[];
  path: RegExp[];
  userAgentInclude: string[];
  keySources: AffinityKeySource[];
  valueRegex?: RegExp;
  ttlSeconds: number;
  skipRetryOnFailure: boolean;
  includeUsingGroup: boolean;
  includeModelName: boolean;
  includeRuleName: boolean;
  paramOverrideTemplate?: Record<string, unknown>;
}

export interface AffinitySettings {
  enabled: boolean;
  switchOnSuccess: boolean;
  keepOnChannelDisabled: boolean;
  defaultTtlSeconds: number;
  rules: AffinityRule[];
}

/** New API compiles each pattern on its own and skips one that does not compile. */
function regexes(patterns: readonly string[] | null | undefined): RegExp[] {
  const out: RegExp[] = [];
  for (const p of patterns ?? []) {
    if (!p) continue;
    try {
      out.push(new RegExp(p));
    } catch { /* skipped, as New API does */ }
  }
  return out;
}

/** Compiles stored rules; a malformed list (or rule) is dropped rather than failing requests. */
export function compileRules(raw: unknown): AffinityRule[] {
  const parsed = affinityRulesSchema.safeParse(raw);
  if (!parsed.success) return [];
  return parsed.data.map((r) => {
    let valueRegex: RegExp | undefined;
    try {
      valueRegex = r.value_regex ? new RegExp(r.value_regex) : undefined;
    } catch {
      valueRegex = /$^/; // a value pattern that does not compile matches nothing
    }
    return {
      name: r.name.trim(),
      model: regexes(r.model_regex),
      path: regexes(r.path_regex),
      userAgentInclude: (r.user_agent_include ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean),
      keySources: r.key_sources ?? [],
      valueRegex,
      ttlSeconds: r.ttl_seconds ?? 0,
      skipRetryOnFailure: r.skip_retry_on_failure === true,
      includeUsingGroup: r.include_using_group === true,
      includeModelName: r.include_model_name === true,
      includeRuleName: r.include_rule_name === true,
      paramOverrideTemplate: r.param_override_template && Object.keys(r.param_override_template).length
        ? r.param_override_template
        : undefined,
    };
  });
}

/** What a rule can read about one request. */
export interface AffinityRequest {
  model: string;
  path: string;
  usingGroup: string;
  headers: Headers;
  body?: Record<string, unknown>;
  /** Caller facts for `context_int` / `context_string` sources (New API's gin context keys). */
  context: Record<string, string | number | undefined>;
}

/** A request's session under a rule: where its channel is remembered and what the log shows. */
export interface AffinityMatch {
  rule: string;
  /** The KV key's last part (New API's cache key suffix: rule, model, group, value as the rule says). */
  cacheKey: string;
  ttlSeconds: number;
  skipRetryOnFailure: boolean;
  keySource: AffinityKeySource;
  /** A short, log-safe form of the value (first and last 4 characters). */
  keyHint: string;
  /** First 8 hex digits of the value's SHA-1 (New API's `key_fp`). */
  keyFingerprint: string;
  /** The rule's `param_override_template`, when it has one. */
  paramOverrideTemplate?: Record<string, unknown>;
}

function scalarText(v: Json): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v.trim();
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** `nested_path` reads inside a value that is itself JSON (Claude Code's `metadata.user_id`). */
function nested(value: Json, nestedPath: string | undefined): string {
  const p = nestedPath?.trim();
  if (!p) return scalarText(value);
  let obj: Json = value;
  if (typeof value === "string") {
    try {
      obj = JSON.parse(value);
    } catch {
      return "";
    }
  }
  if (!obj || typeof obj !== "object") return "";
  return scalarText(getPath(obj, p));
}

function sourceValue(req: AffinityRequest, src: AffinityKeySource): string {
  switch (src.type) {
    case "context_int": {
      const v = Number(src.key ? req.context[src.key] : 0);
      return Number.isInteger(v) && v > 0 ? nested(String(v), src.nested_path) : "";
    }
    case "context_string": {
      const v = src.key ? req.context[src.key] : undefined;
      return v === undefined ? "" : nested(String(v).trim(), src.nested_path);
    }
    case "request_header":
    case "header":
      return src.key ? nested(req.headers.get(src.key)?.trim() ?? "", src.nested_path) : "";
    case "gjson":
      return src.path && req.body ? nested(getPath(req.body, src.path), src.nested_path) : "";
  }
}

/** New API's key hint: the value itself up to 12 characters, else its first and last four. */
export function keyHint(value: string): string {
  const s = value.trim().replace(/[\r\n]/g, " ");
  return s.length <= 12 ? s : `${s.slice(0, 4)}...${s.slice(-4)}`;
}

async function fingerprint(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(value));
  return [...new Uint8Array(digest).slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The first rule that gives this request a session, or undefined (New API's rule order). */
export async function matchAffinity(
  settings: AffinitySettings,
  req: AffinityRequest,
): Promise<AffinityMatch | undefined> {
  if (!settings.enabled) return undefined;
  const ua = (req.headers.get("user-agent") ?? "").toLowerCase();
  for (const r of settings.rules) {
    if (!r.model.some((re) => re.test(req.model))) continue;
    if (r.path.length > 0 && !r.path.some((re) => re.test(req.path))) continue;
    if (r.userAgentInclude.length > 0 && (!ua || !r.userAgentInclude.some((p) => ua.includes(p)))) continue;
    let value = "";
    let used: AffinityKeySource | undefined;
    for (const src of r.keySources) {
      value = sourceValue(req, src);
      if (value) {
        used = src;
        break;
      }
    }
    if (!value || !used) continue;
    if (r.valueRegex && !r.valueRegex.test(value)) continue;
    const parts: string[] = [];
    if (r.includeRuleName && r.name) parts.push(r.name);
    if (r.includeModelName && req.model) parts.push(req.model);
    if (r.includeUsingGroup && req.usingGroup) parts.push(req.usingGroup);
    parts.push(value);
    return {
      rule: r.name,
      cacheKey: parts.join(":"),
      ttlSeconds: r.ttlSeconds > 0
        ? r.ttlSeconds
        : settings.defaultTtlSeconds > 0
        ? settings.defaultTtlSeconds
        : 3600,
      skipRetryOnFailure: r.skipRetryOnFailure,
      keySource: used,
      keyHint: keyHint(value),
      keyFingerprint: await fingerprint(value),
      paramOverrideTemplate: r.paramOverrideTemplate,
    };
  }
  return undefined;
}

/**
 * New API's mergeChannelOverride: the channel's own param override keeps its keys, the template adds the
 * ones it lacks, and the template's `operations` run before the channel's (so the channel's own
 * operations can still overrule them).
 */
export function mergeOverrideTemplate(
  base: Record<string, unknown>,
  template: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(template)) {
    if (k.trim().toLowerCase() === "operations" && Array.isArray(v)) {
      const own = out[k];
      out[k] = Array.isArray(own) ? [...v, ...own] : [...v];
      continue;
    }
    if (!(k in out)) out[k] = v;
  }
  return out;
}
