/** Anthropic usage ↔ IR usage. Claude's `input_tokens` already excludes cache reads and writes. */
import type { IrUsage } from "../ir.ts";
import { type JsonObject, num, obj } from "../upstream_body.ts";

export function claudeUsageToIr(u: JsonObject): IrUsage {
  const split = obj(u.cache_creation);
  const w5 = num(split?.ephemeral_5m_input_tokens);
  const w1 = num(split?.ephemeral_1h_input_tokens);
  const write = num(u.cache_creation_input_tokens) ?? (w5 ?? 0) + (w1 ?? 0);
  const usage: IrUsage = {
    inputTokens: num(u.input_tokens) ?? 0,
    cacheReadTokens: num(u.cache_read_input_tokens) ?? 0,
    cacheWriteTokens: write,
    outputTokens: num(u.output_tokens) ?? 0,
    reasoningTokens: 0,
  };
  if (w5 !== undefined || w1 !== undefined) {
    usage.cacheWrite5mTokens = w5 ?? 0;
    usage.cacheWrite1hTokens = w1 ?? 0;
  }
  return usage;
}

/** Assigns each reported field over the previous snapshot (message_delta repeats totals; never add). */
export function mergeClaudeUsage(into: JsonObject, next: JsonObject): void {
  for (const [k, v] of Object.entries(next)) if (v !== null && v !== undefined) into[k] = v;
}

export function irUsageToClaude(u: IrUsage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    input_tokens: u.inputTokens,
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cacheReadTokens,
    output_tokens: u.outputTokens,
  };
  if (u.cacheWrite5mTokens !== undefined || u.cacheWrite1hTokens !== undefined) {
    out.cache_creation = {
      ephemeral_5m_input_tokens: u.cacheWrite5mTokens ?? 0,
      ephemeral_1h_input_tokens: u.cacheWrite1hTokens ?? 0,
    };
  }
  return out;
}
