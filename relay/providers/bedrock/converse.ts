/**
 * Amazon Bedrock's Converse API (`POST /model/{modelId}/converse`, `/converse-stream`) as an upstream wire
 * format: IR requests → Converse bodies, Converse answers and ConverseStream events → IR. Read from the
 * Bedrock API reference (Converse, ConverseStream, ContentBlock, ContentBlockDelta, TokenUsage) and the AWS
 * SDK's `bedrockruntime` types. The stream's events arrive through `eventstream.ts`: `event` is the
 * message's `:event-type` (messageStart, contentBlockStart, contentBlockDelta, contentBlockStop,
 * messageStop, metadata) or `exception`.
 *
 * Usage: `inputTokens` excludes the cache (`cacheReadInputTokens`, `cacheWriteInputTokens` are apart, as in
 * Claude's API), so it is read with Claude's semantics. The stream sends `metadata` (usage) after
 * `messageStop`; the finish is held until then so every client sees usage before its terminator.
 */
import type { SseEvent } from "../../sse/event.ts";
import { errorFromStreamPayload, invalidRequest, RelayError } from "../../formats/errors.ts";
import type {
  IrFinishReason,
  IrOutputPart,
  IrPart,
  IrRequest,
  IrResponse,
  IrStreamEvent,
  IrUsage,
} from "../../formats/ir.ts";
import { claudeBudgetForEffort } from "../../formats/reasoning.ts";
import { toolArgumentsObject, toolArgumentsText } from "../../formats/tool_args.ts";
import {
  arr,
  type JsonObject,
  num,
  obj,
  str,
  streamEventObject,
  tokenCount,
  upstreamObject,
} from "../../formats/upstream_body.ts";
import { type ChatTurn, chatTurns, toolParameters, type WireCodec } from "../../formats/wire.ts";

type Json = Record<string, unknown>;

const IMAGE_FORMATS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const DOC_FORMATS: Record<string, string> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};

/** Converse tool ids and document names are restricted; ids keep to `[a-zA-Z0-9_-]`. */
function toolId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64) || "tool";
}

const isClaude = (model: string) => /(^|\.)anthropic\.|claude/.test(model);

function encodePart(p: IrPart, claude: boolean): Json[] {
  const cache = "cacheControl" in p && p.cacheControl ? [{ cachePoint: { type: "default" } }] : [];
  switch (p.type) {
    case "text":
      return p.text ? [{ text: p.text }, ...cache] : [];
    case "image": {
      if (p.source.kind !== "base64") {
        throw invalidRequest("Bedrock takes images as inline base64 data, not URLs or file ids");
      }
      const format = IMAGE_FORMATS[p.source.mediaType.toLowerCase()];
      if (!format) throw invalidRequest(`Bedrock does not take ${p.source.mediaType} images`);
      return [{ image: { format, source: { bytes: p.source.data } } }, ...cache];
    }
    case "file": {
      const s = p.source;
      if (s.kind !== "base64") throw invalidRequest("Bedrock takes documents as inline base64 data");
      if (IMAGE_FORMATS[s.mediaType.toLowerCase()]) {
        return encodePart({ type: "image", source: s, cacheControl: p.cacheControl }, claude);
      }
      const format = DOC_FORMATS[s.mediaType.toLowerCase()];
      if (!format) throw invalidRequest(`Bedrock does not take ${s.mediaType} documents`);
      // Document names: letters, digits, spaces, hyphens, parentheses and brackets.
      const name = (p.filename ?? "document").replace(/[^A-Za-z0-9 ()[\]-]/g, " ").trim() || "document";
      return [{ document: { format, name, source: { bytes: s.data } } }, ...cache];
    }
    case "audio":
      throw invalidRequest("audio input is not supported by Bedrock's Converse API");
    case "reasoning":
      // Bedrock's Claude signs its reasoning like Claude; blocks from other providers cannot be replayed.
      if (!claude || p.origin !== "claude" || !p.signature) return [];
      return [
        p.redacted
          ? { reasoningContent: { redactedContent: p.signature } }
          : { reasoningContent: { reasoningText: { text: p.text, signature: p.signature } } },
      ];
    case "tool_call":
      return [{
        toolUse: { toolUseId: toolId(p.id), name: p.name, input: toolArgumentsObject(p.arguments) },
      }];
    case "tool_result": {
      const content = p.content.flatMap((c) => encodePart(c, claude)).filter((c) => !("cachePoint" in c));
      return [
        {
          toolResult: {
            toolUseId: toolId(p.callId),
            content: content.length ? content : [{ text: "" }],
            ...(p.isError ? { status: "error" } : {}),
          },
        },
        ...cache,
      ];
    }
  }
}

