/** zod schema for an Anthropic Messages request body: the edge where client input is checked. */
import { z } from "zod";
import { taggedItem } from "../validation.ts";

const cacheControl = z.object({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() })
  .nullish();

const mediaSource = z.discriminatedUnion("type", [
  z.object({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
  z.object({ type: z.literal("url"), url: z.string() }),
  z.object({ type: z.literal("file"), file_id: z.string() }),
  z.object({ type: z.literal("text"), media_type: z.string().optional(), data: z.string() }),
], { error: "expected a source of type base64, url, file or text" });

const text = z.object({ type: z.literal("text"), text: z.string(), cache_control: cacheControl });
const image = z.object({ type: z.literal("image"), source: mediaSource, cache_control: cacheControl });
const document = z.object({
  type: z.literal("document"),
  source: mediaSource,
  title: z.string().nullish(),
  cache_control: cacheControl,
});
const toolResult = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(taggedItem({ text, image }))], {
    error: "expected a string or an array of text and image blocks",
  }).nullish(),
  is_error: z.boolean().nullish(),
  cache_control: cacheControl,
});
const toolUse = z.object({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
  cache_control: cacheControl,
});
const thinking = z.object({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().nullish(),
});
const redacted = z.object({ type: z.literal("redacted_thinking"), data: z.string() });

const block = taggedItem({
  text,
  image,
  document,
  tool_result: toolResult,
  tool_use: toolUse,
  thinking,
  redacted_thinking: redacted,
});
export type ClaudeBlock = z.output<typeof block>;

const message = z.object({
  role: z.enum(["user", "assistant"], { error: "expected role user or assistant" }),
  content: z.union([z.string(), z.array(block)], {
    error: "expected a string or an array of content blocks",
  }),
});

const tool = z.object({
  type: z.string().nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
  cache_control: cacheControl,
});

export const claudeRequestSchema = z.object({
  model: z.string().min(1, "must not be empty"),
  max_tokens: z.number().int().positive(),
  messages: z.array(message).min(1, "must contain at least one message"),
  system: z.union([z.string(), z.array(text)], { error: "expected a string or an array of text blocks" })
    .nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  stream: z.boolean().nullish(),
  metadata: z.object({ user_id: z.string().nullish() }).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z.object({
    type: z.enum(["auto", "any", "tool", "none"]),
    name: z.string().nullish(),
    disable_parallel_tool_use: z.boolean().nullish(),
  }).nullish(),
  thinking: z.object({
    type: z.enum(["enabled", "disabled", "adaptive"]),
    budget_tokens: z.number().int().nullish(),
  }).nullish(),
  output_config: z.object({
    effort: z.string().nullish(),
    format: z.object({ type: z.string(), schema: z.record(z.string(), z.unknown()).nullish() }).nullish(),
  }).nullish(),
  cache_control: cacheControl,
});

export type ClaudeRequest = z.output<typeof claudeRequestSchema>;
