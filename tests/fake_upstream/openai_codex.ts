/**
 * The Codex-tooling endpoints of the fake upstream: `/v1/responses/compact` (OpenAI's compaction: the
 * user messages kept, then one `compaction` item, usage with cached and reasoning tokens), `/v1/alpha/search`
 * (a standalone web search that reports no usage) and the legacy `/v1/edits`.
 */
import { allText, countTokens, hashText, hexId } from "./content.ts";
import { type CallContext, jsonResponse } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { FAKE_CREATED } from "./generate.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

function userMessages(input: unknown): Json[] {
  if (typeof input === "string") {
    return [{ type: "message", role: "user", content: [{ type: "input_text", text: input }] }];
  }
  if (!Array.isArray(input)) return [];
  return input.filter((i) => i && typeof i === "object" && i.role === "user").map((i) => ({
    type: "message",
    role: "user",
    content: typeof i.content === "string" ? [{ type: "input_text", text: i.content }] : i.content,
  }));
}

export function responsesCompact(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body || typeof body.model !== "string") return errorResponse("openai", 400, "'model' is required.");
  if (body.input === undefined && body.previous_response_id === undefined) {
    return errorResponse("openai", 400, "Either 'input' or 'previous_response_id' is required.");
  }
  const text = `${allText(body.instructions)} ${allText(body.input)}`.trim();
  const seed = hashText(text);
  const input = countTokens(text);
  const output = 40 + (seed % 20);
  const cached = Math.floor(input / 4);
  return jsonResponse({
    id: `resp_${hexId(seed, 24)}`,
    object: "response.compaction",
    created_at: FAKE_CREATED,
    output: [
      ...userMessages(body.input).map((m, i) => ({ id: `msg_${hexId(seed + i, 16)}`, ...m })),
      { id: `cmp_${hexId(seed, 16)}`, type: "compaction", encrypted_content: `enc-${hexId(seed, 32)}` },
    ],
    usage: {
      input_tokens: input,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: 8 },
      total_tokens: input + output,
    },
  });
}

export function alphaSearch(ctx: CallContext): Response {
  const body = ctx.json;
  const query = body?.query ?? body?.input;
  if (!body || typeof body.model !== "string" || typeof query !== "string" || !query) {
    return errorResponse("openai", 400, "'model' and 'query' are required.");
  }
  const seed = hashText(query);
  return jsonResponse({
    id: body.id ?? `search_${hexId(seed, 16)}`,
    model: body.model,
    output: `Results for ${query}: example.com/${hexId(seed, 8)}`,
    results: [{ title: `About ${query}`, url: `https://example.com/${hexId(seed, 8)}` }],
  });
}

/** The legacy edits API: `instruction` applied to `input`, usage in Chat's names. */
export function edits(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body || typeof body.model !== "string" || typeof body.instruction !== "string") {
    return errorResponse("openai", 400, "'model' and 'instruction' are required.");
  }
  const input = typeof body.input === "string" ? body.input : "";
  const out = `${input} (${body.instruction})`.trim();
  const prompt = countTokens(input) + countTokens(body.instruction);
  const completion = countTokens(out);
  return jsonResponse({
    object: "edit",
    created: FAKE_CREATED,
    choices: [{ text: out, index: 0 }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });
}
