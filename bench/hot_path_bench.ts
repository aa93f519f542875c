/**
 * Per-request cost of the relay's CPU-bound steps on the benchmark's ~1 KB chat body, in process:
 * `deno bench bench/hot_path_bench.ts`. The pieces `deno task bench` cannot tell apart (it measures a
 * whole process): reading the body (JSON + validation + IR), the prompt estimate, the exact count.
 */
import { parseRequest } from "../relay/pipeline/parse_request.ts";
import { endpoint } from "../relay/endpoints.ts";
import { estimatePrompt } from "../relay/pipeline/prompt_estimate.ts";
import { estimateTokensFromBytes, tokenCounter } from "../relay/billing/estimate.ts";
import { scenarios } from "./scenarios.ts";

const chat = endpoint("chat_completions");
const bytes = new TextEncoder().encode(scenarios.chat.body());
const parsed = await parseRequest(chat, bytes, "application/json");
const count = await tokenCounter();

Deno.bench("parse + validate + decode the chat body", async () => {
  await parseRequest(chat, bytes, "application/json");
});
Deno.bench("JSON.parse alone", () => {
  JSON.parse(new TextDecoder().decode(bytes));
});
Deno.bench("prompt estimate from bytes (the hold)", () => {
  estimatePrompt(estimateTokensFromBytes, chat, parsed);
});
Deno.bench("exact prompt count (tokenizer)", () => {
  estimatePrompt(count, chat, parsed);
});