interface Turn {
  role: "user" | "assistant";
  content: Json[];
}

function encodeTurns(chat: ChatTurn[], claude: boolean): Turn[] {
  const turns: Turn[] = [];
  for (const t of chat) {
    if (t.role === "system") continue;
    const role = t.role === "assistant" ? "assistant" : "user";
    const content = t.role === "tool"
      ? encodePart(t.result, claude)
      : t.parts.flatMap((p) => encodePart(p, claude));
    if (!content.length) continue;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  }
  // Tool results open their user turn, as Claude on Bedrock requires.
  for (const t of turns) {
    if (t.role === "user" && t.content.some((b) => "toolResult" in b)) {
      t.content = [
        ...t.content.filter((b) => "toolResult" in b),
        ...t.content.filter((b) => !("toolResult" in b)),
      ];
    }
  }
  return turns;
}

export function encodeConverseRequest(ir: IrRequest): Record<string, unknown> {
  const claude = isClaude(ir.model);
  const chat = chatTurns(ir);
  const system = chat.flatMap((t) =>
    t.role !== "system"
      ? []
      : t.parts.flatMap((p) =>
        p.type === "text" && p.text
          ? [{ text: p.text }, ...(p.cacheControl ? [{ cachePoint: { type: "default" } }] : [])]
          : []
      )
  );
  const body: Json = { messages: encodeTurns(chat, claude) };
  if (system.length) body.system = system;
  const inference: Json = {};
  if (ir.maxTokens !== undefined) inference.maxTokens = ir.maxTokens;
  else if (claude) inference.maxTokens = 8192;
  if (ir.temperature !== undefined) inference.temperature = ir.temperature;
  if (ir.topP !== undefined) inference.topP = ir.topP;
  if (ir.stop?.length) inference.stopSequences = ir.stop.slice(0, 4);
  const extra: Json = {};
  if (ir.topK !== undefined) extra[claude ? "top_k" : "topK"] = ir.topK;
  const r = ir.reasoning;
  const forcedTool = ir.toolChoice?.type === "required" || ir.toolChoice?.type === "tool";
  if (claude && r?.enabled && !forcedTool) {
    const max = (inference.maxTokens as number | undefined) ?? 8192;
    if (max < 1280) inference.maxTokens = 1280;
    const wanted = r.budgetTokens ?? claudeBudgetForEffort(r.effort ?? "medium");
    extra.thinking = {
      type: "enabled",
      budget_tokens: Math.max(1024, Math.min(wanted, (inference.maxTokens as number) - 1)),
    };
    // Extended thinking takes temperature 1 only, no top_k.
    delete inference.temperature;
    delete extra.top_k;
  }
  if (Object.keys(inference).length) body.inferenceConfig = inference;
  if (Object.keys(extra).length) body.additionalModelRequestFields = extra;
  if (ir.tools?.length && ir.toolChoice?.type !== "none") {
    const tools: Json[] = ir.tools.map((t) => ({
      toolSpec: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        inputSchema: { json: toolParameters(t) },
      },
    }));
    if (ir.tools.some((t) => t.cacheControl)) tools.push({ cachePoint: { type: "default" } });
    const toolConfig: Json = { tools };
    const tc = ir.toolChoice;
    if (tc?.type === "required") toolConfig.toolChoice = { any: {} };
    else if (tc?.type === "tool") toolConfig.toolChoice = { tool: { name: tc.name } };
    else if (tc?.type === "auto") toolConfig.toolChoice = { auto: {} };
    body.toolConfig = toolConfig;
  }
  if (ir.metadata && Object.keys(ir.metadata).length) body.requestMetadata = ir.metadata;
  return body;
}

const STOP_REASONS: Record<string, IrFinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop_sequence",
  max_tokens: "length",
  model_context_window_exceeded: "context_length",
  tool_use: "tool_calls",
  guardrail_intervened: "content_filter",
  content_filtered: "content_filter",
};

function finishOf(reason: unknown): IrFinishReason {
  return STOP_REASONS[String(reason)] ?? "stop";
}

export function converseUsage(u: JsonObject): IrUsage {
  return {
    inputTokens: tokenCount(u.inputTokens),
    cacheReadTokens: tokenCount(u.cacheReadInputTokens),
    cacheWriteTokens: tokenCount(u.cacheWriteInputTokens),
    outputTokens: tokenCount(u.outputTokens),
    reasoningTokens: 0,
  };
}

