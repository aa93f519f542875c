/**
 * IR → Gemini generateContent body (model and `:streamGenerateContent?alt=sse` go in the URL, taken from
 * the IR by the provider). Roles are user/model only; signatures are replayed on the part that carried
 * them (§5.9); JSON schemas go as `parametersJsonSchema`/`responseJsonSchema` (§5.16).
 */
import type { IrMessage, IrPart, IrRequest } from "../ir.ts";
import { guessMediaType } from "../media.ts";
import {
  clampGeminiBudget,
  gemini3Level,
  geminiBudgetForEffort,
  geminiCanDisableThinking,
  isGemini3,
} from "../reasoning.ts";
import { toolArgumentsObject } from "../tool_args.ts";
import { answerOrphanedCalls, refuseStoredState } from "../tool_pairing.ts";

type Json = Record<string, unknown>;

/** Google's documented stand-in for a call whose signature was lost (history from another model). */
export const DUMMY_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

function mediaPart(source: IrPart & { type: "image" | "file" }, fallbackType: string): Json | undefined {
  const s = source.source;
  if (s.kind === "base64") return { inlineData: { mimeType: s.mediaType, data: s.data } };
  if (s.kind === "url") {
    return { fileData: { mimeType: s.mediaType ?? guessMediaType(s.url, fallbackType), fileUri: s.url } };
  }
  return undefined;
}

function encodePart(p: IrPart, names: Map<string, string>): Json | undefined {
  switch (p.type) {
    case "text":
      return p.text ? { text: p.text } : undefined;
    case "image":
      return mediaPart(p, "image/jpeg");
    case "file":
      return mediaPart(p, "application/pdf");
    case "audio":
      return { inlineData: { mimeType: `audio/${p.format === "mp3" ? "mpeg" : p.format}`, data: p.data } };
    case "reasoning":
      // Gemini's own thoughts go back with their signature; other providers' reasoning is dropped (§5.8).
      if (p.origin !== "gemini") return undefined;
      return { text: p.text, thought: true, ...(p.signature ? { thoughtSignature: p.signature } : {}) };
    case "tool_call":
      return {
        functionCall: { name: p.name, args: toolArgumentsObject(p.arguments) },
        ...(p.origin === "gemini" && p.signature ? { thoughtSignature: p.signature } : {}),
      };
    case "tool_result": {
      const text = p.content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("");
      const name = p.name ?? names.get(p.callId) ?? "function";
      return { functionResponse: { name, response: p.isError ? { error: text } : { output: text } } };
    }
  }
}

function encodeContents(ir: IrRequest, messages: IrMessage[]): Json[] {
  const names = new Map<string, string>();
  for (const m of messages) for (const p of m.content) if (p.type === "tool_call") names.set(p.id, p.name);
  const contents: { role: string; parts: Json[] }[] = [];
  for (const m of messages) {
    if (m.role === "system") continue;
    const parts = m.content.map((p) => encodePart(p, names)).filter((p): p is Json => p !== undefined);
    if (!parts.length) continue;
    const role = m.role === "assistant" ? "model" : "user";
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  if (isGemini3(ir.model)) {
    // Gemini 3 rejects a model turn's calls without a signature; only the first call carries one (§5.9).
    for (const c of contents) {
      if (c.role !== "model") continue;
      const calls = c.parts.filter((p) => p.functionCall);
      if (calls.length && !calls.some((p) => p.thoughtSignature)) {
        calls[0].thoughtSignature = DUMMY_THOUGHT_SIGNATURE;
      }
    }
  }
  return contents;
}

function thinkingConfig(ir: IrRequest): Json | undefined {
  const r = ir.reasoning;
  if (!r) return undefined;
  const model = ir.model;
  if (!r.enabled) {
    if (isGemini3(model)) return { thinkingLevel: "low", includeThoughts: false };
    return geminiCanDisableThinking(model) ? { thinkingBudget: 0 } : undefined;
  }
  const includeThoughts = r.includeThoughts ?? true;
  if (isGemini3(model)) return { thinkingLevel: gemini3Level(r.effort, r.budgetTokens), includeThoughts };
  const budget = r.budgetTokens !== undefined
    ? clampGeminiBudget(model, r.budgetTokens)
    : r.effort
    ? geminiBudgetForEffort(model, r.effort)
    : -1;
  return { thinkingBudget: budget, includeThoughts };
}

export function encodeGeminiRequest(ir: IrRequest): Record<string, unknown> {
  refuseStoredState(ir);
  const messages = answerOrphanedCalls(ir.messages);
  const body: Json = { contents: encodeContents(ir, messages) };
  const system = messages.filter((m) => m.role === "system").flatMap((m) =>
    m.content.flatMap((p) => (p.type === "text" && p.text ? [{ text: p.text }] : []))
  );
  if (system.length) body.systemInstruction = { parts: system };
  if (ir.tools?.length) {
    body.tools = [{
      functionDeclarations: ir.tools.map((t) => ({
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parametersJsonSchema: t.parameters ?? { type: "object", properties: {} },
      })),
    }];
  }
  const tc = ir.toolChoice;
  if (tc) {
    const cfg: Json = { mode: tc.type === "none" ? "NONE" : tc.type === "auto" ? "AUTO" : "ANY" };
    if (tc.type === "tool") cfg.allowedFunctionNames = [tc.name];
    body.toolConfig = { functionCallingConfig: cfg };
  }
  const g: Json = {};
  if (ir.temperature !== undefined) g.temperature = ir.temperature;
  if (ir.topP !== undefined) g.topP = ir.topP;
  if (ir.topK !== undefined) g.topK = ir.topK;
  if (ir.maxTokens !== undefined) g.maxOutputTokens = ir.maxTokens;
  if (ir.stop?.length) g.stopSequences = ir.stop;
  if (ir.presencePenalty !== undefined) g.presencePenalty = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) g.frequencyPenalty = ir.frequencyPenalty;
  if (ir.seed !== undefined) g.seed = ir.seed;
  const rf = ir.responseFormat;
  if (rf) {
    g.responseMimeType = "application/json";
    if (rf.type === "json_schema") g.responseJsonSchema = rf.schema;
  }
  const thinking = thinkingConfig(ir);
  if (thinking) g.thinkingConfig = thinking;
  if (Object.keys(g).length) body.generationConfig = g;
  return body;
}
