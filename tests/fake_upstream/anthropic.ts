/** Anthropic Messages (`POST /v1/messages`, `/v1/messages/count_tokens`) in the fake upstream. */

import { allText, countTokens, hexId, splitInTwo } from "./content.ts";
import { type CallContext, chunkCount, contentText, jsonResponse, streamResponse } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { generate, type Generated } from "./generate.ts";
import type { Frame } from "./sse_response.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const STOP_REASONS = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use" } as const;

function promptTokensOf(body: Json): number {
  return countTokens(allText([body.system ?? "", body.messages ?? [], body.tools ?? []]));
}

function usageOf(g: Generated): Json {
  return {
    input_tokens: g.usage.input - g.usage.cacheRead - g.usage.cacheWrite,
    cache_creation_input_tokens: g.usage.cacheWrite,
    cache_read_input_tokens: g.usage.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: g.usage.cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: g.usage.output,
    service_tier: "standard",
  };
}

function validate(body: Json, needMaxTokens: boolean): string | undefined {
  if (!body || typeof body.model !== "string") return "model: Field required";
  if (!Array.isArray(body.messages)) return "messages: Field required";
  if (needMaxTokens && typeof body.max_tokens !== "number") return "max_tokens: Field required";
  return undefined;
}

export function countMessageTokens(ctx: CallContext): Response {
  const problem = validate(ctx.json, false);
  if (problem) return errorResponse("anthropic", 400, problem);
  return jsonResponse({ input_tokens: promptTokensOf(ctx.json) });
}

/** `GET /v1/models` with Anthropic's auth: Anthropic's paged list shape. */
export function claudeModels(ctx: CallContext): Response {
  const ids = ctx.settings.models;
  return jsonResponse({
    data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-10-01T00:00:00Z" })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids.at(-1) ?? null,
  });
}

export function messages(ctx: CallContext): Response {
  const body = ctx.json;
  const problem = validate(body, true);
  if (problem) return errorResponse("anthropic", 400, problem);
  const msgs: Json[] = body.messages;
  const last = msgs[msgs.length - 1] ?? {};
  const lastUser = [...msgs].reverse().find((m) => m?.role === "user");
  const lastIsToolResult = Array.isArray(last.content) &&
    last.content.some((b: Json) => b?.type === "tool_result");
  const userText = Array.isArray(lastUser?.content)
    ? contentText(lastUser.content.filter((b: Json) => b?.type === "text"))
    : contentText(lastUser?.content);
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t: Json) => typeof t?.name === "string" && t.input_schema)
    .map((t: Json) => ({ name: t.name, schema: t.input_schema }));
  const thinking = body.thinking?.type === "enabled" || body.thinking?.type === "adaptive";
  const g = generate({
    prompt: userText,
    promptTokens: promptTokensOf(body),
    tools,
    toolChoiceNone: body.tool_choice?.type === "none",
    lastIsToolResult,
    reasoning: thinking,
    maxTokens: body.max_tokens,
    chunks: chunkCount(ctx),
    directives: ctx.directives,
  });
  const id = `msg_${g.hex}`;
  const signature = `EqQB${hexId(g.seed ^ 0x51, 32)}`;
  const content: Json[] = [];
  if (g.reasoningPieces.length > 0) content.push({ type: "thinking", thinking: g.reasoningText, signature });
  if (g.toolCalls.length === 0) content.push({ type: "text", text: g.text });
  for (const c of g.toolCalls) {
    content.push({ type: "tool_use", id: `toolu_${c.id}`, name: c.name, input: c.args });
  }
  const stopReason = STOP_REASONS[g.finish];
  const usage = usageOf(g);
  if (!body.stream) {
    return jsonResponse(
      {
        id,
        type: "message",
        role: "assistant",
        model: body.model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: ctx.fault.noUsage ? { input_tokens: 0, output_tokens: 0 } : usage,
      },
      200,
      { "request-id": `req_${g.hex}` },
    );
  }

  const frames: Frame[] = [];
  const emit = (type: string, fields: Json) =>
    frames.push({ event: type, data: JSON.stringify({ type, ...fields }) });
  const startUsage = ctx.fault.noUsage
    ? { input_tokens: 0, output_tokens: 0 }
    : { ...usage, output_tokens: 1 };
  emit("message_start", {
    message: {
      id,
      type: "message",
      role: "assistant",
      model: body.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: startUsage,
    },
  });
  let index = 0;
  let pinged = false;
  const ping = () => {
    if (!pinged) frames.push({ event: "ping", data: JSON.stringify({ type: "ping" }) });
    pinged = true;
  };
  if (g.reasoningPieces.length > 0) {
    emit("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
    ping();
    for (const piece of g.reasoningPieces) {
      emit("content_block_delta", { index, delta: { type: "thinking_delta", thinking: piece } });
    }
    emit("content_block_delta", { index, delta: { type: "signature_delta", signature } });
    emit("content_block_stop", { index });
    index++;
  }
  if (g.toolCalls.length === 0) {
    emit("content_block_start", { index, content_block: { type: "text", text: "" } });
    ping();
    for (const text of g.textPieces) {
      emit("content_block_delta", { index, delta: { type: "text_delta", text } });
    }
    emit("content_block_stop", { index });
    index++;
  }
  for (const c of g.toolCalls) {
    emit("content_block_start", {
      index,
      content_block: { type: "tool_use", id: `toolu_${c.id}`, name: c.name, input: {} },
    });
    ping();
    for (const partial_json of ["", ...splitInTwo(c.argsJson)]) {
      emit("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } });
    }
    emit("content_block_stop", { index });
    index++;
  }
  const delta = { stop_reason: stopReason, stop_sequence: null };
  const { service_tier: _tier, cache_creation: _cc, ...deltaUsage } = usage;
  emit("message_delta", ctx.fault.noUsage ? { delta } : { delta, usage: deltaUsage });
  emit("message_stop", {});
  const errorFrames = (): Frame[] => [{
    event: "error",
    data: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
  }];
  return streamResponse(ctx, { frames, errorFrames });
}
