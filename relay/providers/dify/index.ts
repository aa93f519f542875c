/**
 * Dify (type 37): a Dify app's chat API, `POST {base}/v1/chat-messages` with the app key as a bearer token.
 * Read from Dify's "Chat App API" reference and New API's dify adaptor: the conversation is sent as one
 * `query` (`SYSTEM:` / `USER:` / `ASSISTANT:` sections, as New API writes it), `inputs` empty,
 * `response_mode` `blocking` (one JSON answer with `answer` and `metadata.usage`) or `streaming` (SSE
 * `data:` events: `message`/`agent_message` carry `answer` pieces, `agent_thought` the agent's thought,
 * `message_end` the usage, `error` a failure; ping events are skipped, workflow and node events become
 * reasoning lines under DIFY_DEBUG). `user` is the
 * client's end-user id or the request's id.
 */
import type { SseEvent } from "../../sse/event.ts";
import { invalidRequest, RelayError } from "../../formats/errors.ts";
import type { IrOutputPart, IrRequest, IrResponse, IrStreamEvent, IrUsage } from "../../formats/ir.ts";
import {
  type JsonObject,
  num,
  obj,
  str,
  streamEventObject,
  tokenCount,
  upstreamObject,
} from "../../formats/upstream_body.ts";
import type { WireCodec } from "../../formats/wire.ts";
import type { ProviderSpec } from "../spec.ts";

const ROLE_LABEL = { system: "SYSTEM", user: "USER", assistant: "ASSISTANT" } as const;

export function encodeDifyRequest(ir: IrRequest): Record<string, unknown> {
  let query = "";
  for (const m of ir.messages) {
    for (const p of m.content) {
      if (p.type === "text" && p.text) query += `${ROLE_LABEL[m.role]}: \n${p.text}\n`;
      else if (p.type === "tool_result") {
        query += `USER: \n${p.content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n")}\n`;
      } else if (p.type === "image" || p.type === "file" || p.type === "audio") {
        throw invalidRequest("this Dify channel takes text only");
      }
    }
  }
  return {
    inputs: {},
    query,
    response_mode: ir.stream ? "streaming" : "blocking",
    user: ir.user || `newapi-${crypto.randomUUID()}`,
    auto_generate_name: false,
  };
}

function usageOf(metadata: unknown): IrUsage | undefined {
  const u = obj(obj(metadata)?.usage);
  if (!u) return undefined;
  return {
    inputTokens: tokenCount(u.prompt_tokens),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(u.completion_tokens),
    reasoningTokens: 0,
  };
}

function difyError(p: JsonObject, fallback: number): RelayError {
  const status = num(p.status) ?? fallback;
  return new RelayError(
    status >= 400 && status < 600 ? status : fallback,
    str(p.message) ?? "Dify reported an error",
    {
      code: str(p.code) ?? "upstream_error",
    },
  );
}

export function decodeDifyResponse(body: unknown, model: string): IrResponse {
  const o = upstreamObject(body, "Dify answer");
  if (o.event === "error" || (typeof o.code === "string" && typeof o.answer !== "string")) {
    throw difyError(o, 502);
  }
  const content: IrOutputPart[] = typeof o.answer === "string" ? [{ type: "text", text: o.answer }] : [];
  const usage = usageOf(o.metadata);
  return {
    id: str(o.message_id) ?? str(o.id) ?? "",
    model,
    ...(num(o.created_at) ? { created: num(o.created_at) } : {}),
    content,
    finishReason: "stop",
    ...(usage ? { usage } : {}),
  };
}

interface DifyDecodeState {
  model: string;
  started: boolean;
  /** DIFY_DEBUG: workflow/node events become reasoning lines. */
  debug: boolean;
}

/** New API's debug lines: `Workflow: {id}` / `Node: {type}`, with the status when the step finished. */
function debugLine(type: string, p: JsonObject): string | undefined {
  const data = obj(p.data) ?? {};
  const status = str(data.status);
  if (type.startsWith("workflow_")) {
    return `Workflow: ${str(data.workflow_id) ?? ""}${
      type === "workflow_finished" && status ? ` ${status}` : ""
    }\n`;
  }
  if (type.startsWith("node_")) {
    return `Node: ${str(data.node_type) ?? ""}${type === "node_finished" && status ? ` ${status}` : ""}\n`;
  }
  return undefined;
}

export function decodeDifyStreamEvent(s: DifyDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const p = streamEventObject(event.data);
  if (!p) return out;
  const type = str(p.event) ?? "";
  if (type === "ping") return out;
  if (type === "error") {
    out.push({ type: "error", error: difyError(p, 500) });
    return out;
  }
  if (!s.started) {
    s.started = true;
    out.push({ type: "start", id: str(p.message_id) ?? str(p.task_id) ?? "", model: s.model });
  }
  if ((type === "message" || type === "agent_message") && typeof p.answer === "string" && p.answer) {
    out.push({ type: "text", text: p.answer });
  } else if (s.debug && (type.startsWith("workflow_") || type.startsWith("node_"))) {
    out.push({ type: "reasoning", text: debugLine(type, p)! });
  } else if (type === "agent_thought" && typeof p.thought === "string" && p.thought) {
    out.push({ type: "reasoning", text: p.thought });
  } else if (type === "message_end") {
    const usage = usageOf(p.metadata);
    if (usage) out.push({ type: "usage", usage });
    out.push({ type: "finish", reason: "stop" });
    out.push({ type: "end" });
  }
  return out;
}

function difyWireWith(debug: boolean): WireCodec<DifyDecodeState> {
  return {
    name: "dify",
    semantic: "openai",
    encodeRequest: encodeDifyRequest,
    decodeResponse: decodeDifyResponse,
    newStreamDecoder: (model) => ({ model, started: false, debug }),
    decodeStreamEvent: decodeDifyStreamEvent,
  };
}

export const difyWire = difyWireWith(false);
const difyDebugWire = difyWireWith(true);

export const difyProvider: ProviderSpec = {
  name: "dify",
  types: [37],
  defaultBaseUrl: "https://api.dify.ai",
  dialects: ["openai_chat"],
  passthrough: new Set(),
  streamOptions: false,
  wire: difyWire,
  // DIFY_DEBUG (default on, as New API): workflow and node events reach the client as reasoning.
  wireFor: (env) => env.difyDebug === false ? difyWire : difyDebugWire,
  url: (t) => `${t.baseUrl}/v1/chat-messages`,
  headers: (_t, key) => ({ authorization: `Bearer ${key}` }),
};
