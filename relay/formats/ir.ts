/**
 * The internal representation (IR) every codec decodes into and encodes from: a superset of OpenAI Chat,
 * OpenAI Responses, Anthropic Messages and Gemini generateContent, for requests, answers and stream events.
 */
import type { RelayError } from "./errors.ts";

export type Dialect = "openai_chat" | "openai_responses" | "claude" | "gemini";

/** Anthropic prompt-cache breakpoint; other dialects cache implicitly and drop it. */
export interface IrCacheControl {
  type: "ephemeral";
  ttl?: "5m" | "1h";
}

/** Where media bytes live: a URL (http(s) only, never fetched by a codec), inline base64, or a file id. */
export type IrMediaSource =
  | { kind: "url"; url: string; mediaType?: string }
  | { kind: "base64"; mediaType: string; data: string }
  | { kind: "file_id"; fileId: string };

export interface IrTextPart {
  type: "text";
  text: string;
  cacheControl?: IrCacheControl;
}

export interface IrImagePart {
  type: "image";
  source: IrMediaSource;
  /** OpenAI `detail` (auto/low/high). */
  detail?: string;
  cacheControl?: IrCacheControl;
}

/** A document (PDF, text...) sent as input. */
export interface IrFilePart {
  type: "file";
  source: IrMediaSource;
  filename?: string;
  cacheControl?: IrCacheControl;
}

export interface IrAudioPart {
  type: "audio";
  /** base64 bytes */
  data: string;
  /** "wav" | "mp3" ... */
  format: string;
}

/**
 * Model reasoning. `signature` is opaque and valid only for the dialect in `origin` (Claude `signature` or
 * `redacted_thinking.data`, Gemini `thoughtSignature`, Responses `encrypted_content`); encoders replay it
 * byte for byte to that dialect and drop it elsewhere (see signature.ts for how it survives a foreign client).
 */
export interface IrReasoningPart {
  type: "reasoning";
  text: string;
  origin?: Dialect;
  signature?: string;
  /** Claude `redacted_thinking`: `signature` holds its `data`, `text` is empty. */
  redacted?: boolean;
  /** Responses reasoning item id (`rs_...`), needed to replay it. */
  id?: string;
}

export interface IrToolCallPart {
  type: "tool_call";
  id: string;
  name: string;
  /** JSON text of the arguments object, exactly as the model produced it ("" means {}). */
  arguments: string;
  /** Gemini `thoughtSignature` on the functionCall part (origin "gemini"). */
  signature?: string;
  origin?: Dialect;
}

export interface IrToolResultPart {
  type: "tool_result";
  callId: string;
  /** Function name when the source dialect carries it (Gemini needs it, and encoders look it up otherwise). */
  name?: string;
  content: (IrTextPart | IrImagePart)[];
  isError?: boolean;
  cacheControl?: IrCacheControl;
}

export type IrPart =
  | IrTextPart
  | IrImagePart
  | IrFilePart
  | IrAudioPart
  | IrReasoningPart
  | IrToolCallPart
  | IrToolResultPart;

/**
 * One turn. System prompts stay where the client put them (role "system"), so a mid-conversation system
 * message is kept; encoders for single-slot dialects hoist them in order. Tool results are `tool_result`
 * parts of a user turn (OpenAI `tool` messages fold into one user turn, results first).
 */
export interface IrMessage {
  role: "system" | "user" | "assistant";
  content: IrPart[];
  /** OpenAI `developer` role (a system message for o-series and later). */
  developer?: boolean;
}

export interface IrTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: IrCacheControl;
}

export type IrToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string };

export type IrEffort = "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

/**
 * Reasoning controls, whatever the dialect spelled: OpenAI `reasoning_effort`/`reasoning.effort`, Claude
 * `thinking` (+ `output_config.effort`), Gemini `thinkingConfig`. `enabled: false` is "none"/disabled/budget 0.
 */
export interface IrReasoningConfig {
  enabled: boolean;
  effort?: IrEffort;
  budgetTokens?: number;
  /** Claude adaptive thinking. */
  adaptive?: boolean;
  /** Return reasoning text to the client (Gemini `includeThoughts`, Responses `summary`). */
  includeThoughts?: boolean;
  /** Responses `reasoning.summary`. */
  summary?: string;
}

