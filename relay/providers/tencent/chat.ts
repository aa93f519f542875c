/**
 * Tencent Hunyuan's `ChatCompletions` action (API version 2023-09-01) as an upstream wire format, read from
 * Tencent Cloud's API reference (hunyuan "ChatCompletions": Message, Tool, Choice, Delta, Usage, and the
 * common error shape) and New API's tencent adaptor. Fields are PascalCase; tool parameters travel as JSON
 * text; the answer is wrapped in `Response`, and an error comes as `Response.Error` with HTTP 200. A stream
 * is SSE `data:` chunks, each with the running `Usage`; the chunk whose `FinishReason` is set ends it.
 */
import type { SseEvent } from "../../sse/event.ts";
import { RelayError } from "../../formats/errors.ts";
import type {
  IrFinishReason,
  IrOutputPart,
  IrRequest,
  IrResponse,
  IrStreamEvent,
  IrUsage,
} from "../../formats/ir.ts";
import {
  arr,
  type JsonObject,
  num,
  obj,
  str,
  streamEventObject,
  tokenCount,
} from "../../formats/upstream_body.ts";
import { type ChatTurn, chatTurns, toolParameters, type WireCodec } from "../../formats/wire.ts";

type Json = Record<string, unknown>;

function encodeMessages(turns: ChatTurn[]): Json[] {
  const out: Json[] = [];
  for (const t of turns) {
    if (t.role === "system") out.push({ Role: "system", Content: t.text });
    else if (t.role === "tool") out.push({ Role: "tool", ToolCallId: t.callId, Content: t.text || " " });
    else if (t.role === "user") {
      if (t.text) out.push({ Role: "user", Content: t.text });
    } else if (t.calls.length || t.text) {
      const calls = t.calls.map((c) => ({
        Id: c.id,
        Type: "function",
        Function: { Name: c.name, Arguments: c.arguments || "{}" },
      }));
      out.push({ Role: "assistant", Content: t.text, ...(calls.length ? { ToolCalls: calls } : {}) });
    }
  }
  return out;
}

export function encodeTencentRequest(ir: IrRequest): Record<string, unknown> {
  const body: Json = { Model: ir.model, Messages: encodeMessages(chatTurns(ir)) };
  if (ir.stream) body.Stream = true;
  if (ir.temperature !== undefined) body.Temperature = ir.temperature;
  if (ir.topP !== undefined) body.TopP = ir.topP;
  if (ir.stop?.length) body.Stop = ir.stop;
  if (ir.seed !== undefined) body.Seed = ir.seed;
  if (ir.tools?.length) {
    body.Tools = ir.tools.map((t) => ({
      Type: "function",
      Function: {
        Name: t.name,
        ...(t.description ? { Description: t.description } : {}),
        Parameters: JSON.stringify(toolParameters(t)),
      },
    }));
    const tc = ir.toolChoice;
    if (tc?.type === "none") body.ToolChoice = "none";
    else if (tc?.type === "tool") {
      body.ToolChoice = "custom";
      body.CustomTool = (body.Tools as Json[]).find((t) => (t.Function as Json).Name === tc.name);
    } else if (tc) body.ToolChoice = "auto";
  }
  return body;
}

/** Tencent Cloud's error codes → HTTP statuses. */
function errorStatus(code: string): number {
  if (code.startsWith("AuthFailure")) return 401;
  if (code.startsWith("UnauthorizedOperation")) return 403;
  if (code.startsWith("LimitExceeded") || code.startsWith("RequestLimitExceeded")) return 429;
  if (code.startsWith("InvalidParameter") || code.startsWith("MissingParameter")) return 400;
  if (code.startsWith("ResourceNotFound") || code.startsWith("InvalidAction")) return 404;
  if (code.startsWith("FailedOperation") || code.startsWith("ResourceUnavailable")) return 403;
  return 500;
}

function tencentError(e: JsonObject): RelayError {
  const code = str(e.Code) ?? String(e.Code ?? "InternalError");
  return new RelayError(errorStatus(code), str(e.Message) ?? code, { code });
}

function usageOf(u: JsonObject): IrUsage {
  return {
    inputTokens: tokenCount(u.PromptTokens),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(u.CompletionTokens),
    reasoningTokens: 0,
  };
}

