/** zod schema for an OpenAI Responses request body (`POST /v1/responses`): the edge for client input. */
import { z } from "zod";
import { taggedItem } from "../validation.ts";

const inputText = z.object({ type: z.literal("input_text"), text: z.string() });
const outputText = z.object({ type: z.literal("output_text"), text: z.string() });
const refusal = z.object({ type: z.literal("refusal"), refusal: z.string() });
const inputImage = z.object({
  type: z.literal("input_image"),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});
const inputFile = z.object({
  type: z.literal("input_file"),
  file_id: z.string().nullish(),
  file_data: z.string().nullish(),
  file_url: z.string().nullish(),
  filename: z.string().nullish(),
});
const inputAudio = z.object({
  type: z.literal("input_audio"),
  input_audio: z.object({ data: z.string(), format: z.string() }),
});

const contentPart = taggedItem({
  input_text: inputText,
  output_text: outputText,
  refusal,
  input_image: inputImage,
  input_file: inputFile,
  input_audio: inputAudio,
});
export type ResponsesContentPart = z.output<typeof contentPart>;

const message = z.object({
  type: z.literal("message"),
  role: z.enum(["user", "assistant", "system", "developer"], {
    error: "expected role user, assistant, system or developer",
  }),
  content: z.union([z.string(), z.array(contentPart)], {
    error: "expected a string or an array of content parts",
  }),
});

const functionCall = z.object({
  type: z.literal("function_call"),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});

const functionCallOutput = z.object({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(contentPart)], {
    error: "expected a string or an array of content parts",
  }),
});

const reasoning = z.object({
  type: z.literal("reasoning"),
  id: z.string().nullish(),
  summary: z.array(z.object({ text: z.string() })).nullish(),
  content: z.array(z.object({ text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});

const itemReference = z.object({ type: z.literal("item_reference"), id: z.string() });

/** Easy input messages may omit `type`. */
const item = z.preprocess(
  (v) => (v && typeof v === "object" && !("type" in v) && "role" in v ? { ...v, type: "message" } : v),
  taggedItem({
    message,
    function_call: functionCall,
    function_call_output: functionCallOutput,
    reasoning,
    item_reference: itemReference,
  }),
);
export type ResponsesItem = z.output<typeof item>;

const tool = z.object({
  type: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

export const responsesRequestSchema = z.object({
  model: z.string().min(1, "must not be empty"),
  input: z.union([z.string(), z.array(item)], { error: "expected a string or an array of input items" }),
  instructions: z.string().nullish(),
  previous_response_id: z.string().nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  max_output_tokens: z.number().int().nonnegative().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z.union([
    z.enum(["none", "auto", "required"]),
    z.object({ type: z.string(), name: z.string().nullish() }),
  ], { error: 'expected "none", "auto", "required" or a tool choice object' }).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning: z.object({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  text: z.object({
    format: z.object({
      type: z.string(),
      name: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
      description: z.string().nullish(),
    }).nullish(),
  }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
});

export type ResponsesRequest = z.output<typeof responsesRequestSchema>;
