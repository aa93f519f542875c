/** OpenAI Responses non-stream answers (the `response` object) ↔ IR. */
import type { StreamEncodeOptions } from "../codec.ts";
import { errorFromStreamPayload } from "../errors.ts";
import { effectiveFinish } from "../finish.ts";
import type { IrFinishReason, IrOutputPart, IrResponse, IrUsage } from "../ir.ts";
import { wrapReasoningSignature, wrapToolCallId } from "../signature.ts";
import { arr, type JsonObject, num, obj, str, upstreamObject } from "../upstream_body.ts";
import { irUsageToResponses, responsesUsageToIr } from "./usage.ts";

/** `status` + `incomplete_details` → IR finish reason (tool calls are decided by encoders). */
export function responsesStatusToIr(res: JsonObject): IrFinishReason {
  if (res.status !== "incomplete") return "stop";
  return obj(res.incomplete_details)?.reason === "content_filter" ? "content_filter" : "length";
}

export function decodeResponsesOutput(items: unknown[]): IrOutputPart[] {
  const content: IrOutputPart[] = [];
  for (const raw of items) {
    const it = obj(raw);
    if (it?.type === "reasoning") {
      const text = [...arr(it.summary), ...arr(it.content)].map((s) => str(obj(s)?.text) ?? "").join("\n\n");
      const signature = str(it.encrypted_content);
      const id = str(it.id);
      content.push({
        type: "reasoning",
        text,
        origin: "openai_responses",
        ...(signature ? { signature } : {}),
        ...(id ? { id } : {}),
      });
    } else if (it?.type === "message") {
      for (const c of arr(it.content)) {
        const part = obj(c);
        const text = str(part?.text) ?? str(part?.refusal);
        if (text) content.push({ type: "text", text });
      }
    } else if (it?.type === "function_call") {
      content.push({
        type: "tool_call",
        id: str(it.call_id) ?? str(it.id) ?? "",
        name: str(it.name) ?? "",
        arguments: str(it.arguments) ?? "",
      });
    }
  }
  return content;
}

export function decodeResponsesResponse(body: unknown): IrResponse {
  const res = upstreamObject(body, "response");
  if (res.status === "failed") throw errorFromStreamPayload({ error: res.error ?? {} });
  const ir: IrResponse = {
    id: str(res.id) ?? "",
    model: str(res.model) ?? "",
    content: decodeResponsesOutput(arr(res.output)),
    finishReason: responsesStatusToIr(res),
  };
  const created = num(res.created_at);
  if (created !== undefined) ir.created = created;
  const usage = obj(res.usage);
  if (usage) ir.usage = responsesUsageToIr(usage);
  return ir;
}

export function responseId(id: string): string {
  return id.startsWith("resp_")
    ? id
    : `resp_${id.replace(/[^A-Za-z0-9]/g, "") || crypto.randomUUID().replaceAll("-", "")}`;
}

/** Status and incomplete_details for an IR finish reason. */
export function responsesStatus(reason: IrFinishReason): { status: string; incomplete_details: unknown } {
  if (reason === "length" || reason === "context_length") {
    return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  }
  if (reason === "content_filter") {
    return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  }
  return { status: "completed", incomplete_details: null };
}

/** The `response` object shared by the non-stream answer and the stream's snapshots. */
export function responseObject(
  fields: { id: string; model: string; createdAt: number; status: string; incompleteDetails?: unknown },
  output: unknown[],
  usage: IrUsage | undefined,
  error: unknown = null,
): Record<string, unknown> {
  return {
    id: fields.id,
    object: "response",
    created_at: fields.createdAt,
    status: fields.status,
    error,
    incomplete_details: fields.incompleteDetails ?? null,
    model: fields.model,
    output,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    usage: usage ? irUsageToResponses(usage) : null,
  };
}

export function encodeResponsesResponse(
  ir: IrResponse,
  opts: StreamEncodeOptions = {},
): Record<string, unknown> {
  const id = responseId(ir.id);
  const base = id.slice(5, 17);
  const output: JsonObject[] = [];
  let text = "";
  let n = 0;
  const flushText = () => {
    if (!text) return;
    output.push({
      type: "message",
      id: `msg_${base}${n++}`,
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
    });
    text = "";
  };
  let sawCalls = false;
  for (const p of ir.content) {
    if (p.type === "text") {
      text += p.text;
      continue;
    }
    flushText();
    if (p.type === "reasoning") {
      const item: JsonObject = {
        type: "reasoning",
        id: p.origin === "openai_responses" && p.id ? p.id : `rs_${base}${n++}`,
        summary: p.text ? [{ type: "summary_text", text: p.text }] : [],
      };
      if (p.origin && (p.signature || p.origin !== "openai_responses")) {
        item.encrypted_content = wrapReasoningSignature("openai_responses", {
          origin: p.origin,
          signature: p.signature ?? "",
          id: p.id,
          redacted: p.redacted,
        });
      }
      output.push(item);
    } else {
      sawCalls = true;
      output.push({
        type: "function_call",
        id: `fc_${base}${n++}`,
        call_id: wrapToolCallId("openai_responses", p.id, p.signature, p.origin),
        name: p.name,
        arguments: p.arguments || "{}",
        status: "completed",
      });
    }
  }
  flushText();
  const { status, incomplete_details } = responsesStatus(effectiveFinish(ir.finishReason, sawCalls));
  return responseObject(
    {
      id,
      model: opts.model ?? ir.model,
      createdAt: ir.created ?? opts.created ?? Math.floor(Date.now() / 1000),
      status,
      incompleteDetails: incomplete_details,
    },
    output,
    ir.usage,
  );
}