export type IrResponseFormat =
  | { type: "json_object" }
  | {
    type: "json_schema";
    name: string;
    schema: Record<string, unknown>;
    strict?: boolean;
    description?: string;
  };

export interface IrRequest {
  model: string;
  messages: IrMessage[];
  stream: boolean;
  /** The client asked for usage in the stream (OpenAI `stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Output limit, reasoning included (`max_completion_tokens`/`max_tokens`/`max_output_tokens`). */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  tools?: IrTool[];
  toolChoice?: IrToolChoice;
  parallelToolCalls?: boolean;
  reasoning?: IrReasoningConfig;
  responseFormat?: IrResponseFormat;
  /** End-user id (OpenAI `user`, Claude `metadata.user_id`). */
  user?: string;
  metadata?: Record<string, string>;
  /** Claude top-level `cache_control`. */
  cacheControl?: IrCacheControl;
  /** Responses chaining: only a Responses upstream can honour it; other encoders refuse with a 400. */
  previousResponseId?: string;
  /** Responses `store`. */
  store?: boolean;
}

/**
 * Normalised token usage. The four counters are disjoint, so the prompt the upstream read is
 * `inputTokens + cacheReadTokens + cacheWriteTokens` and the total is that plus `outputTokens`:
 * - `inputTokens`: prompt tokens neither read from nor written to a cache (Claude's `input_tokens`;
 *   OpenAI's `prompt_tokens` minus cached minus cache-write; Gemini's `promptTokenCount` minus cached);
 * - `cacheReadTokens`: prompt tokens served from cache; `cacheWriteTokens`: prompt tokens written to cache
 *   (`cacheWrite5mTokens` + `cacheWrite1hTokens` when the upstream splits them by TTL);
 * - `outputTokens`: everything generated, reasoning included; `reasoningTokens` is the part of it that was
 *   reasoning (Gemini reports thoughts apart; they are added in here).
 */
export interface IrUsage {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  outputTokens: number;
  reasoningTokens: number;
}

/** The prompt as the upstream counted it, cache included (OpenAI's `prompt_tokens`). */
export function promptTokens(u: IrUsage): number {
  return u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
}

export function totalTokens(u: IrUsage): number {
  return promptTokens(u) + u.outputTokens;
}

export function emptyUsage(): IrUsage {
  return { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };
}

/**
 * Why generation stopped. "tool_calls" is decided by encoders from the presence of calls too (Gemini ends
 * calls with STOP). Unknown upstream reasons map to "stop".
 */
export type IrFinishReason =
  | "stop"
  | "stop_sequence"
  | "length"
  | "context_length"
  | "tool_calls"
  | "content_filter"
  | "refusal"
  | "pause"
  | "malformed_tool_call";

/** Parts an answer can hold. */
export type IrOutputPart = IrTextPart | IrReasoningPart | IrToolCallPart;

export interface IrResponse {
  id: string;
  model: string;
  /** Unix seconds. */
  created?: number;
  content: IrOutputPart[];
  finishReason: IrFinishReason;
  stopSequence?: string;
  usage?: IrUsage;
}

/**
 * One step of a streamed answer. Blocks are implicit: a change of kind (text, reasoning, a new call) closes
 * the previous block, and a `reasoning_signature` closes the reasoning block it signs. Tool calls are
 * sequential: once call i+1 starts, call i gets no more deltas (the OpenAI Chat decoder buffers
 * interleaved calls to keep that promise). `usage` events are full snapshots: assign, never add.
 */
export type IrStreamEvent =
  | { type: "start"; id: string; model: string; created?: number }
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string }
  | { type: "reasoning_signature"; signature: string; origin: Dialect; id?: string }
  | { type: "redacted_reasoning"; data: string; origin: Dialect }
  | { type: "tool_call_start"; index: number; id: string; name: string; signature?: string; origin?: Dialect }
  | { type: "tool_call_delta"; index: number; arguments: string }
  | { type: "usage"; usage: IrUsage }
  | { type: "finish"; reason: IrFinishReason; stopSequence?: string }
  | { type: "error"; error: RelayError }
  /** The upstream's own terminator ([DONE], message_stop, response.completed). */
  | { type: "end" };
