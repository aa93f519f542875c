/**
 * OpenAI Responses request body → IR. The flat item list becomes turns: reasoning, assistant messages and
 * function calls of one model turn join one assistant message; outputs join one user turn, results first.
 */
import type { DecodeRequestContext } from "../codec.ts";
import { invalidRequest } from "../errors.ts";
import type { IrImagePart, IrMessage, IrPart, IrRequest, IrTextPart } from "../ir.ts";
import { sourceFromUrl } from "../media.ts";
import { asEffort } from "../reasoning.ts";
import { unwrapReasoningSignature, unwrapToolCallId } from "../signature.ts";
import { parseRequestBody } from "../validation.ts";
import {
  type ResponsesContentPart,
  type ResponsesItem,
  type ResponsesRequest,
  responsesRequestSchema,
} from "./schema.ts";

function decodeContentPart(p: ResponsesContentPart): IrPart | undefined {
  switch (p.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: p.text };
    case "refusal":
      return { type: "text", text: p.refusal };
    case "input_image": {
      const detail = p.detail ? { detail: p.detail } : {};
      if (p.image_url) return { type: "image", source: sourceFromUrl(p.image_url), ...detail };
      return p.file_id
        ? { type: "image", source: { kind: "file_id", fileId: p.file_id }, ...detail }
        : undefined;
    }
    case "input_file": {
      const name = p.filename ? { filename: p.filename } : {};
      if (p.file_data) return { type: "file", source: sourceFromUrl(p.file_data), ...name };
      if (p.file_url) return { type: "file", source: { kind: "url", url: p.file_url }, ...name };
      return p.file_id
        ? { type: "file", source: { kind: "file_id", fileId: p.file_id }, ...name }
        : undefined;
    }
    case "input_audio":
      return { type: "audio", data: p.input_audio.data, format: p.input_audio.format };
  }
  return undefined;
}

function decodeContent(content: string | ResponsesContentPart[]): IrPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map(decodeContentPart).filter((p): p is IrPart => p !== undefined);
}

function turn(messages: IrMessage[], role: "user" | "assistant"): IrMessage {
  const last = messages.at(-1);
  if (last?.role === role) return last;
  const m: IrMessage = { role, content: [] };
  messages.push(m);
  return m;
}

function resultTurn(messages: IrMessage[]): IrMessage {
  const last = messages.at(-1);
  if (last?.role === "user" && last.content.every((p) => p.type === "tool_result")) return last;
  const m: IrMessage = { role: "user", content: [] };
  messages.push(m);
  return m;
}

function decodeItem(it: ResponsesItem, messages: IrMessage[], path: string): void {
  switch (it.type) {
    case "message": {
      if (it.role === "system" || it.role === "developer") {
        messages.push({
          role: "system",
          content: decodeContent(it.content),
          ...(it.role === "developer" ? { developer: true } : {}),
        });
      } else if (it.role === "user") {
        const last = messages.at(-1);
        const open = last?.role === "user" && last.content[0]?.type === "tool_result";
        if (open) last.content.push(...decodeContent(it.content));
        else messages.push({ role: "user", content: decodeContent(it.content) });
      } else turn(messages, "assistant").content.push(...decodeContent(it.content));
      break;
    }
    case "reasoning": {
      const text = [...(it.summary ?? []), ...(it.content ?? [])].map((s) => s.text).join("\n\n");
      const sig = it.encrypted_content
        ? unwrapReasoningSignature("openai_responses", it.encrypted_content, it.id ?? undefined)
        : { origin: "openai_responses" as const, ...(it.id ? { id: it.id } : {}) };
      turn(messages, "assistant").content.push({ type: "reasoning", text, ...sig });
      break;
    }
    case "function_call": {
      const { id, signature, origin } = unwrapToolCallId(it.call_id);
      turn(messages, "assistant").content.push({
        type: "tool_call",
        id,
        name: it.name,
        arguments: it.arguments,
        ...(signature ? { signature, origin } : {}),
      });
      break;
    }
    case "function_call_output": {
      const content = typeof it.output === "string"
        ? [{ type: "text" as const, text: it.output }]
        : decodeContent(it.output).filter((p): p is IrTextPart | IrImagePart =>
          p.type === "text" || p.type === "image"
        );
      resultTurn(messages).content.push({
        type: "tool_result",
        callId: unwrapToolCallId(it.call_id).id,
        content,
      });
      break;
    }
    case "item_reference":
      throw invalidRequest(
        "item_reference needs a stored response, which this model's upstream cannot resolve",
        path,
      );
  }
}

export function decodeResponsesRequest(body: unknown, _ctx?: DecodeRequestContext): IrRequest {
  const req: ResponsesRequest = parseRequestBody(responsesRequestSchema, body);
  const messages: IrMessage[] = [];
  if (req.instructions) {
    messages.push({ role: "system", content: [{ type: "text", text: req.instructions }] });
  }
  if (typeof req.input === "string") {
    messages.push({ role: "user", content: [{ type: "text", text: req.input }] });
  } else req.input.forEach((it, i) => decodeItem(it, messages, `input[${i}]`));
  if (!messages.some((m) => m.role !== "system")) {
    throw invalidRequest("input: must contain at least one item", "input");
  }
  const ir: IrRequest = { model: req.model, messages, stream: req.stream === true };
  if (req.max_output_tokens != null) ir.maxTokens = req.max_output_tokens;
  if (req.temperature != null) ir.temperature = req.temperature;
  if (req.top_p != null) ir.topP = req.top_p;
  const tools = (req.tools ?? []).filter((t) => t.type === "function" && t.name).map((t) => ({
    name: t.name!,
    ...(t.description ? { description: t.description } : {}),
    ...(t.parameters ? { parameters: t.parameters } : {}),
    ...(t.strict != null ? { strict: t.strict } : {}),
  }));
  if (tools.length) ir.tools = tools;
  const tc = req.tool_choice;
  if (typeof tc === "string") ir.toolChoice = { type: tc };
  else if (tc?.type === "function" && tc.name) ir.toolChoice = { type: "tool", name: tc.name };
  if (req.parallel_tool_calls != null) ir.parallelToolCalls = req.parallel_tool_calls;
  const effort = asEffort(req.reasoning?.effort ?? undefined);
  if (effort) ir.reasoning = { enabled: true, effort };
  else if (req.reasoning?.effort === "none") ir.reasoning = { enabled: false };
  if (ir.reasoning?.enabled && req.reasoning?.summary) {
    ir.reasoning.summary = req.reasoning.summary;
    ir.reasoning.includeThoughts = true;
  }
  const f = req.text?.format;
  if (f?.type === "json_object") ir.responseFormat = { type: "json_object" };
  if (f?.type === "json_schema" && f.schema) {
    ir.responseFormat = {
      type: "json_schema",
      name: f.name ?? "response",
      schema: f.schema,
      ...(f.strict != null ? { strict: f.strict } : {}),
      ...(f.description ? { description: f.description } : {}),
    };
  }
  const user = req.user ?? req.safety_identifier;
  if (user) ir.user = user;
  if (req.metadata) ir.metadata = req.metadata;
  if (req.store != null) ir.store = req.store;
  if (req.previous_response_id) ir.previousResponseId = req.previous_response_id;
  return ir;
}
