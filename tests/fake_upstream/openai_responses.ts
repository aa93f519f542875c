/** OpenAI Responses (`POST /v1/responses`) in the fake upstream: the response object and its typed SSE events. */

import { allText, countTokens, splitInTwo } from "./content.ts";
import { type CallContext, chunkCount, contentText, jsonResponse, streamResponse } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { FAKE_CREATED, generate, type Generated } from "./generate.ts";
import type { Frame } from "./sse_response.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

function usageOf(g: Generated): Json {
  return {
    input_tokens: g.usage.input,
    input_tokens_details: { cached_tokens: g.usage.cacheRead },
    output_tokens: g.usage.output,
    output_tokens_details: { reasoning_tokens: g.usage.reasoning },
    total_tokens: g.usage.input + g.usage.output,
  };
}

export function responses(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body || typeof body.model !== "string" || body.input === undefined) {
    return errorResponse("openai", 400, "'model' and 'input' are required.");
  }
  const items: Json[] = typeof body.input === "string" ? [{ role: "user", content: body.input }] : body.input;
  if (!Array.isArray(items)) return errorResponse("openai", 400, "'input' must be a string or an array.");
  const lastUser = [...items].reverse().find((i) => i?.role === "user");
  const last = items[items.length - 1] ?? {};
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t: Json) => t?.type === "function" && t.name)
    .map((t: Json) => ({ name: String(t.name), schema: t.parameters }));
  const effort = body.reasoning?.effort;
  const wantSummary = Boolean(body.reasoning?.summary) || ctx.directives.has("reasoning");
  const g = generate({
    prompt: contentText(lastUser?.content),
    promptTokens: countTokens(allText([body.instructions ?? "", items, body.tools ?? []])),
    tools,
    toolChoiceNone: body.tool_choice === "none",
    lastIsToolResult: last.type === "function_call_output",
    reasoning: (typeof effort === "string" && effort !== "none") || wantSummary,
    maxTokens: body.max_output_tokens,
    chunks: chunkCount(ctx),
    directives: ctx.directives,
  });

  const id = `resp_${g.hex}`;
  const reasoningItem = g.reasoningPieces.length > 0
    ? {
      type: "reasoning",
      id: `rs_${g.hex}`,
      summary: wantSummary ? [{ type: "summary_text", text: g.reasoningText }] : [],
    }
    : undefined;
  const messageItem = g.toolCalls.length === 0
    ? {
      id: `msg_${g.hex}`,
      type: "message",
      status: g.finish === "length" ? "incomplete" : "completed",
      role: "assistant",
      content: [{ type: "output_text", text: g.text, annotations: [], logprobs: [] }],
    }
    : undefined;
  const callItems = g.toolCalls.map((c) => ({
    type: "function_call",
    id: `fc_${c.id}`,
    call_id: `call_${c.id}`,
    name: c.name,
    arguments: c.argsJson,
    status: "completed",
  }));
  const output: Json[] = [
    ...(reasoningItem ? [reasoningItem] : []),
    ...(messageItem ? [messageItem] : []),
    ...callItems,
  ];
  const incomplete = g.finish === "length";
  const responseObject = (status: string, out: Json[], usage: Json, error: Json = null): Json => ({
    id,
    object: "response",
    created_at: FAKE_CREATED,
    status,
    error,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output: out,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: effort ?? null, summary: body.reasoning?.summary ?? null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    usage,
    metadata: body.metadata ?? {},
  });
  const finalStatus = incomplete ? "incomplete" : "completed";
  const finalUsage = ctx.fault.noUsage ? null : usageOf(g);
  if (!body.stream) return jsonResponse(responseObject(finalStatus, output, finalUsage));

  const frames: Frame[] = [];
  const emit = (type: string, fields: Json) =>
    frames.push({ event: type, data: JSON.stringify({ type, ...fields, sequence_number: frames.length }) });
  emit("response.created", { response: responseObject("in_progress", [], null) });
  emit("response.in_progress", { response: responseObject("in_progress", [], null) });
  let outputIndex = 0;
  if (reasoningItem) {
    const at = outputIndex++;
    const itemId = reasoningItem.id;
    emit("response.output_item.added", { output_index: at, item: { ...reasoningItem, summary: [] } });
    if (wantSummary) {
      const part = { type: "summary_text", text: "" };
      emit("response.reasoning_summary_part.added", {
        item_id: itemId,
        output_index: at,
        summary_index: 0,
        part,
      });
      for (const delta of g.reasoningPieces) {
        emit("response.reasoning_summary_text.delta", {
          item_id: itemId,
          output_index: at,
          summary_index: 0,
          delta,
        });
      }
      const text = g.reasoningText;
      emit("response.reasoning_summary_text.done", {
        item_id: itemId,
        output_index: at,
        summary_index: 0,
        text,
      });
      emit("response.reasoning_summary_part.done", {
        item_id: itemId,
        output_index: at,
        summary_index: 0,
        part: { type: "summary_text", text },
      });
    }
    emit("response.output_item.done", { output_index: at, item: reasoningItem });
  }
  if (messageItem) {
    const at = outputIndex++;
    const itemId = messageItem.id;
    emit("response.output_item.added", {
      output_index: at,
      item: { ...messageItem, status: "in_progress", content: [] },
    });
    emit("response.content_part.added", {
      item_id: itemId,
      output_index: at,
      content_index: 0,
      part: { type: "output_text", text: "", annotations: [], logprobs: [] },
    });
    for (const delta of g.textPieces) {
      emit("response.output_text.delta", {
        item_id: itemId,
        output_index: at,
        content_index: 0,
        delta,
        logprobs: [],
      });
    }
    emit("response.output_text.done", {
      item_id: itemId,
      output_index: at,
      content_index: 0,
      text: g.text,
      logprobs: [],
    });
    emit("response.content_part.done", {
      item_id: itemId,
      output_index: at,
      content_index: 0,
      part: messageItem.content[0],
    });
    emit("response.output_item.done", { output_index: at, item: messageItem });
  }
  for (const item of callItems) {
    const at = outputIndex++;
    emit("response.output_item.added", {
      output_index: at,
      item: { ...item, arguments: "", status: "in_progress" },
    });
    for (const delta of splitInTwo(item.arguments)) {
      emit("response.function_call_arguments.delta", { item_id: item.id, output_index: at, delta });
    }
    emit("response.function_call_arguments.done", {
      item_id: item.id,
      output_index: at,
      name: item.name,
      arguments: item.arguments,
    });
    emit("response.output_item.done", { output_index: at, item });
  }
  emit(incomplete ? "response.incomplete" : "response.completed", {
    response: responseObject(finalStatus, output, finalUsage),
  });

  const errorFrames = (sent: number): Frame[] => {
    const message = "The server had an error while processing your request.";
    return [
      {
        event: "error",
        data: JSON.stringify({
          type: "error",
          code: "server_error",
          message,
          param: null,
          sequence_number: sent,
        }),
      },
      {
        event: "response.failed",
        data: JSON.stringify({
          type: "response.failed",
          response: responseObject("failed", [], null, { code: "server_error", message }),
          sequence_number: sent + 1,
        }),
      },
    ];
  };
  return streamResponse(ctx, { frames, errorFrames });
}