const FINISH: Record<string, IrFinishReason> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  sensitive: "content_filter",
};

export function decodeTencentResponse(body: unknown, model: string): IrResponse {
  const wrapped = obj(body);
  const r = obj(wrapped?.Response) ?? wrapped;
  if (!r) {
    throw new RelayError(502, "upstream answered with an unreadable body", { code: "bad_response_body" });
  }
  const err = obj(r.Error);
  if (err) throw tencentError(err);
  const choice = obj(arr(r.Choices)[0]) ?? {};
  const msg = obj(choice.Message) ?? {};
  const content: IrOutputPart[] = [];
  if (typeof msg.ReasoningContent === "string" && msg.ReasoningContent) {
    content.push({ type: "reasoning", text: msg.ReasoningContent });
  }
  if (typeof msg.Content === "string" && msg.Content) content.push({ type: "text", text: msg.Content });
  for (const raw of arr(msg.ToolCalls)) {
    const c = obj(raw);
    const fn = obj(c?.Function);
    if (!c || !fn) continue;
    content.push({
      type: "tool_call",
      id: str(c.Id) ?? "",
      name: str(fn.Name) ?? "",
      arguments: str(fn.Arguments) ?? "{}",
    });
  }
  const usage = obj(r.Usage);
  return {
    id: str(r.Id) ?? "",
    model,
    ...(num(r.Created) ? { created: num(r.Created) } : {}),
    content,
    finishReason: FINISH[String(choice.FinishReason)] ?? "stop",
    ...(usage ? { usage: usageOf(usage) } : {}),
  };
}

export interface TencentDecodeState {
  model: string;
  started: boolean;
  /** Tencent's call Index → IR tool call index. */
  calls: Map<number, number>;
  nextCall: number;
  finished: boolean;
}

export function newTencentStreamDecoder(model: string): TencentDecodeState {
  return { model, started: false, calls: new Map(), nextCall: 0, finished: false };
}

export function decodeTencentStreamEvent(s: TencentDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const raw = streamEventObject(event.data);
  if (!raw) return out;
  const p = obj(raw.Response) ?? raw;
  const err = obj(p.Error);
  if (err) {
    out.push({ type: "error", error: tencentError(err) });
    return out;
  }
  if (!s.started) {
    s.started = true;
    out.push({
      type: "start",
      id: str(p.Id) ?? "",
      model: s.model,
      ...(num(p.Created) ? { created: num(p.Created) } : {}),
    });
  }
  const choice = obj(arr(p.Choices)[0]) ?? {};
  const delta = obj(choice.Delta) ?? {};
  if (typeof delta.ReasoningContent === "string" && delta.ReasoningContent) {
    out.push({ type: "reasoning", text: delta.ReasoningContent });
  }
  if (typeof delta.Content === "string" && delta.Content) out.push({ type: "text", text: delta.Content });
  for (const rawCall of arr(delta.ToolCalls)) {
    const c = obj(rawCall) ?? {};
    const fn = obj(c.Function) ?? {};
    const index = num(c.Index) ?? 0;
    let i = s.calls.get(index);
    if (i === undefined) {
      i = s.nextCall++;
      s.calls.set(index, i);
      out.push({ type: "tool_call_start", index: i, id: str(c.Id) ?? "", name: str(fn.Name) ?? "" });
    }
    if (typeof fn.Arguments === "string" && fn.Arguments) {
      out.push({ type: "tool_call_delta", index: i, arguments: fn.Arguments });
    }
  }
  const usage = obj(p.Usage);
  if (usage) out.push({ type: "usage", usage: usageOf(usage) });
  const finish = str(choice.FinishReason);
  if (finish && !s.finished) {
    s.finished = true;
    out.push({ type: "finish", reason: FINISH[finish] ?? "stop" });
  }
  return out;
}

export const tencentWire: WireCodec<TencentDecodeState> = {
  name: "tencent_hunyuan",
  semantic: "openai",
  encodeRequest: encodeTencentRequest,
  decodeResponse: decodeTencentResponse,
  newStreamDecoder: newTencentStreamDecoder,
  decodeStreamEvent: decodeTencentStreamEvent,
};
