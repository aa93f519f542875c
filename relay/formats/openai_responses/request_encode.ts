/**
 * IR → OpenAI Responses request body. Stateless by default (`store:false`, encrypted reasoning included),
 * so replayed reasoning items carry their `encrypted_content` and nothing depends on server-side state.
 */
import type { IrMessage, IrPart, IrRequest } from "../ir.ts";
import { sourceToUrl } from "../media.ts";
import { effortForBudget, isOpenAiNonReasoningModel, isOpenAiReasoningModel } from "../reasoning.ts";
import { answerOrphanedCalls } from "../tool_pairing.ts";

type Json = Record<string, unknown>;

function inputPart(p: IrPart, role: string): Json | undefined {
  switch (p.type) {
    case "text":
      return { type: role === "assistant" ? "output_text" : "input_text", text: p.text };
    case "image": {
      const detail = { detail: p.detail ?? "auto" };
      if (p.source.kind === "file_id") return { type: "input_image", file_id: p.source.fileId, ...detail };
      return { type: "input_image", image_url: sourceToUrl(p.source), ...detail };
    }
    case "file": {
      const s = p.source;
      const name = p.filename ? { filename: p.filename } : {};
      if (s.kind === "file_id") return { type: "input_file", file_id: s.fileId, ...name };
      if (s.kind === "url") return { type: "input_file", file_url: s.url, ...name };
      return { type: "input_file", file_data: sourceToUrl(s), filename: p.filename ?? "file" };
    }
    case "audio":
      return { type: "input_audio", input_audio: { data: p.data, format: p.format } };
  }
  return undefined;
}

function message(role: string, parts: IrPart[], out: Json[]): void {
  const content = parts.map((p) => inputPart(p, role)).filter((c): c is Json => c !== undefined);
  if (content.length) out.push({ type: "message", role, content });
}

function encodeAssistant(m: IrMessage, out: Json[]): void {
  let text: IrPart[] = [];
  const flush = () => {
    message("assistant", text, out);
    text = [];
  };
  for (const p of m.content) {
    if (p.type === "text") text.push(p);
    else if (p.type === "tool_call") {
      flush();
      out.push({ type: "function_call", call_id: p.id, name: p.name, arguments: p.arguments || "{}" });
    } else if (p.type === "reasoning" && p.origin === "openai_responses" && p.signature && p.id) {
      // Only encrypted items replay without stored state; others are dropped (§5.8).
      flush();
      out.push({
        type: "reasoning",
        id: p.id,
        summary: p.text ? [{ type: "summary_text", text: p.text }] : [],
        encrypted_content: p.signature,
      });
    }
  }
  flush();
}

function encodeUser(m: IrMessage, out: Json[]): void {
  const rest: IrPart[] = [];
  for (const p of m.content) {
    if (p.type !== "tool_result") {
      rest.push(p);
      continue;
    }
    const onlyText = p.content.every((c) => c.type === "text");
    const output = onlyText
      ? p.content.map((c) => (c.type === "text" ? c.text : "")).join("")
      : p.content.map((c) => inputPart(c, "user")).filter((c): c is Json => c !== undefined);
    out.push({ type: "function_call_output", call_id: p.callId, output });
  }
  message("user", rest, out);
}

function encodeInput(ir: IrRequest): { instructions?: string; input: Json[] } {
  const messages = answerOrphanedCalls(ir.messages);
  const input: Json[] = [];
  let instructions: string | undefined;
  let leading = true;
  for (const m of messages) {
    if (m.role === "system") {
      const text = m.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n\n");
      // Leading system text becomes `instructions` (re-sent on every call, §5.1); later ones stay in place.
      if (leading && !m.developer) instructions = instructions ? `${instructions}\n\n${text}` : text;
      else message(m.developer ? "developer" : "system", m.content, input);
      continue;
    }
    leading = false;
    if (m.role === "user") encodeUser(m, input);
    else encodeAssistant(m, input);
  }
  return { instructions, input };
}

export function encodeResponsesRequest(ir: IrRequest): Record<string, unknown> {
  const { instructions, input } = encodeInput(ir);
  const body: Json = { model: ir.model, input };
  if (instructions) body.instructions = instructions;
  if (ir.stream) body.stream = true;
  body.store = ir.store ?? false;
  if (ir.previousResponseId) body.previous_response_id = ir.previousResponseId;
  if (ir.maxTokens !== undefined) body.max_output_tokens = Math.max(16, ir.maxTokens);
  if (ir.temperature !== undefined) body.temperature = ir.temperature;
  if (ir.topP !== undefined) body.top_p = ir.topP;
  if (ir.tools?.length) {
    // Responses makes function tools strict unless told otherwise, which rejects most free-form schemas.
    body.tools = ir.tools.map((t) => ({
      type: "function",
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      parameters: t.parameters ?? { type: "object", properties: {} },
      strict: t.strict ?? false,
    }));
  }
  const tc = ir.toolChoice;
  if (tc) body.tool_choice = tc.type === "tool" ? { type: "function", name: tc.name } : tc.type;
  if (ir.parallelToolCalls !== undefined && ir.tools?.length) body.parallel_tool_calls = ir.parallelToolCalls;
  const r = isOpenAiNonReasoningModel(ir.model) ? undefined : ir.reasoning;
  if (r?.enabled) {
    const effort = r.effort ?? (r.budgetTokens ? effortForBudget(r.budgetTokens) : "medium");
    body.reasoning = { effort, summary: r.summary ?? "auto" };
    if (!body.store) body.include = ["reasoning.encrypted_content"];
  } else if (r && isOpenAiReasoningModel(ir.model)) body.reasoning = { effort: "none" };
  const rf = ir.responseFormat;
  if (rf?.type === "json_object") body.text = { format: { type: "json_object" } };
  if (rf?.type === "json_schema") {
    body.text = {
      format: {
        type: "json_schema",
        name: rf.name,
        schema: rf.schema,
        ...(rf.strict !== undefined ? { strict: rf.strict } : {}),
        ...(rf.description ? { description: rf.description } : {}),
      },
    };
  }
  if (ir.user) body.user = ir.user;
  if (ir.metadata) body.metadata = ir.metadata;
  return body;
}
