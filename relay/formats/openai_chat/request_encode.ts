/** IR → OpenAI Chat request body, for OpenAI and OpenAI-compatible upstreams. */
import type { IrMessage, IrPart, IrRequest, IrTextPart } from "../ir.ts";
import { sourceToUrl } from "../media.ts";
import { effortForBudget, isOpenAiNonReasoningModel, isOpenAiReasoningModel } from "../reasoning.ts";
import { answerOrphanedCalls, refuseStoredState } from "../tool_pairing.ts";

type Json = Record<string, unknown>;

function joinText(parts: IrPart[]): string {
  return parts.filter((p): p is IrTextPart => p.type === "text").map((p) => p.text).join("");
}

function userPart(p: IrPart): Json | undefined {
  switch (p.type) {
    case "text":
      return { type: "text", text: p.text };
    case "image": {
      const url = sourceToUrl(p.source);
      return url
        ? { type: "image_url", image_url: { url, ...(p.detail ? { detail: p.detail } : {}) } }
        : undefined;
    }
    case "audio":
      return { type: "input_audio", input_audio: { data: p.data, format: p.format } };
    case "file": {
      const s = p.source;
      if (s.kind === "file_id") return { type: "file", file: { file_id: s.fileId } };
      if (s.kind === "url") return { type: "text", text: s.url };
      return {
        type: "file",
        file: { file_data: sourceToUrl(s), ...(p.filename ? { filename: p.filename } : {}) },
      };
    }
  }
  return undefined;
}

/** A string when the turn is plain text (what most compatible servers expect), else an array of parts. */
function userContent(parts: IrPart[]): string | Json[] {
  if (parts.every((p) => p.type === "text")) return joinText(parts);
  return parts.map(userPart).filter((p): p is Json => p !== undefined);
}

function encodeUser(m: IrMessage, out: Json[]): void {
  const rest: IrPart[] = [];
  const resultImages: IrPart[] = [];
  for (const p of m.content) {
    if (p.type !== "tool_result") {
      rest.push(p);
      continue;
    }
    out.push({ role: "tool", tool_call_id: p.callId, content: joinText(p.content) });
    // A tool message carries text only: images a tool returned follow in a user message.
    for (const c of p.content) if (c.type === "image") resultImages.push(c);
  }
  const after = [...resultImages, ...rest];
  if (after.length) out.push({ role: "user", content: userContent(after) });
}

function encodeAssistant(m: IrMessage): Json {
  const msg: Json = { role: "assistant" };
  const text = joinText(m.content);
  msg.content = text || null;
  // Reasoning text goes back only where it came from a Chat upstream (DeepSeek needs it on tool turns).
  const reasoning = m.content
    .filter((p) =>
      p.type === "reasoning" && !p.redacted && (p.origin === undefined || p.origin === "openai_chat")
    )
    .map((p) => (p as { text: string }).text)
    .join("");
  if (reasoning) msg.reasoning_content = reasoning;
  const calls = m.content.flatMap((p) =>
    p.type === "tool_call"
      ? [{ id: p.id, type: "function", function: { name: p.name, arguments: p.arguments || "{}" } }]
      : []
  );
  if (calls.length) msg.tool_calls = calls;
  return msg;
}

function encodeMessages(ir: IrRequest): Json[] {
  // o-series and gpt-5 take system prompts as `developer` (o1-mini and o1-preview predate the role).
  const developerModel = isOpenAiReasoningModel(ir.model) && !/o1-(mini|preview)/.test(ir.model);
  const out: Json[] = [];
  for (const m of answerOrphanedCalls(ir.messages)) {
    if (m.role === "system") {
      // Several system blocks (Claude, Gemini) become one string: compatible servers expect a string here.
      const text = m.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n\n");
      out.push({ role: m.developer || developerModel ? "developer" : "system", content: text });
    } else if (m.role === "user") encodeUser(m, out);
    else out.push(encodeAssistant(m));
  }
  return out;
}

export function encodeChatRequest(ir: IrRequest): Record<string, unknown> {
  refuseStoredState(ir);
  const body: Json = { model: ir.model, messages: encodeMessages(ir) };
  if (ir.stream) {
    body.stream = true;
    // Always ask for usage (§5.12); the encoder hides the extra chunk from a client that did not ask.
    body.stream_options = { include_usage: true };
  }
  if (ir.maxTokens !== undefined) {
    body[isOpenAiReasoningModel(ir.model) ? "max_completion_tokens" : "max_tokens"] = ir.maxTokens;
  }
  if (ir.temperature !== undefined) body.temperature = ir.temperature;
  if (ir.topP !== undefined) body.top_p = ir.topP;
  if (ir.stop?.length) body.stop = ir.stop;
  if (ir.presencePenalty !== undefined) body.presence_penalty = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) body.frequency_penalty = ir.frequencyPenalty;
  if (ir.seed !== undefined) body.seed = ir.seed;
  if (ir.tools?.length) {
    body.tools = ir.tools.map((t) => ({
      type: "function",
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.parameters ?? { type: "object", properties: {} },
        ...(t.strict !== undefined ? { strict: t.strict } : {}),
      },
    }));
  }
  const tc = ir.toolChoice;
  if (tc) body.tool_choice = tc.type === "tool" ? { type: "function", function: { name: tc.name } } : tc.type;
  if (ir.parallelToolCalls !== undefined && ir.tools?.length) body.parallel_tool_calls = ir.parallelToolCalls;
  // A Claude client's thinking must not break a gpt-4.1 channel; compatible servers get the effort.
  const r = isOpenAiNonReasoningModel(ir.model) ? undefined : ir.reasoning;
  if (r?.enabled) {
    body.reasoning_effort = r.effort ?? (r.budgetTokens ? effortForBudget(r.budgetTokens) : "medium");
  } else if (r && isOpenAiReasoningModel(ir.model)) {
    body.reasoning_effort = "none";
  }
  const rf = ir.responseFormat;
  if (rf?.type === "json_object") body.response_format = { type: "json_object" };
  if (rf?.type === "json_schema") {
    body.response_format = {
      type: "json_schema",
      json_schema: {
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
