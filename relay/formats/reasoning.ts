/**
 * Reasoning controls across dialects (§5.13): effort ↔ budget mappings and the model-family facts the
 * encoders need (which Claude models take only adaptive thinking, Gemini 3 levels, Gemini 2.5 budgets).
 */
import type { IrEffort } from "./ir.ts";

const EFFORTS: readonly string[] = ["minimal", "low", "medium", "high", "xhigh", "max"];

/** An effort word from any dialect; "none"/"off" is not an effort but thinking off (undefined here). */
export function asEffort(value: string | undefined): IrEffort | undefined {
  const v = value?.toLowerCase();
  return v && EFFORTS.includes(v) ? v as IrEffort : undefined;
}

/** Strips a provider prefix ("openai/o3" → "o3", "models/gemini-2.5-pro" → "gemini-2.5-pro"). */
function baseName(model: string): string {
  return model.slice(model.lastIndexOf("/") + 1).toLowerCase();
}

/** OpenAI o-series and gpt-5: take `reasoning_effort` and `max_completion_tokens`. */
export function isOpenAiReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(baseName(model));
}

/** OpenAI models that reject reasoning parameters outright (a 400, not a no-op). */
export function isOpenAiNonReasoningModel(model: string): boolean {
  return /^(gpt-4|gpt-3\.5|chatgpt-)/.test(baseName(model));
}

/** Claude models that accept only adaptive thinking (`budget_tokens` is deprecated from 4.6 on). */
export function isClaudeAdaptiveOnly(model: string): boolean {
  return /claude-(opus|sonnet|haiku)-(4-[6-9]|[5-9](\b|-|\.))/.test(baseName(model));
}

/** Claude thinking budgets per effort; low/medium/high follow New API. */
const CLAUDE_BUDGETS: Record<IrEffort, number> = {
  minimal: 1024,
  low: 1280,
  medium: 2048,
  high: 4096,
  xhigh: 8192,
  max: 16384,
};

export function claudeBudgetForEffort(effort: IrEffort): number {
  return CLAUDE_BUDGETS[effort];
}

/** The effort a budget amounts to, for dialects that speak effort only. */
export function effortForBudget(budget: number): IrEffort {
  if (budget <= 1536) return "low";
  if (budget <= 3072) return "medium";
  return "high";
}

export function isGemini3(model: string): boolean {
  return /^gemini-3/.test(baseName(model));
}

function isGemini25Pro(model: string): boolean {
  const m = baseName(model);
  return m.startsWith("gemini-2.5-pro") && !/^gemini-2\.5-pro-preview-(05-06|03-25)/.test(m);
}

function isGemini25FlashLite(model: string): boolean {
  return baseName(model).startsWith("gemini-2.5-flash-lite");
}

/** Gemini 2.5 models cannot all turn thinking off: 2.5 Pro has a minimum budget. */
export function geminiCanDisableThinking(model: string): boolean {
  return !isGemini25Pro(model);
}

function geminiBudgetRange(model: string): [number, number] {
  if (isGemini25FlashLite(model)) return [512, 24576];
  if (isGemini25Pro(model)) return [128, 32768];
  return [0, 24576];
}

/** Clamps a thinking budget into the model's accepted range (New API's limits). */
export function clampGeminiBudget(model: string, budget: number): number {
  const [min, max] = geminiBudgetRange(model);
  return Math.min(max, Math.max(min, Math.floor(budget)));
}

const GEMINI_EFFORT_SHARE: Record<IrEffort, number> = {
  minimal: 0.05,
  low: 0.2,
  medium: 0.5,
  high: 0.8,
  xhigh: 0.8,
  max: 1,
};

/** A Gemini 2.5 budget for an effort: a share of the model's largest budget. */
export function geminiBudgetForEffort(model: string, effort: IrEffort): number {
  return clampGeminiBudget(model, geminiBudgetRange(model)[1] * GEMINI_EFFORT_SHARE[effort]);
}

/** Gemini 3 `thinkingLevel` for an effort: low, medium or high. */
export function gemini3Level(effort: IrEffort | undefined, budget?: number): "low" | "medium" | "high" {
  if (!effort && budget !== undefined) return budget >= 8192 ? "high" : "medium";
  if (effort === "minimal" || effort === "low") return "low";
  if (effort === "medium") return "medium";
  return "high";
}
