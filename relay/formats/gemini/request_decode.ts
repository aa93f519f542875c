/**
 * Gemini generateContent body → IR. Model and streaming come from the URL (ctx). Gemini call ids are
 * optional: missing ones are minted and function responses matched to calls by name and order (§5.4).
 */
import type { DecodeRequestContext } from "../codec.ts";
import { invalidRequest } from "../errors.ts";
import type { IrMessage, IrPart, IrReasoningConfig, IrRequest, IrToolChoice } from "../ir.ts";
import { asEffort } from "../reasoning.ts";
import { unwrapReasoningSignature, unwrapToolCallId } from "../signature.ts";
import { parseRequestBody } from "../validation.ts";
import { camelizeGeminiBody, type GeminiPart, type GeminiRequest, geminiRequestSchema } from "./schema.ts";

/** Gemini's OpenAPI-subset schemas spell types in capitals ("OBJECT"); JSON Schema wants lower case. */
export function openApiToJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiToJsonSchema);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === "type" && typeof v === "string" ? v.toLowerCase() : openApiToJsonSchema(v);
  }
  return out;
}

function resultText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value ?? {});
}

class CallMatcher {
  private pending: { id: string; name: string }[] = [];
  private minted = 0;

  call(id: string | null | undefined, name: string): string {
    const callId = id ? unwrapToolCallId(id).id : `call_gemini_${this.minted++}`;
    this.pending.push({ id: callId, name });
    return callId;
  }

  result(id: string | null | undefined, name: string): string {
    if (id) {
      const callId = unwrapToolCallId(id).id;
      this.pending = this.pending.filter((p) => p.id !== callId);
      return callId;
    }
    const at = this.pending.findIndex((p) => p.name === name);
    if (at < 0) return `call_gemini_${this.minted++}`;
    return this.pending.splice(at, 1)[0].id;
  }
}

function decodePart(p: GeminiPart, calls: CallMatcher): IrPart | undefined {
  if (p.functionCall) {
    const fc = p.functionCall;
    const unwrapped = fc.id ? unwrapToolCallId(fc.id) : undefined;
    const signature = unwrapped?.signature ?? p.thoughtSignature ?? undefined;
    return {
      type: "tool_call",
      id: calls.call(fc.id, fc.name),
      name: fc.name,
      arguments: JSON.stringify(fc.args ?? {}),
      ...(signature ? { signature, origin: unwrapped?.origin ?? "gemini" } : {}),
    };
  }
  if (p.functionResponse) {
    const fr = p.functionResponse;
    const response = fr.response ?? {};
    const isError = "error" in response && !("output" in response);
    const keys = Object.keys(response);
    const text = keys.length === 1 && (keys[0] === "output" || keys[0] === "error")
      ? resultText(response[keys[0]])
      : JSON.stringify(response);
    return {
      type: "tool_result",
      callId: calls.result(fr.id, fr.name),
      name: fr.name,
      content: [{ type: "text", text }],
      ...(isError ? { isError: true } : {}),
    };
  }
  if (p.inlineData) {
    const { mimeType, data } = p.inlineData;
    if (mimeType.startsWith("image/")) {
      return { type: "image", source: { kind: "base64", mediaType: mimeType, data } };
    }
    if (mimeType.startsWith("audio/")) {
      return { type: "audio", data, format: mimeType.slice(6).replace("mpeg", "mp3") };
    }
    return { type: "file", source: { kind: "base64", mediaType: mimeType, data } };
  }
  if (p.fileData) {
    const { mimeType, fileUri } = p.fileData;
    const source = { kind: "url" as const, url: fileUri, ...(mimeType ? { mediaType: mimeType } : {}) };
    return mimeType?.startsWith("image/") ? { type: "image", source } : { type: "file", source };
  }
  if (p.thought) {
    const sig = p.thoughtSignature ? unwrapReasoningSignature("gemini", p.thoughtSignature) : undefined;
    return { type: "reasoning", text: p.text ?? "", ...(sig ?? { origin: "gemini" }) };
  }
  if (typeof p.text === "string") return { type: "text", text: p.text };
  return undefined;
}

