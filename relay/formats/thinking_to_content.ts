/**
 * New API's per-channel `thinking_to_content` for OpenAI Chat clients: reasoning is sent as visible content
 * wrapped in `<think>\n` … `\n</think>\n`, for clients that show no reasoning channel.
 */
import type { IrResponse, IrStreamEvent } from "./ir.ts";

export interface ThinkingToContentState {
  open: boolean;
}

export function newThinkingToContent(): ThinkingToContentState {
  return { open: false };
}

const OPEN = "<think>\n";
const CLOSE = "\n</think>\n";

/** One IR stream event in, the events to encode out (the closing tag precedes whatever follows reasoning). */
export function thinkingToContent(state: ThinkingToContentState, ev: IrStreamEvent): IrStreamEvent[] {
  switch (ev.type) {
    case "reasoning": {
      const text = state.open ? ev.text : OPEN + ev.text;
      state.open = true;
      return [{ type: "text", text }];
    }
    case "reasoning_signature":
    case "redacted_reasoning":
      return [];
    case "text":
      if (!state.open) return [ev];
      state.open = false;
      return [{ type: "text", text: CLOSE + ev.text }];
    case "tool_call_start":
    case "finish":
    case "end":
      if (!state.open) return [ev];
      state.open = false;
      return [{ type: "text", text: CLOSE }, ev];
  }
  return [ev];
}

/** The same rule for a non-stream answer: reasoning text becomes the head of the content. */
export function thinkingToContentResponse(ir: IrResponse): IrResponse {
  const reasoning = ir.content.flatMap((p) => (p.type === "reasoning" ? [p.text] : [])).join("");
  if (!reasoning) return ir;
  const text = ir.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
  const calls = ir.content.filter((p) => p.type === "tool_call");
  return { ...ir, content: [{ type: "text", text: OPEN + reasoning + CLOSE + text }, ...calls] };
}
