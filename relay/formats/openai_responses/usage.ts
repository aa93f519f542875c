/** OpenAI Responses usage ↔ IR usage. `input_tokens` includes cached; `output_tokens` includes reasoning. */
import { type IrUsage, promptTokens, totalTokens } from "../ir.ts";
import { type JsonObject, num, obj } from "../upstream_body.ts";

export function responsesUsageToIr(u: JsonObject): IrUsage {
  const cached = num(obj(u.input_tokens_details)?.cached_tokens) ?? 0;
  return {
    inputTokens: Math.max(0, (num(u.input_tokens) ?? 0) - cached),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: num(u.output_tokens) ?? 0,
    reasoningTokens: num(obj(u.output_tokens_details)?.reasoning_tokens) ?? 0,
  };
}

export function irUsageToResponses(u: IrUsage): Record<string, unknown> {
  return {
    input_tokens: promptTokens(u),
    input_tokens_details: { cached_tokens: u.cacheReadTokens },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens },
    total_tokens: totalTokens(u),
  };
}
