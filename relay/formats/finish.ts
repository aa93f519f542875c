/** Finish-reason rules shared by the encoders (the per-dialect tables live in each codec). */
import type { IrFinishReason } from "./ir.ts";

/** A turn that produced tool calls finished for them, whatever the upstream said (Gemini says STOP). */
export function effectiveFinish(reason: IrFinishReason | undefined, sawToolCalls: boolean): IrFinishReason {
  if (sawToolCalls && (reason === undefined || reason === "stop")) return "tool_calls";
  return reason ?? "stop";
}
