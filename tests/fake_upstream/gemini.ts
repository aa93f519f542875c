/**
 * Gemini (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`, `:countTokens`,
 * `:embedContent`, `:batchEmbedContents`, `GET /v1beta/models`) in the fake upstream.
 */

import { allText, countTokens, embeddingVector, hexId } from "./content.ts";
import { type CallContext, chunkCount, jsonResponse, streamResponse } from "./context.ts";
import { errorBody, errorResponse } from "./errors.ts";
import { generate, type Generated } from "./generate.ts";
import type { Frame } from "./sse_response.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return "";
  return parts.filter((p) => typeof p?.text === "string" && !p.thought).map((p) => p.text).join(" ");
}

function promptTokensOf(body: Json): number {
  return countTokens(allText([body.systemInstruction ?? "", body.contents ?? [], body.tools ?? []]));
}

function usageMetadata(g: Generated, candidates: number, thoughts: number): Json {
  const u: Json = {
    promptTokenCount: g.usage.input,
    candidatesTokenCount: candidates,
    totalTokenCount: g.usage.input + candidates + thoughts,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: g.usage.input }],
  };
  if (thoughts > 0) u.thoughtsTokenCount = thoughts;
  if (g.usage.cacheRead > 0) u.cachedContentTokenCount = g.usage.cacheRead;
  return u;
}

function generateFrom(ctx: CallContext, body: Json): Generated {
  const contents: Json[] = body.contents;
  const last = contents[contents.length - 1] ?? {};
  const lastUser = [...contents].reverse().find((c) =>
    (c?.role ?? "user") === "user" && partsText(c.parts) !== ""
  );
  const declarations = (Array.isArray(body.tools) ? body.tools : []).flatMap((t: Json) =>
    Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []
  );
  return generate({
    prompt: partsText(lastUser?.parts),
    promptTokens: promptTokensOf(body),
    tools: declarations.map((d: Json) => ({
      name: String(d.name),
      schema: d.parametersJsonSchema ?? d.parameters,
    })),
    toolChoiceNone: body.toolConfig?.functionCallingConfig?.mode === "NONE",
    lastIsToolResult: Array.isArray(last.parts) && last.parts.some((p: Json) => p?.functionResponse),
    reasoning: body.generationConfig?.thinkingConfig?.includeThoughts === true,
    maxTokens: body.generationConfig?.maxOutputTokens,
    chunks: chunkCount(ctx),
    directives: ctx.directives,
  });
}

function validContents(body: Json): boolean {
  return Boolean(body) && Array.isArray(body.contents) && body.contents.length > 0;
}

export function generateContent(ctx: CallContext, stream: boolean): Response {
  const body = ctx.json;
  if (!validContents(body)) {
    return errorResponse("gemini", 400, "* GenerateContentRequest.contents: contents is not specified");
  }
  const model = ctx.params.model;
  const g = generateFrom(ctx, body);
  const signature = `CrkC${hexId(g.seed ^ 0x77, 32)}`;
  const finishReason = g.finish === "length" ? "MAX_TOKENS" : "STOP";
  const thoughts = g.usage.reasoning;
  const candidatesTokens = g.usage.output - thoughts;
  const callParts = g.toolCalls.map((c, i) => ({
    functionCall: { name: c.name, args: c.args },
    ...(i === 0 ? { thoughtSignature: signature } : {}),
  }));
  const base = { modelVersion: model, responseId: g.hex.slice(0, 20) };
  const noUsage = ctx.fault.noUsage === true;
  if (!stream) {
    const parts: Json[] = [];
    if (g.reasoningText) parts.push({ text: g.reasoningText, thought: true });
    if (g.toolCalls.length > 0) parts.push(...callParts);
    else parts.push({ text: g.text, ...(g.reasoningText ? { thoughtSignature: signature } : {}) });
    return jsonResponse({
      candidates: [{ content: { role: "model", parts }, finishReason, index: 0 }],
      ...(noUsage ? {} : { usageMetadata: usageMetadata(g, candidatesTokens, thoughts) }),
      ...base,
    });
  }
  const frames: Frame[] = [];
  let sentThoughts = 0;
  let sentCandidates = 0;
  const chunk = (parts: Json[], done = false) => {
    const candidate: Json = { content: { role: "model", parts }, index: 0 };
    if (done) candidate.finishReason = finishReason;
    const c: Json = { candidates: [candidate] };
    if (!noUsage) c.usageMetadata = usageMetadata(g, sentCandidates, sentThoughts);
    frames.push({ data: JSON.stringify({ ...c, ...base }) });
  };
  for (const text of g.reasoningPieces) {
    sentThoughts++;
    chunk([{ text, thought: true }]);
  }
  if (g.toolCalls.length > 0) {
    sentCandidates = candidatesTokens;
    chunk(callParts, true);
  } else {
    g.textPieces.forEach((text, i) => {
      sentCandidates++;
      const lastPiece = i === g.textPieces.length - 1;
      chunk([{ text }], lastPiece && !g.reasoningText);
    });
    if (g.reasoningText) chunk([{ text: "", thoughtSignature: signature }], true);
  }
  const errorFrames = (): Frame[] => [{
    data: JSON.stringify(errorBody("gemini", 500, "An internal error has occurred. Please retry.")),
  }];
  return streamResponse(ctx, { frames, errorFrames });
}

