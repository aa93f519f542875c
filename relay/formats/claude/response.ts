/** Anthropic Messages non-stream answers ↔ IR. */
import type { StreamEncodeOptions } from "../codec.ts";
import { effectiveFinish } from "../finish.ts";
import { emptyUsage, type IrOutputPart, type IrReasoningPart, type IrResponse } from "../ir.ts";
import { wrapReasoningSignature, wrapToolCallId } from "../signature.ts";
import { toolArgumentsObject, toolArgumentsText } from "../tool_args.ts";
import { arr, obj, str, upstreamObject } from "../upstream_body.ts";
import { claudeStopToIr, irFinishToClaude } from "./finish.ts";
import { claudeUsageToIr, irUsageToClaude } from "./usage.ts";

export function decodeClaudeResponse(body: unknown): IrResponse {
  const res = upstreamObject(body, "message");
  const content: IrOutputPart[] = [];
  for (const raw of arr(res.content)) {
    const b = obj(raw);
    switch (b?.type) {
      case "text":
        content.push({ type: "text", text: str(b.text) ?? "" });
        break;
      case "thinking":
        content.push({
          type: "reasoning",
          text: str(b.thinking) ?? "",
          origin: "claude",
          ...(str(b.signature) ? { signature: str(b.signature) } : {}),
        });
        break;
      case "redacted_thinking":
        content.push({
          type: "reasoning",
          text: "",
          redacted: true,
          origin: "claude",
          signature: str(b.data) ?? "",
        });
        break;
      case "tool_use":
        content.push({
          type: "tool_call",
          id: str(b.id) ?? "",
          name: str(b.name) ?? "",
          arguments: toolArgumentsText(b.input),
        });
        break;
    }
  }
  const ir: IrResponse = {
    id: str(res.id) ?? "",
    model: str(res.model) ?? "",
    content,
    finishReason: claudeStopToIr(res.stop_reason),
  };
  const stopSequence = str(res.stop_sequence);
  if (stopSequence) ir.stopSequence = stopSequence;
  const usage = obj(res.usage);
  if (usage) ir.usage = claudeUsageToIr(usage);
  return ir;
}

export function claudeMessageId(id: string): string {
  return id.startsWith("msg_") ? id : `msg_${id || crypto.randomUUID().replaceAll("-", "")}`;
}

/** A reasoning part as a Claude block; a foreign signature rides in an envelope (signature.ts). */
export function claudeThinkingBlock(p: IrReasoningPart): Record<string, unknown> {
  const signature = p.origin
    ? wrapReasoningSignature("claude", {
      origin: p.origin,
      signature: p.signature ?? "",
      id: p.id,
      redacted: p.redacted,
    })
    : "";
  if (p.redacted) return { type: "redacted_thinking", data: signature };
  return { type: "thinking", thinking: p.text, signature };
}

export function encodeClaudeResponse(
  ir: IrResponse,
  opts: StreamEncodeOptions = {},
): Record<string, unknown> {
  let sawCalls = false;
  const content = ir.content.map((p) => {
    if (p.type === "text") return { type: "text", text: p.text };
    if (p.type === "reasoning") return claudeThinkingBlock(p);
    sawCalls = true;
    return {
      type: "tool_use",
      id: wrapToolCallId("claude", p.id, p.signature, p.origin),
      name: p.name,
      input: toolArgumentsObject(p.arguments),
    };
  });
  const reason = irFinishToClaude(effectiveFinish(ir.finishReason, sawCalls), ir.stopSequence);
  return {
    id: claudeMessageId(ir.id),
    type: "message",
    role: "assistant",
    model: opts.model ?? ir.model,
    content,
    stop_reason: reason,
    stop_sequence: reason === "stop_sequence" ? ir.stopSequence : null,
    usage: irUsageToClaude(ir.usage ?? emptyUsage()),
  };
}
