/** OpenAI Chat usage ↔ IR usage. `prompt_tokens` includes cached tokens; `completion_tokens` reasoning. */
import { type IrUsage, promptTokens, totalTokens } from "../ir.ts";

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek's names for the cache split. */
  prompt_cache_hit_tokens?: number;
}

const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export function chatUsageToIr(u: ChatUsage): IrUsage {
  const cacheRead = n(u.prompt_tokens_details?.cached_tokens) || n(u.prompt_cache_hit_tokens);
  const cacheWrite = n(u.prompt_tokens_details?.cache_write_tokens);
  return {
    inputTokens: Math.max(0, n(u.prompt_tokens) - cacheRead - cacheWrite),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: n(u.completion_tokens),
    reasoningTokens: n(u.completion_tokens_details?.reasoning_tokens),
  };
}

export function irUsageToChat(u: IrUsage): Record<string, unknown> {
  const details: Record<string, number> = { cached_tokens: u.cacheReadTokens };
  if (u.cacheWriteTokens) details.cache_write_tokens = u.cacheWriteTokens;
  return {
    prompt_tokens: promptTokens(u),
    completion_tokens: u.outputTokens,
    total_tokens: totalTokens(u),
    prompt_tokens_details: details,
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}
