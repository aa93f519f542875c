/**
 * Xunfei Spark's chat frames (the WebSocket API, `wss://spark-api.xf-yun.com/{version}/chat`) as an upstream
 * wire format, read from Xunfei's "Spark Web API" reference (request `header`/`parameter.chat`/`payload`,
 * answer frames with `header.code`, `payload.choices.status` 2 on the last, `payload.usage.text`, function
 * calls) and New API's xunfei adaptor (system prompts become a user turn answered "Okay" except on models
 * ending in 3.5; the version's domain). Frames arrive as SSE events from `exchangeOverWebSocket`, so a
 * non-stream client's answer is the frames read whole (`streamOnly`).
 */
import type { SseEvent } from "../../sse/event.ts";
import { invalidRequest, RelayError } from "../../formats/errors.ts";
import type { IrRequest, IrResponse, IrStreamEvent, IrUsage } from "../../formats/ir.ts";
import {
  arr,
  type JsonObject,
  num,
  obj,
  str,
  streamEventObject,
  tokenCount,
} from "../../formats/upstream_body.ts";
import { chatTurns, responseFromStreamText, toolParameters, type WireCodec } from "../../formats/wire.ts";

type Json = Record<string, unknown>;

/** Spark's error codes → HTTP statuses (Xunfei's error code table). */
export function sparkErrorStatus(code: number): number {
  if (code === 10313 || code === 11200) return 401;
  if (code >= 11201 && code <= 11203) return 429;
  if (code === 10013 || code === 10014 || code === 10019) return 400;
  if (code === 10907 || (code >= 10160 && code <= 10163)) return 400;
  return 500;
}

/** The error a frame carries (`header.code` not 0), or undefined. */
export function sparkFrameError(frame: JsonObject): RelayError | undefined {
  const header = obj(frame.header) ?? {};
  const code = num(header.code) ?? 0;
  if (code === 0) return undefined;
  return new RelayError(sparkErrorStatus(code), str(header.message) ?? `Spark error ${code}`, {
    code: String(code),
  });
}

export function encodeSparkRequest(ir: IrRequest): Record<string, unknown> {
  const keepSystem = ir.model.endsWith("3.5");
  const text: Json[] = [];
  for (const t of chatTurns(ir)) {
    if (t.role === "system") {
      if (keepSystem) text.push({ role: "system", content: t.text });
      else text.push({ role: "user", content: t.text }, { role: "assistant", content: "Okay" });
    } else if (t.role === "assistant") {
      // Spark has no way to replay a call: the turn's text stays, its results follow as user text.
      if (t.text) text.push({ role: "assistant", content: t.text });
    } else if (t.role === "tool") {
      text.push({ role: "user", content: t.text });
    } else {
      if (t.parts.some((p) => p.type !== "text")) {
        throw invalidRequest("Spark's chat API takes text only");
      }
      if (t.text) text.push({ role: "user", content: t.text });
    }
  }
  const chat: Json = {};
  if (ir.temperature !== undefined) chat.temperature = ir.temperature;
  if (ir.topK !== undefined) chat.top_k = ir.topK;
  if (ir.maxTokens !== undefined) chat.max_tokens = ir.maxTokens;
  const payload: Json = { message: { text } };
  if (ir.tools?.length && ir.toolChoice?.type !== "none") {
    payload.functions = {
      text: ir.tools.map((t) => ({
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: toolParameters(t),
      })),
    };
  }
  // app_id comes from the key and domain from the version when the request is signed (index.ts).
  return {
    header: { app_id: "", ...(ir.user ? { uid: ir.user.slice(0, 32) } : {}) },
    parameter: { chat },
    payload,
  };
}

function usageOf(u: JsonObject): IrUsage {
  return {
    inputTokens: tokenCount(u.prompt_tokens),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(u.completion_tokens),
    reasoningTokens: 0,
  };
}

export interface SparkDecodeState {
  model: string;
  started: boolean;
  calls: number;
  finished: boolean;
}

export function decodeSparkStreamEvent(s: SparkDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const frame = streamEventObject(event.data);
  if (!frame) return out;
  const error = sparkFrameError(frame);
  if (error) return [{ type: "error", error }];
  if (!s.started) {
    s.started = true;
    out.push({ type: "start", id: str(obj(frame.header)?.sid) ?? "", model: s.model });
  }
  const payload = obj(frame.payload) ?? {};
  const choices = obj(payload.choices) ?? {};
  for (const raw of arr(choices.text)) {
    const item = obj(raw) ?? {};
    if (typeof item.reasoning_content === "string" && item.reasoning_content) {
      out.push({ type: "reasoning", text: item.reasoning_content });
    }
    if (typeof item.content === "string" && item.content) out.push({ type: "text", text: item.content });
    const call = obj(item.function_call);
    if (call) {
      const index = s.calls++;
      out.push({
        type: "tool_call_start",
        index,
        id: `call_${str(obj(frame.header)?.sid) ?? ""}_${index}`,
        name: str(call.name) ?? "",
      });
      const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {});
      out.push({ type: "tool_call_delta", index, arguments: args });
    }
  }
  const usage = obj(obj(payload.usage)?.text);
  if (usage) out.push({ type: "usage", usage: usageOf(usage) });
  if (num(choices.status) === 2 && !s.finished) {
    s.finished = true;
    out.push({ type: "finish", reason: s.calls ? "tool_calls" : "stop" });
  }
  return out;
}

const newSparkStreamDecoder = (model: string): SparkDecodeState => ({
  model,
  started: false,
  calls: 0,
  finished: false,
});

export const sparkWire: WireCodec<SparkDecodeState> = {
  name: "xunfei_spark",
  semantic: "openai",
  streamOnly: true,
  encodeRequest: encodeSparkRequest,
  decodeResponse(body: unknown, model: string): IrResponse {
    if (typeof body !== "string") {
      throw new RelayError(502, "unreadable Spark answer", { code: "bad_response_body" });
    }
    return responseFromStreamText(sparkWire, body, model);
  },
  newStreamDecoder: newSparkStreamDecoder,
  decodeStreamEvent: decodeSparkStreamEvent,
};
