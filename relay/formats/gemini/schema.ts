/**
 * zod schema for a Gemini generateContent request body. Google's JSON parser also takes snake_case field
 * names (`system_instruction`, `inline_data`...), which curl examples use, so those are renamed first.
 */
import { z } from "zod";

const SNAKE_KEYS: Record<string, string> = {
  system_instruction: "systemInstruction",
  generation_config: "generationConfig",
  tool_config: "toolConfig",
  safety_settings: "safetySettings",
  cached_content: "cachedContent",
  inline_data: "inlineData",
  file_data: "fileData",
  function_call: "functionCall",
  function_response: "functionResponse",
  thought_signature: "thoughtSignature",
  mime_type: "mimeType",
  file_uri: "fileUri",
  function_declarations: "functionDeclarations",
  parameters_json_schema: "parametersJsonSchema",
  function_calling_config: "functionCallingConfig",
  allowed_function_names: "allowedFunctionNames",
  max_output_tokens: "maxOutputTokens",
  top_p: "topP",
  top_k: "topK",
  stop_sequences: "stopSequences",
  presence_penalty: "presencePenalty",
  frequency_penalty: "frequencyPenalty",
  response_mime_type: "responseMimeType",
  response_schema: "responseSchema",
  response_json_schema: "responseJsonSchema",
  thinking_config: "thinkingConfig",
  thinking_budget: "thinkingBudget",
  thinking_level: "thinkingLevel",
  include_thoughts: "includeThoughts",
};

/** Objects whose keys are Google's own (never user data such as function args or schemas). */
const STRUCTURAL = new Set([
  "",
  "systemInstruction",
  "contents",
  "parts",
  "inlineData",
  "fileData",
  "functionCall",
  "functionResponse",
  "generationConfig",
  "thinkingConfig",
  "toolConfig",
  "functionCallingConfig",
  "tools",
  "functionDeclarations",
]);

/** Renames snake_case Google fields to camelCase, leaving args, responses and schemas untouched. */
export function camelizeGeminiBody(value: unknown, key = ""): unknown {
  if (!STRUCTURAL.has(key) || !value || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => camelizeGeminiBody(v, key));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const name = SNAKE_KEYS[k] ?? k;
    out[name] = camelizeGeminiBody(v, name);
  }
  return out;
}

const part = z.object({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  inlineData: z.object({ mimeType: z.string(), data: z.string() }).nullish(),
  fileData: z.object({ mimeType: z.string().nullish(), fileUri: z.string() }).nullish(),
  functionCall: z.object({
    id: z.string().nullish(),
    name: z.string().min(1),
    args: z.record(z.string(), z.unknown()).nullish(),
  }).nullish(),
  functionResponse: z.object({
    id: z.string().nullish(),
    name: z.string(),
    response: z.record(z.string(), z.unknown()).nullish(),
  }).nullish(),
});
export type GeminiPart = z.output<typeof part>;

const content = z.object({
  role: z.enum(["user", "model", "function"], { error: "expected role user or model" }).nullish(),
  parts: z.array(part),
});

const declaration = z.object({
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  parametersJsonSchema: z.record(z.string(), z.unknown()).nullish(),
});

const generationConfig = z.object({
  temperature: z.number().nullish(),
  topP: z.number().nullish(),
  topK: z.number().nullish(),
  maxOutputTokens: z.number().int().nonnegative().nullish(),
  stopSequences: z.array(z.string()).nullish(),
  presencePenalty: z.number().nullish(),
  frequencyPenalty: z.number().nullish(),
  seed: z.number().int().nullish(),
  responseMimeType: z.string().nullish(),
  responseSchema: z.record(z.string(), z.unknown()).nullish(),
  responseJsonSchema: z.record(z.string(), z.unknown()).nullish(),
  thinkingConfig: z.object({
    thinkingBudget: z.number().int().nullish(),
    thinkingLevel: z.string().nullish(),
    includeThoughts: z.boolean().nullish(),
  }).nullish(),
});

export const geminiRequestSchema = z.object({
  contents: z.array(content).min(1, "must contain at least one content"),
  systemInstruction: z.object({ parts: z.array(part) }).nullish(),
  tools: z.array(z.object({ functionDeclarations: z.array(declaration).nullish() })).nullish(),
  toolConfig: z.object({
    functionCallingConfig: z.object({
      mode: z.string().nullish(),
      allowedFunctionNames: z.array(z.string()).nullish(),
    }).nullish(),
  }).nullish(),
  generationConfig: generationConfig.nullish(),
});

export type GeminiRequest = z.output<typeof geminiRequestSchema>;
