/** OpenAI Chat Completions and legacy Completions, non-stream and SSE, in the fake upstream. */

import { allText, countTokens, splitInTwo } from "./content.ts";
import { type CallContext, chunkCount, contentText, jsonResponse, streamResponse } from "./context.ts";
import { errorBody, errorResponse } from "./errors.ts";
import { FAKE_CREATED, generate, type Generated } from "./generate.ts";
import type { Frame } from "./sse_response.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

export function openaiUsage(g: Generated, noUsage = false): Json {
  if (noUsage) return undefined;
  return {
    prompt_tokens: g.usage.input,
    completion_tokens: g.usage.output,
    total_tokens: g.usage.input + g.usage.output,
    prompt_tokens_details: { cached_tokens: g.usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: g.usage.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function openaiStreamError(message = "The server had an error while processing your request."): Frame {
  return { data: JSON.stringify(errorBody("openai", 500, message)) };
}

function wantsReasoning(body: Json): boolean {
  const effort = body.reasoning_effort;
  return (typeof effort === "string" && effort !== "none") || /reason|think/.test(String(body.model));
}

export function chatCompletions(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body || typeof body.model !== "string" || !Array.isArray(body.messages)) {
    return errorResponse("openai", 400, "'model' and 'messages' are required properties.");
  }
  const messages: Json[] = body.messages;
  const last = messages[messages.length - 1] ?? {};
  const lastUser = [...messages].reverse().find((m) => m?.role === "user");
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t: Json) => t?.type === "function" && t.function?.name)
    .map((t: Json) => ({ name: String(t.function.name), schema: t.function.parameters }));
  const g = generate({
    prompt: contentText(lastUser?.content),
    promptTokens: countTokens(allText([body.messages, body.tools ?? []])),
    tools,
    toolChoiceNone: body.tool_choice === "none",
    lastIsToolResult: last.role === "tool",
    reasoning: wantsReasoning(body),
    maxTokens: body.max_completion_tokens ?? body.max_tokens,
    chunks: chunkCount(ctx),
    directives: ctx.directives,
  });
  const id = `chatcmpl-${g.hex}`;
  const model = body.model;
  const toolCalls = g.toolCalls.map((c) => ({
    id: `call_${c.id}`,
    type: "function",
    function: { name: c.name, arguments: c.argsJson },
  }));
  if (!body.stream) {
    const message: Json = {
      role: "assistant",
      content: g.toolCalls.length > 0 ? null : g.text,
      refusal: null,
      annotations: [],
    };
    if (g.reasoningText) message.reasoning_content = g.reasoningText;
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    const answer: Json = {
      id,
      object: "chat.completion",
      created: FAKE_CREATED,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: g.finish }],
      usage: openaiUsage(g, ctx.fault.noUsage),
      service_tier: "default",
      system_fingerprint: "fp_fake",
    };
    return jsonResponse(answer);
  }

  const includeUsage = body.stream_options?.include_usage === true;
  const frames: Frame[] = [];
  let roleSent = false;
  const chunk = (delta: Json, finish: string | null = null) => {
    if (!roleSent) {
      delta = { role: "assistant", ...delta };
      roleSent = true;
    }
    const c: Json = {
      id,
      object: "chat.completion.chunk",
      created: FAKE_CREATED,
      model,
      system_fingerprint: "fp_fake",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (includeUsage) c.usage = null;
    frames.push({ data: JSON.stringify(c) });
  };
  for (const piece of g.reasoningPieces) chunk({ content: null, reasoning_content: piece });
  if (g.toolCalls.length === 0) {
    if (!roleSent) chunk({ content: "", refusal: null });
    for (const piece of g.textPieces) chunk({ content: piece });
  }
  for (const [i, call] of toolCalls.entries()) {
    chunk({
      content: null,
      tool_calls: [{
        index: i,
        id: call.id,
        type: "function",
        function: { name: call.function.name, arguments: "" },
      }],
    });
    for (const part of splitInTwo(call.function.arguments)) {
      chunk({ tool_calls: [{ index: i, function: { arguments: part } }] });
    }
  }
  chunk({}, g.finish);
  if (includeUsage && !ctx.fault.noUsage) {
    frames.push({
      data: JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created: FAKE_CREATED,
        model,
        system_fingerprint: "fp_fake",
        choices: [],
        usage: openaiUsage(g),
      }),
    });
  }
  frames.push({ data: "[DONE]" });
  return streamResponse(ctx, { frames, errorFrames: () => [openaiStreamError(ctx.fault.message)] });
}

export function completions(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body || typeof body.model !== "string" || body.prompt === undefined) {
    return errorResponse("openai", 400, "'model' and 'prompt' are required properties.");
  }
  const prompt = Array.isArray(body.prompt) ? body.prompt.map(String).join(" ") : String(body.prompt);
  const g = generate({
    prompt,
    promptTokens: countTokens(prompt),
    tools: [],
    toolChoiceNone: true,
    lastIsToolResult: false,
    reasoning: false,
    maxTokens: body.max_tokens,
    chunks: chunkCount(ctx),
    directives: ctx.directives,
  });
  const id = `cmpl-${g.hex}`;
  const usage = ctx.fault.noUsage ? undefined : {
    prompt_tokens: g.usage.input,
    completion_tokens: g.usage.output,
    total_tokens: g.usage.input + g.usage.output,
  };
  const base = { id, object: "text_completion", created: FAKE_CREATED, model: body.model };
  if (!body.stream) {
    return jsonResponse({
      ...base,
      choices: [{ text: g.text, index: 0, logprobs: null, finish_reason: g.finish }],
      usage,
      system_fingerprint: "fp_fake",
    });
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const frames: Frame[] = g.textPieces.map((text) => ({
    data: JSON.stringify({ ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: null }] }),
  }));
  frames.push({
    data: JSON.stringify({
      ...base,
      choices: [{ text: "", index: 0, logprobs: null, finish_reason: g.finish }],
    }),
  });
  if (includeUsage && usage) frames.push({ data: JSON.stringify({ ...base, choices: [], usage }) });
  frames.push({ data: "[DONE]" });
  return streamResponse(ctx, { frames, errorFrames: () => [openaiStreamError(ctx.fault.message)] });
}
