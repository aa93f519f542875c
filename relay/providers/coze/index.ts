/**
 * Coze (type 49): a bot's v3 chat, `POST {base}/v3/chat` with a personal access token as bearer and the
 * bot id from the channel's `other` field, read from Coze's "Chat v3" API reference and New API's coze
 * adaptor. The conversation goes as `additional_messages` (user and assistant text; system prompts become
 * a user message first, tool results user text); `user_id` is the client's end-user id or a fresh one.
 *
 * The chat is always streamed (`stream: true`): the non-streaming form answers `in_progress` and needs
 * polling, so a client's non-stream request gets the stream read whole (`streamOnly`). Events:
 * `conversation.message.delta` (an `answer` message's `content` pieces; `reasoning_content` as
 * reasoning), `conversation.chat.completed` (the usage: `input_count`, `output_count`),
 * `conversation.chat.failed` (its `last_error`) and `error`; `done` ends the stream.
 */
import type { SseEvent } from "../../sse/event.ts";
import { RelayError } from "../../formats/errors.ts";
import type { IrRequest, IrResponse, IrStreamEvent, IrUsage } from "../../formats/ir.ts";
import {
  type JsonObject,
  num,
  obj,
  str,
  streamEventObject,
  tokenCount,
} from "../../formats/upstream_body.ts";
import { responseFromStreamText, type WireCodec } from "../../formats/wire.ts";
import type { ProviderSpec } from "../spec.ts";

export function encodeCozeRequest(ir: IrRequest): Record<string, unknown> {
  const additional: { role: string; content: string; content_type: string }[] = [];
  for (const m of ir.messages) {
    const text = m.content.flatMap((p) =>
      p.type === "text"
        ? [p.text]
        : p.type === "tool_result"
        ? p.content.flatMap((c) => (c.type === "text" ? [c.text] : []))
        : []
    ).join("\n");
    if (!text) continue;
    additional.push({
      role: m.role === "assistant" ? "assistant" : "user",
      content: text,
      content_type: "text",
    });
  }
  return {
    bot_id: "",
    user_id: ir.user || `newapi-${crypto.randomUUID()}`,
    stream: true,
    auto_save_history: true,
    additional_messages: additional,
  };
}

function usageOf(u: JsonObject): IrUsage {
  return {
    inputTokens: tokenCount(u.input_count),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(u.output_count),
    reasoningTokens: 0,
  };
}

function cozeError(e: JsonObject | undefined): RelayError {
  const code = num(e?.code) ?? 0;
  // Coze's codes: 4100 token invalid, 4101 no permission, 4200 bot not found, 4013/4019 rate and quota.
  const status = code === 4100 ? 401 : code === 4101 ? 403 : code === 4200 ? 404 : code === 4013 ? 429 : 500;
  return new RelayError(status, str(e?.msg) ?? "Coze reported an error", {
    code: String(code || "coze_error"),
  });
}

interface CozeDecodeState {
  model: string;
  started: boolean;
}

export function decodeCozeStreamEvent(s: CozeDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  if (event.event === "done") {
    out.push({ type: "end" });
    return out;
  }
  const p = streamEventObject(event.data);
  if (!p) return out;
  if (event.event === "error") {
    out.push({ type: "error", error: cozeError(p) });
    return out;
  }
  if (event.event === "conversation.chat.failed") {
    out.push({ type: "error", error: cozeError(obj(p.last_error)) });
    return out;
  }
  if (!s.started) {
    s.started = true;
    out.push({ type: "start", id: str(p.chat_id) ?? str(p.id) ?? "", model: s.model });
  }
  if (event.event === "conversation.message.delta" && (p.type === "answer" || p.type === undefined)) {
    if (typeof p.reasoning_content === "string" && p.reasoning_content) {
      out.push({ type: "reasoning", text: p.reasoning_content });
    }
    if (typeof p.content === "string" && p.content) out.push({ type: "text", text: p.content });
  } else if (event.event === "conversation.chat.completed") {
    const usage = obj(p.usage);
    if (usage) out.push({ type: "usage", usage: usageOf(usage) });
    out.push({ type: "finish", reason: "stop" });
  }
  return out;
}

/** A whole stream read as one answer (a client's non-stream request). */
export function decodeCozeResponse(body: unknown, model: string): IrResponse {
  if (typeof body !== "string") {
    // Coze answers errors before the stream as JSON: `{code, msg}`.
    const o = obj(body);
    throw o && typeof o.code === "number" ? cozeError(o) : new RelayError(502, "unreadable Coze answer", {
      code: "bad_response_body",
    });
  }
  const trimmed = body.trim();
  if (trimmed.startsWith("{")) {
    let o: JsonObject | undefined;
    try {
      o = obj(JSON.parse(trimmed));
    } catch { /* not JSON: read as a stream */ }
    if (o) throw cozeError(o);
  }
  return responseFromStreamText(cozeWire, body, model);
}

export const cozeWire: WireCodec<CozeDecodeState> = {
  name: "coze_v3",
  semantic: "openai",
  streamOnly: true,
  encodeRequest: encodeCozeRequest,
  decodeResponse: decodeCozeResponse,
  newStreamDecoder: (model) => ({ model, started: false }),
  decodeStreamEvent: decodeCozeStreamEvent,
};

export const cozeProvider: ProviderSpec = {
  name: "coze",
  types: [49],
  defaultBaseUrl: "https://api.coze.cn",
  dialects: ["openai_chat"],
  passthrough: new Set(),
  streamOptions: false,
  wire: cozeWire,
  url: (t) => `${t.baseUrl}/v3/chat`,
  headers: (_t, key) => ({ authorization: `Bearer ${key}` }),
  prepareBody(body, t) {
    body.bot_id = t.other.trim();
  },
};
