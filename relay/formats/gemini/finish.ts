/** Gemini `finishReason` ↔ IR finish reason. Calls end with STOP: encoders decide "tool_calls" from parts. */
import type { IrFinishReason } from "../ir.ts";

export function geminiFinishToIr(reason: unknown): IrFinishReason {
  switch (reason) {
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
    case "IMAGE_PROHIBITED_CONTENT":
    case "IMAGE_RECITATION":
      return "content_filter";
    case "MALFORMED_FUNCTION_CALL":
    case "UNEXPECTED_TOOL_CALL":
    case "TOO_MANY_TOOL_CALLS":
      return "malformed_tool_call";
  }
  return "stop";
}

export function irFinishToGemini(reason: IrFinishReason): string {
  switch (reason) {
    case "length":
    case "context_length":
      return "MAX_TOKENS";
    case "content_filter":
    case "refusal":
      return "SAFETY";
    case "malformed_tool_call":
      return "MALFORMED_FUNCTION_CALL";
  }
  return "STOP";
}
