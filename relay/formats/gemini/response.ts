/** Gemini generateContent answers ↔ IR. */
import type { StreamEncodeOptions } from "../codec.ts";
import type { IrOutputPart, IrResponse } from "../ir.ts";
import { wrapReasoningSignature } from "../signature.ts";
import { toolArgumentsObject, toolArgumentsText } from "../tool_args.ts";
import { arr, type JsonObject, obj, str, upstreamObject } from "../upstream_body.ts";
import { geminiFinishToIr, irFinishToGemini } from "./finish.ts";
import { geminiUsageToIr, irUsageToGemini } from "./usage.ts";

/** Gemini rarely names its calls; ids are minted from the response id so each is unique (§5.4). */
export function mintCallId(responseId: string, n: number): string {
  return `call_${responseId.replace(/[^A-Za-z0-9]/g, "").slice(0, 16) || "gemini"}_${n}`;
}

/** One Gemini part as IR output; `calls` counts calls so far for id minting. */
export function decodeOutputPart(p: JsonObject, responseId: string, calls: number): IrOutputPart | undefined {
  const fc = obj(p.functionCall);
  const signature = str(p.thoughtSignature);
  if (fc) {
    return {
      type: "tool_call",
      id: str(fc.id) ?? mintCallId(responseId, calls),
      name: str(fc.name) ?? "",
      arguments: toolArgumentsText(fc.args),
      ...(signature ? { signature, origin: "gemini" as const } : {}),
    };
  }
  const text = str(p.text);
  if (p.thought === true) {
    return { type: "reasoning", text: text ?? "", origin: "gemini", ...(signature ? { signature } : {}) };
  }
  return text ? { type: "text", text } : undefined;
}

export function decodeGeminiResponse(body: unknown): IrResponse {
  const res = upstreamObject(body, "generateContent response");
  const responseId = str(res.responseId) ?? "";
  const candidate = obj(arr(res.candidates)[0]);
  const content: IrOutputPart[] = [];
  let calls = 0;
  for (const raw of arr(obj(candidate?.content)?.parts)) {
    const part = obj(raw) && decodeOutputPart(raw as JsonObject, responseId, calls);
    if (!part) continue;
    if (part.type === "tool_call") calls++;
    content.push(part);
  }
  const blocked = !candidate && obj(res.promptFeedback)?.blockReason;
  const ir: IrResponse = {
    id: responseId,
    model: str(res.modelVersion) ?? "",
    content,
    finishReason: blocked ? "content_filter" : geminiFinishToIr(candidate?.finishReason),
  };
  const usage = obj(res.usageMetadata);
  if (usage) ir.usage = geminiUsageToIr(usage);
  return ir;
}

/** An IR part as a Gemini part for a client; foreign signatures ride in envelopes (signature.ts). */
export function encodeOutputPart(p: IrOutputPart): Record<string, unknown> {
  if (p.type === "text") return { text: p.text };
  if (p.type === "reasoning") {
    const sig = p.origin && (p.signature || p.origin !== "gemini")
      ? {
        thoughtSignature: wrapReasoningSignature("gemini", {
          origin: p.origin,
          signature: p.signature ?? "",
          id: p.id,
          redacted: p.redacted,
        }),
      }
      : {};
    return { text: p.text, thought: true, ...sig };
  }
  return {
    functionCall: { id: p.id, name: p.name, args: toolArgumentsObject(p.arguments) },
    ...(p.signature && p.origin === "gemini" ? { thoughtSignature: p.signature } : {}),
  };
}

export function encodeGeminiResponse(
  ir: IrResponse,
  opts: StreamEncodeOptions = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    candidates: [{
      content: { role: "model", parts: ir.content.map(encodeOutputPart) },
      finishReason: irFinishToGemini(ir.finishReason),
      index: 0,
    }],
    modelVersion: opts.model ?? ir.model,
    responseId: ir.id,
  };
  if (ir.usage) out.usageMetadata = irUsageToGemini(ir.usage);
  return out;
}
