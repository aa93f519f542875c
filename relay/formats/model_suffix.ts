/**
 * New API's model-name suffixes for reasoning control: `o3-mini-high` → effort high, `claude-…-thinking` →
 * extended thinking, `gemini-…-thinking-1024` / `-nothinking` → thinkingConfig. Pure: returns the upstream
 * model name and a new IR; names on the blacklist (kimi-k2-thinking) keep their literal suffix.
 */
import type { IrEffort, IrReasoningConfig, IrRequest } from "./ir.ts";

export interface ModelSuffixOptions {
  /** Exact names, or `re:<regex>`, whose suffix is part of the real model id (New API's default list). */
  thinkingBlacklist?: string[];
  /** `claude.thinking_adapter_enabled` (New API default: on). */
  claudeThinkingAdapter?: boolean;
  /** `claude.thinking_adapter_budget_tokens_percentage` (default 0.8). */
  claudeBudgetShare?: number;
  /** `gemini.thinking_adapter_enabled` (New API default: off). */
  geminiThinkingAdapter?: boolean;
  /** `gemini.thinking_adapter_budget_tokens_percentage` (default 0.6). */
  geminiBudgetShare?: number;
}

export const DEFAULT_THINKING_BLACKLIST = ["moonshotai/kimi-k2-thinking", "kimi-k2-thinking"];

const OPENAI_SUFFIXES = ["high", "minimal", "low", "medium", "none", "xhigh"];
const EFFORT_SUFFIXES = ["max", "xhigh", "high", "medium", "low", "minimal"];
const CLAUDE_DEFAULT_MAX_TOKENS = 8192;

function blacklisted(model: string, list: string[]): boolean {
  return list.some((entry) => {
    if (!entry.startsWith("re:")) return entry === model;
    try {
      return new RegExp(entry.slice(3)).test(model);
    } catch {
      return false; // a bad pattern in settings must not break relaying
    }
  });
}

function trimSuffix(model: string, suffixes: string[]): [string, string] | undefined {
  const s = suffixes.find((x) => model.endsWith(`-${x}`));
  return s ? [model.slice(0, -s.length - 1), s] : undefined;
}

function base(model: string): string {
  return model.slice(model.lastIndexOf("/") + 1).toLowerCase();
}

type Result = { upstreamModel: string; ir: IrRequest };

function withReasoning(
  ir: IrRequest,
  model: string,
  reasoning: IrReasoningConfig,
  extra: Partial<IrRequest> = {},
) {
  return { upstreamModel: model, ir: { ...ir, ...extra, model, reasoning } };
}

function openAi(model: string, ir: IrRequest): Result | undefined {
  const t = trimSuffix(model, OPENAI_SUFFIXES);
  if (!t || !/^(o\d|gpt-5)/.test(base(t[0]))) return undefined;
  const reasoning: IrReasoningConfig = t[1] === "none"
    ? { enabled: false }
    : { enabled: true, effort: t[1] as IrEffort };
  return withReasoning(ir, t[0], reasoning);
}

function claude(model: string, ir: IrRequest, opts: ModelSuffixOptions): Result | undefined {
  const name = base(model);
  if (!name.includes("claude")) return undefined;
  const adaptive = /opus-4-[678]/.test(name);
  if (model.endsWith("-thinking") && (opts.claudeThinkingAdapter ?? true)) {
    const upstream = model.slice(0, -"-thinking".length);
    if (ir.reasoning?.enabled) return { upstreamModel: upstream, ir: { ...ir, model: upstream } };
    if (/opus-4-[78]/.test(name)) {
      return withReasoning(ir, upstream, { enabled: true, adaptive: true, effort: "high" });
    }
    const maxTokens = Math.max(1280, ir.maxTokens ?? CLAUDE_DEFAULT_MAX_TOKENS);
    const budgetTokens = Math.floor(maxTokens * (opts.claudeBudgetShare ?? 0.8));
    // Extended thinking takes temperature 1 and no top_p (New API clears it).
    return withReasoning(ir, upstream, { enabled: true, budgetTokens }, {
      maxTokens,
      temperature: 1,
      topP: undefined,
    });
  }
  const t = adaptive ? trimSuffix(model, EFFORT_SUFFIXES) : undefined;
  if (!t) return undefined;
  return withReasoning(ir, t[0], { enabled: true, adaptive: true, effort: t[1] as IrEffort });
}

function gemini(model: string, ir: IrRequest, opts: ModelSuffixOptions): Result | undefined {
  if (!base(model).startsWith("gemini") || !opts.geminiThinkingAdapter) return undefined;
  const budget = /^(.*)-thinking-(\d+)$/.exec(model);
  if (budget) {
    return withReasoning(ir, budget[1], {
      enabled: true,
      budgetTokens: Number(budget[2]),
      includeThoughts: true,
    });
  }
  if (model.endsWith("-nothinking")) {
    return withReasoning(ir, model.slice(0, -"-nothinking".length), { enabled: false });
  }
  if (model.endsWith("-thinking")) {
    const upstream = model.slice(0, -"-thinking".length);
    if (ir.reasoning && !ir.reasoning.enabled) {
      return { upstreamModel: upstream, ir: { ...ir, model: upstream } };
    }
    const r: IrReasoningConfig = { enabled: true, includeThoughts: true };
    if (ir.maxTokens) r.budgetTokens = Math.floor(ir.maxTokens * (opts.geminiBudgetShare ?? 0.6));
    else if (ir.reasoning?.effort) r.effort = ir.reasoning.effort;
    return withReasoning(ir, upstream, r);
  }
  const t = trimSuffix(model, EFFORT_SUFFIXES);
  if (!t) return undefined;
  return withReasoning(ir, t[0], { enabled: true, effort: t[1] as IrEffort, includeThoughts: true });
}

function deepSeek(model: string, ir: IrRequest): Result | undefined {
  const t = trimSuffix(model, ["none", "max"]);
  if (!t || !/^deepseek-v4/.test(base(t[0]))) return undefined;
  return withReasoning(ir, t[0], t[1] === "none" ? { enabled: false } : { enabled: true, effort: "max" });
}

/** Resolves reasoning suffixes on `model` (the name after model mapping) into IR reasoning settings. */
export function applyModelSuffix(model: string, ir: IrRequest, opts: ModelSuffixOptions = {}): Result {
  if (!blacklisted(model, opts.thinkingBlacklist ?? DEFAULT_THINKING_BLACKLIST)) {
    const resolved = openAi(model, ir) ?? claude(model, ir, opts) ?? gemini(model, ir, opts) ??
      deepSeek(model, ir);
    if (resolved) return resolved;
  }
  return { upstreamModel: model, ir: ir.model === model ? ir : { ...ir, model } };
}
