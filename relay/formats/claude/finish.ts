/** Anthropic `stop_reason` ↔ IR finish reason. */
import type { IrFinishReason } from "../ir.ts";

export function claudeStopToIr(reason: unknown): IrFinishReason {
  switch (reason) {
    case "stop_sequence":
      return "stop_sequence";
    case "max_tokens":
      return "length";
    case "model_context_window_exceeded":
      return "context_length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "refusal";
    case "pause_turn":
      return "pause";
  }
  return "stop";
}

export function irFinishToClaude(reason: IrFinishReason, stopSequence?: string): string {
  switch (reason) {
    case "stop_sequence":
      return stopSequence ? "stop_sequence" : "end_turn";
    case "length":
      return "max_tokens";
    case "context_length":
      return "model_context_window_exceeded";
    case "tool_calls":
      return "tool_use";
    case "content_filter":
    case "refusal":
      return "refusal";
    case "pause":
      return "pause_turn";
  }
  return "end_turn";
}