/** Streamed thoughts arrive as several parts; the signature on the last one signs them all. */
function pushPart(parts: IrPart[], part: IrPart): void {
  const last = parts.at(-1);
  if (
    part.type === "reasoning" && !part.redacted && last?.type === "reasoning" && !last.signature &&
    !last.redacted
  ) {
    parts[parts.length - 1] = { ...part, text: last.text + part.text };
    return;
  }
  parts.push(part);
}

function decodeReasoning(cfg: NonNullable<GeminiRequest["generationConfig"]>["thinkingConfig"]) {
  if (!cfg) return undefined;
  const r: IrReasoningConfig = { enabled: true };
  if (cfg.thinkingBudget === 0) return { enabled: false };
  if (cfg.thinkingBudget && cfg.thinkingBudget > 0) r.budgetTokens = cfg.thinkingBudget;
  const effort = asEffort(cfg.thinkingLevel ?? undefined);
  if (effort) r.effort = effort;
  if (cfg.includeThoughts != null) r.includeThoughts = cfg.includeThoughts;
  return r;
}

function decodeToolChoice(req: GeminiRequest): IrToolChoice | undefined {
  const cfg = req.toolConfig?.functionCallingConfig;
  switch (cfg?.mode?.toUpperCase()) {
    case "NONE":
      return { type: "none" };
    case "ANY": {
      const names = cfg.allowedFunctionNames ?? [];
      return names.length === 1 ? { type: "tool", name: names[0] } : { type: "required" };
    }
    case "AUTO":
    case "VALIDATED":
      return { type: "auto" };
  }
  return undefined;
}

export function decodeGeminiRequest(body: unknown, ctx: DecodeRequestContext = {}): IrRequest {
  const req = parseRequestBody(geminiRequestSchema, camelizeGeminiBody(body));
  const model = (ctx.model ?? "").replace(/^models\//, "");
  if (!model) throw invalidRequest("model is required in the URL path (models/{model}:generateContent)");
  const calls = new CallMatcher();
  const messages: IrMessage[] = [];
  const system = (req.systemInstruction?.parts ?? []).flatMap((
    p,
  ) => (p.text ? [{ type: "text" as const, text: p.text }] : []));
  if (system.length) messages.push({ role: "system", content: system });
  for (const c of req.contents) {
    const content: IrPart[] = [];
    for (const p of c.parts) {
      const part = decodePart(p, calls);
      if (part) pushPart(content, part);
    }
    messages.push({ role: c.role === "model" ? "assistant" : "user", content });
  }
  const ir: IrRequest = { model, messages, stream: ctx.stream === true };
  const g = req.generationConfig;
  if (g?.maxOutputTokens != null) ir.maxTokens = g.maxOutputTokens;
  if (g?.temperature != null) ir.temperature = g.temperature;
  if (g?.topP != null) ir.topP = g.topP;
  if (g?.topK != null) ir.topK = g.topK;
  if (g?.stopSequences?.length) ir.stop = g.stopSequences;
  if (g?.presencePenalty != null) ir.presencePenalty = g.presencePenalty;
  if (g?.frequencyPenalty != null) ir.frequencyPenalty = g.frequencyPenalty;
  if (g?.seed != null) ir.seed = g.seed;
  if (g?.responseMimeType === "application/json") {
    const schema = g.responseJsonSchema ?? (g.responseSchema && openApiToJsonSchema(g.responseSchema));
    ir.responseFormat = schema
      ? { type: "json_schema", name: "response", schema: schema as Record<string, unknown> }
      : { type: "json_object" };
  }
  const reasoning = decodeReasoning(g?.thinkingConfig);
  if (reasoning) ir.reasoning = reasoning;
  const tools = (req.tools ?? []).flatMap((t) => t.functionDeclarations ?? []).map((d) => {
    const parameters = d.parametersJsonSchema ?? (d.parameters && openApiToJsonSchema(d.parameters));
    return {
      name: d.name,
      ...(d.description ? { description: d.description } : {}),
      ...(parameters ? { parameters: parameters as Record<string, unknown> } : {}),
    };
  });
  if (tools.length) ir.tools = tools;
  const toolChoice = decodeToolChoice(req);
  if (toolChoice) ir.toolChoice = toolChoice;
  return ir;
}
