/**
 * Gemini `usageMetadata` ↔ IR usage. `promptTokenCount` includes `cachedContentTokenCount`;
 * `candidatesTokenCount` excludes `thoughtsTokenCount` (§5.10, §5.11).
 */
import { type IrUsage, promptTokens, totalTokens } from "../ir.ts";
import { type JsonObject, num } from "../upstream_body.ts";

export function geminiUsageToIr(u: JsonObject): IrUsage {
  const cached = num(u.cachedContentTokenCount) ?? 0;
  const thoughts = num(u.thoughtsTokenCount) ?? 0;
  return {
    inputTokens: Math.max(0, (num(u.promptTokenCount) ?? 0) - cached) + (num(u.toolUsePromptTokenCount) ?? 0),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: (num(u.candidatesTokenCount) ?? 0) + thoughts,
    reasoningTokens: thoughts,
  };
}

export function irUsageToGemini(u: IrUsage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    promptTokenCount: promptTokens(u),
    candidatesTokenCount: u.outputTokens - u.reasoningTokens,
    totalTokenCount: totalTokens(u),
  };
  if (u.cacheReadTokens) out.cachedContentTokenCount = u.cacheReadTokens;
  if (u.reasoningTokens) out.thoughtsTokenCount = u.reasoningTokens;
  return out;
}