export function countGeminiTokens(ctx: CallContext): Response {
  const body = ctx.json;
  if (body?.contents && body?.generateContentRequest) {
    return errorResponse("gemini", 400, "contents and generateContentRequest are mutually exclusive");
  }
  const inner = body?.generateContentRequest ?? body;
  if (!validContents(inner)) return errorResponse("gemini", 400, "* CountTokensRequest.contents: required");
  return jsonResponse({
    totalTokens: promptTokensOf(inner),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokensOf(inner) }],
  });
}

function embedOne(content: Json, dims: number): Json {
  return { values: embeddingVector(partsText(content?.parts), dims) };
}

export function embedContent(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body?.content?.parts) return errorResponse("gemini", 400, "* EmbedContentRequest.content: required");
  return jsonResponse({
    embedding: embedOne(body.content, Number(body.outputDimensionality ?? ctx.settings.embeddingDimensions)),
  });
}

export function batchEmbedContents(ctx: CallContext): Response {
  const body = ctx.json;
  if (!Array.isArray(body?.requests) || body.requests.length === 0) {
    return errorResponse("gemini", 400, "* BatchEmbedContentsRequest.requests: required");
  }
  // The real API refuses a request whose `model` is not the one in the URL.
  const bad = body.requests.find((r: Json) =>
    r?.model !== undefined && r.model !== `models/${ctx.params.model}`
  );
  if (bad) {
    return errorResponse(
      "gemini",
      400,
      `Model name in request (${bad.model}) must match models/${ctx.params.model}`,
    );
  }
  return jsonResponse({
    embeddings: body.requests.map((r: Json) =>
      embedOne(r?.content, Number(r?.outputDimensionality ?? ctx.settings.embeddingDimensions))
    ),
  });
}

function modelInfo(id: string): Json {
  const embedding = id.includes("embedding");
  return {
    name: `models/${id}`,
    version: "001",
    displayName: id,
    description: `${id} (fake upstream)`,
    inputTokenLimit: 1048576,
    outputTokenLimit: embedding ? 1 : 65536,
    supportedGenerationMethods: embedding
      ? ["embedContent", "batchEmbedContents"]
      : ["generateContent", "streamGenerateContent", "countTokens"],
  };
}

export function listModels(ctx: CallContext): Response {
  return jsonResponse({ models: ctx.settings.models.map(modelInfo) });
}

export function getModel(ctx: CallContext): Response {
  const id = ctx.params.model;
  if (!ctx.settings.models.includes(id)) return errorResponse("gemini", 404, `models/${id} is not found`);
  return jsonResponse(modelInfo(id));
}

/** A 1×1 PNG, base64 (Imagen answers carry the image bytes inline). */
const TINY_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/**
 * Imagen's `:predict`: `instances[0].prompt`, `parameters.sampleCount` images (1–4); a prompt containing
 * "[[filter]]" has its last image filtered (`raiFilteredReason`, no bytes), as Imagen reports it.
 */
export function predict(ctx: CallContext): Response {
  const body = ctx.json;
  const prompt = body?.instances?.[0]?.prompt;
  if (typeof prompt !== "string" || !prompt) {
    return errorResponse("gemini", 400, "* PredictRequest.instances[0].prompt: required");
  }
  const count = Number(body.parameters?.sampleCount ?? 1);
  if (!Number.isInteger(count) || count < 1 || count > 4) {
    return errorResponse("gemini", 400, "sampleCount must be between 1 and 4");
  }
  const predictions: Json[] = Array.from({ length: count }, () => ({
    bytesBase64Encoded: TINY_PNG,
    mimeType: "image/png",
  }));
  if (prompt.includes("[[filter]]")) predictions[count - 1] = { raiFilteredReason: "filtered by safety" };
  return jsonResponse({ predictions });
}
