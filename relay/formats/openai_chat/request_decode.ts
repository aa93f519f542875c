/** OpenAI Chat request body → IR. `tool` messages fold into one user turn, results first (§5.2). */
import type { DecodeRequestContext } from "../codec.ts";
import type {
  IrMessage,
  IrPart,
  IrRequest,
  IrResponseFormat,
  IrTextPart,
  IrToolChoice,
  IrToolResultPart,
} from "../ir.ts";
import { sourceFromUrl } from "../media.ts";
import { asEffort } from "../reasoning.ts";
import { unwrapToolCallId } from "../signature.ts";
import { parseRequestBody } from "../validation.ts";
import { type ChatRequest, chatRequestSchema } from "./schema.ts";

type ChatMessage = ChatRequest["messages"][number];
type UserContent = Extract<ChatMessage, { role: "user" }>["content"];
type AssistantMessage = Extract<ChatMessage, { role: "assistant" }>;

function textParts(content: string | { text: string }[]): IrTextPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map((p) => ({ type: "text", text: p.text }));
}

function userParts(content: UserContent): IrPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map((p): IrPart => {
    switch (p.type) {
      case "text":
        return { type: "text", text: p.text };
      case "image_url":
        return {
          type: "image",
          source: sourceFromUrl(p.image_url.url),
          ...(p.image_url.detail ? { detail: p.image_url.detail } : {}),
        };
      case "input_audio":
        return { type: "audio", data: p.input_audio.data, format: p.input_audio.format };
      case "file": {
        const f = p.file;
        const source = f.file_data
          ? sourceFromUrl(f.file_data)
          : { kind: "file_id" as const, fileId: f.file_id ?? "" };
        return { type: "file", source, ...(f.filename ? { filename: f.filename } : {}) };
      }
    }
  });
}

function assistantParts(m: AssistantMessage): IrPart[] {
  const parts: IrPart[] = [];
  const reasoning = m.reasoning_content ?? m.reasoning;
  if (reasoning) parts.push({ type: "reasoning", text: reasoning, origin: "openai_chat" });
  if (typeof m.content === "string") {
    if (m.content) parts.push({ type: "text", text: m.content });
  } else if (m.content) {
    for (const p of m.content) parts.push({ type: "text", text: p.type === "text" ? p.text : p.refusal });
  }
  if (m.refusal) parts.push({ type: "text", text: m.refusal });
  for (const call of m.tool_calls ?? []) {
    const { id, signature, origin } = unwrapToolCallId(call.id);
    parts.push({
      type: "tool_call",
      id,
      name: call.function.name,
      arguments: call.function.arguments ?? "",
      ...(signature ? { signature, origin } : {}),
    });
  }
  return parts;
}

/** The user turn that tool results (and the user text right after them) belong to, if the last one is. */
function openResultTurn(messages: IrMessage[]): IrMessage | undefined {
  const last = messages.at(-1);
  return last?.role === "user" && last.content[0]?.type === "tool_result" ? last : undefined;
}

function decodeMessages(list: ChatMessage[]): IrMessage[] {
  const messages: IrMessage[] = [];
  for (const m of list) {
    switch (m.role) {
      case "system":
      case "developer":
        messages.push({
          role: "system",
          content: textParts(m.content),
          ...(m.role === "developer" ? { developer: true } : {}),
        });
        break;
      case "user": {
        const turn = openResultTurn(messages);
        if (turn) turn.content.push(...userParts(m.content));
        else messages.push({ role: "user", content: userParts(m.content) });
        break;
      }
      case "assistant":
        messages.push({ role: "assistant", content: assistantParts(m) });
        break;
      case "tool": {
        const result: IrToolResultPart = {
          type: "tool_result",
          callId: unwrapToolCallId(m.tool_call_id).id,
          content: textParts(m.content),
        };
        const turn = openResultTurn(messages);
        if (turn && turn.content.every((p) => p.type === "tool_result")) turn.content.push(result);
        else messages.push({ role: "user", content: [result] });
        break;
      }
    }
  }
  return messages;
}

function decodeToolChoice(choice: ChatRequest["tool_choice"]): IrToolChoice | undefined {
  if (!choice) return undefined;
  if (typeof choice === "string") return { type: choice };
  return { type: "tool", name: choice.function.name };
}

function decodeResponseFormat(rf: ChatRequest["response_format"]): IrResponseFormat | undefined {
  if (!rf || rf.type === "text") return undefined;
  if (rf.type === "json_object") return { type: "json_object" };
  const js = rf.json_schema;
  return {
    type: "json_schema",
    name: js.name ?? "response",
    schema: js.schema ?? {},
    ...(js.strict != null ? { strict: js.strict } : {}),
    ...(js.description ? { description: js.description } : {}),
  };
}

export function decodeChatRequest(body: unknown, _ctx?: DecodeRequestContext): IrRequest {
  const req = parseRequestBody(chatRequestSchema, body);
  const ir: IrRequest = {
    model: req.model,
    messages: decodeMessages(req.messages),
    stream: req.stream === true,
  };
  if (ir.stream && req.stream_options?.include_usage) ir.includeUsage = true;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) ir.maxTokens = maxTokens;
  if (req.temperature != null) ir.temperature = req.temperature;
  if (req.top_p != null) ir.topP = req.top_p;
  if (req.top_k != null) ir.topK = req.top_k;
  if (req.stop != null) ir.stop = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.presence_penalty != null) ir.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) ir.frequencyPenalty = req.frequency_penalty;
  if (req.seed != null) ir.seed = req.seed;
  const tools = (req.tools ?? []).filter((t) => t.type === "function" && t.function).map((t) => {
    const f = t.function!;
    return {
      name: f.name,
      ...(f.description ? { description: f.description } : {}),
      ...(f.parameters ? { parameters: f.parameters } : {}),
      ...(f.strict != null ? { strict: f.strict } : {}),
    };
  });
  if (tools.length) ir.tools = tools;
  const toolChoice = decodeToolChoice(req.tool_choice);
  if (toolChoice) ir.toolChoice = toolChoice;
  if (req.parallel_tool_calls != null) ir.parallelToolCalls = req.parallel_tool_calls;
  const effort = asEffort(req.reasoning_effort ?? undefined);
  if (effort) ir.reasoning = { enabled: true, effort };
  else if (req.reasoning_effort === "none") ir.reasoning = { enabled: false };
  const rf = decodeResponseFormat(req.response_format);
  if (rf) ir.responseFormat = rf;
  if (req.user) ir.user = req.user;
  if (req.metadata) ir.metadata = req.metadata;
  return ir;
}