function decodeBlock(b: JsonObject): IrOutputPart | undefined {
  if (typeof b.text === "string") return { type: "text", text: b.text };
  const use = obj(b.toolUse);
  if (use) {
    return {
      type: "tool_call",
      id: str(use.toolUseId) ?? "",
      name: str(use.name) ?? "",
      arguments: toolArgumentsText(use.input),
    };
  }
  const reasoning = obj(b.reasoningContent);
  if (reasoning) {
    const text = obj(reasoning.reasoningText);
    if (text) {
      return {
        type: "reasoning",
        text: str(text.text) ?? "",
        ...(str(text.signature) ? { origin: "claude" as const, signature: str(text.signature) } : {}),
      };
    }
    const redacted = str(reasoning.redactedContent);
    if (redacted) {
      return { type: "reasoning", text: "", origin: "claude", signature: redacted, redacted: true };
    }
  }
  return undefined;
}

function newId(): string {
  return `msg_bdrk_${crypto.randomUUID().replaceAll("-", "")}`;
}

export function decodeConverseResponse(body: unknown, model: string): IrResponse {
  const o = upstreamObject(body, "Converse answer");
  const message = obj(obj(o.output)?.message);
  if (!message) {
    throw new RelayError(502, "upstream answered without output.message", { code: "bad_response_body" });
  }
  const content = arr(message.content).flatMap((b) => {
    const part = obj(b) && decodeBlock(obj(b)!);
    return part ? [part] : [];
  });
  const usage = obj(o.usage);
  return {
    id: newId(),
    model,
    content,
    finishReason: finishOf(o.stopReason),
    ...(usage ? { usage: converseUsage(usage) } : {}),
  };
}

export interface ConverseDecodeState {
  model: string;
  started: boolean;
  /** contentBlockIndex → IR tool call index. */
  calls: Map<number, number>;
  nextCall: number;
  finish?: IrFinishReason;
  finished: boolean;
}

export function newConverseStreamDecoder(model: string): ConverseDecodeState {
  return { model, started: false, calls: new Map(), nextCall: 0, finished: false };
}

export function decodeConverseStreamEvent(s: ConverseDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const payload = streamEventObject(event.data);
  if (!payload) return out;
  if (event.event === "exception") {
    out.push({ type: "error", error: errorFromStreamPayload(payload) });
    return out;
  }
  if (!s.started) {
    s.started = true;
    out.push({ type: "start", id: newId(), model: s.model });
  }
  const index = num(payload.contentBlockIndex) ?? 0;
  switch (event.event) {
    case "contentBlockStart": {
      const use = obj(obj(payload.start)?.toolUse);
      if (use) {
        const call = s.nextCall++;
        s.calls.set(index, call);
        out.push({
          type: "tool_call_start",
          index: call,
          id: str(use.toolUseId) ?? "",
          name: str(use.name) ?? "",
        });
      }
      break;
    }
    case "contentBlockDelta": {
      const delta = obj(payload.delta) ?? {};
      if (typeof delta.text === "string") out.push({ type: "text", text: delta.text });
      const use = obj(delta.toolUse);
      if (use && typeof use.input === "string") {
        const call = s.calls.get(index);
        if (call !== undefined) out.push({ type: "tool_call_delta", index: call, arguments: use.input });
      }
      const reasoning = obj(delta.reasoningContent);
      if (reasoning) {
        if (typeof reasoning.text === "string") out.push({ type: "reasoning", text: reasoning.text });
        if (typeof reasoning.signature === "string") {
          out.push({ type: "reasoning_signature", signature: reasoning.signature, origin: "claude" });
        }
        if (typeof reasoning.redactedContent === "string") {
          out.push({ type: "redacted_reasoning", data: reasoning.redactedContent, origin: "claude" });
        }
      }
      break;
    }
    case "messageStop":
      s.finish = finishOf(payload.stopReason);
      break;
    case "metadata": {
      const usage = obj(payload.usage);
      if (usage) out.push({ type: "usage", usage: converseUsage(usage) });
      if (s.finish && !s.finished) {
        s.finished = true;
        out.push({ type: "finish", reason: s.finish });
      }
      break;
    }
  }
  return out;
}

export const converseWire: WireCodec<ConverseDecodeState> = {
  name: "bedrock_converse",
  semantic: "anthropic",
  streamContentType: "application/vnd.amazon.eventstream",
  encodeRequest: encodeConverseRequest,
  decodeResponse: decodeConverseResponse,
  newStreamDecoder: newConverseStreamDecoder,
  decodeStreamEvent: decodeConverseStreamEvent,
};
