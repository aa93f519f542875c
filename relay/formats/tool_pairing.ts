/**
 * Every tool call must be answered in the very next user turn: Anthropic rejects "tool_use ids were found
 * without tool_result blocks immediately after", OpenAI wants a reply per `tool_call_id`, Gemini as many
 * responses as calls (§5.3). Missing answers get a synthetic error result instead of a rejected request.
 */
import { invalidRequest } from "./errors.ts";
import type { IrMessage, IrRequest, IrToolResultPart } from "./ir.ts";

export const MISSING_RESULT_TEXT = "No result was provided for this tool call.";

export function answerOrphanedCalls(messages: IrMessage[]): IrMessage[] {
  let out: IrMessage[] | undefined;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role !== "assistant" || i === messages.length - 1) continue;
    const calls = m.content.filter((p) => p.type === "tool_call");
    if (!calls.length) continue;
    const next = messages[i + 1];
    const answered = new Set(
      next.role === "user" ? next.content.flatMap((p) => p.type === "tool_result" ? [p.callId] : []) : [],
    );
    const missing: IrToolResultPart[] = [];
    for (const c of calls) {
      if (c.type === "tool_call" && !answered.has(c.id)) {
        missing.push({
          type: "tool_result",
          callId: c.id,
          name: c.name,
          content: [{ type: "text", text: MISSING_RESULT_TEXT }],
          isError: true,
        });
      }
    }
    if (!missing.length) continue;
    out ??= messages.slice();
    const at = out.indexOf(next);
    if (next.role === "user") {
      const results = next.content.filter((p) => p.type === "tool_result");
      const rest = next.content.filter((p) => p.type !== "tool_result");
      out[at] = { ...next, content: [...results, ...missing, ...rest] };
    } else {
      out.splice(at, 0, { role: "user", content: missing });
    }
  }
  return out ?? messages;
}

/** Chaining on a stored response only works against a Responses upstream; elsewhere it is a clear 400. */
export function refuseStoredState(ir: IrRequest): void {
  if (ir.previousResponseId) {
    throw invalidRequest(
      "previous_response_id is not supported for this model: send the whole conversation in input",
      "previous_response_id",
    );
  }
}
