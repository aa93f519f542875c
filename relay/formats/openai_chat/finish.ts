/** OpenAI Chat `finish_reason` ↔ IR finish reason. */
import type { IrFinishReason } from "../ir.ts";

export function chatFinishToIr(reason: unknown): IrFinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
  }
  return "stop";
}

export function irFinishToChat(reason: IrFinishReason): string {
  switch (reason) {
    case "length":
    case "context_length":
      return "length";
    case "tool_calls":
      return "tool_calls";
    case "content_filter":
    case "refusal":
      return "content_filter";
  }
  return "stop";
}
