/** OpenAI Chat non-stream answers ↔ IR. */
import type { StreamEncodeOptions } from "../codec.ts";
import { effectiveFinish } from "../finish.ts";
import type { IrOutputPart, IrResponse } from "../ir.ts";
import { wrapToolCallId } from "../signature.ts";
import { arr, obj, str, upstreamObject } from "../upstream_body.ts";
import { chatFinishToIr, irFinishToChat } from "./finish.ts";
import { chatUsageToIr, irUsageToChat } from "./usage.ts";

export function decodeChatResponse(body: unknown): IrResponse {
  const res = upstreamObject(body, "chat completion");
  const choice = obj(arr(res.choices)[0]) ?? {};
  const msg = obj(choice.message) ?? {};
  const content: IrOutputPart[] = [];
  const reasoning = str(msg.reasoning_content) ?? str(msg.reasoning);
  if (reasoning) content.push({ type: "reasoning", text: reasoning, origin: "openai_chat" });
  if (typeof msg.content === "string" && msg.content) content.push({ type: "text", text: msg.content });
  if (Array.isArray(msg.content)) {
    for (const p of msg.content) {
      const t = str(obj(p)?.text);
      if (t) content.push({ type: "text", text: t });
    }
  }
  const refusal = str(msg.refusal);
  if (refusal) content.push({ type: "text", text: refusal });
  for (const raw of arr(msg.tool_calls)) {
    const call = obj(raw);
    const fn = obj(call?.function);
    if (!call || !fn) continue;
    content.push({
      type: "tool_call",
      id: str(call.id) ?? `call_${content.length}`,
      name: str(fn.name) ?? "",
      arguments: str(fn.arguments) ?? "",
    });
  }
  const ir: IrResponse = {
    id: str(res.id) ?? "",
    model: str(res.model) ?? "",
    content,
    finishReason: chatFinishToIr(choice.finish_reason),
  };
  if (typeof res.created === "number") ir.created = res.created;
  const usage = obj(res.usage);
  if (usage) ir.usage = chatUsageToIr(usage);
  return ir;
}

export function chatCompletionId(id: string): string {
  return id.startsWith("chatcmpl") ? id : `chatcmpl-${id || crypto.randomUUID()}`;
}

export function encodeChatResponse(ir: IrResponse, opts: StreamEncodeOptions = {}): Record<string, unknown> {
  const text = ir.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
  const reasoning = ir.content.flatMap((p) => (p.type === "reasoning" ? [p.text] : [])).join("");
  const calls = ir.content.flatMap((p) =>
    p.type === "tool_call"
      ? [{
        id: wrapToolCallId("openai_chat", p.id, p.signature, p.origin),
        type: "function",
        function: { name: p.name, arguments: p.arguments || "{}" },
      }]
      : []
  );
  const message: Record<string, unknown> = { role: "assistant", content: text || null };
  if (reasoning) message.reasoning_content = reasoning;
  if (calls.length) message.tool_calls = calls;
  const out: Record<string, unknown> = {
    id: chatCompletionId(ir.id),
    object: "chat.completion",
    created: ir.created ?? opts.created ?? Math.floor(Date.now() / 1000),
    model: opts.model ?? ir.model,
    choices: [{
      index: 0,
      message,
      logprobs: null,
      finish_reason: irFinishToChat(effectiveFinish(ir.finishReason, calls.length > 0)),
    }],
  };
  if (ir.usage) out.usage = irUsageToChat(ir.usage);
  return out;
}
