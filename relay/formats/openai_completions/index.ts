/**
 * The legacy Completions codec (`POST /v1/completions`), ingress only: channels that do not serve the
 * endpoint themselves (Claude, Gemini, wire adapters) get the prompt as one user turn through the chat
 * codecs, and their answers come back as `text_completion` objects and chunks. OpenAI-style channels get
 * the body as it is (pass-through), so token-array prompts, `echo`, `suffix` and `logprobs` stay theirs.
 */
import type { SseEvent } from "../../sse/event.ts";
import type { Codec, StreamEncodeOptions } from "../codec.ts";
import { invalidRequest, type RelayError, renderStreamError } from "../errors.ts";
import { effectiveFinish } from "../finish.ts";
import type { IrFinishReason, IrRequest, IrResponse, IrStreamEvent, IrUsage } from "../ir.ts";
import { openAiChatCodec } from "../openai_chat/index.ts";
import { irFinishToChat } from "../openai_chat/finish.ts";
import { irUsageToChat } from "../openai_chat/usage.ts";

type Json = Record<string, unknown>;

/** Fields that keep their meaning when the prompt becomes a chat turn. */
const SHARED = [
  "model",
  "stream",
  "stream_options",
  "max_tokens",
  "temperature",
  "top_p",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "user",
];

/** What only a Completions upstream can do: refused rather than silently dropped. */
const NATIVE_ONLY = ["suffix", "echo", "logprobs", "best_of"];

function promptText(prompt: unknown): string {
  if (typeof prompt === "string") return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === "string") return prompt[0];
  throw invalidRequest(
    "prompt: this channel serves a single text prompt (token arrays and prompt lists need a Completions upstream)",
    "prompt",
  );
}

/** A Completions body as the IR: the prompt is the one user message. */
export function decodeCompletionsRequest(body: unknown): IrRequest {
  const json = (body ?? {}) as Json;
  for (const f of NATIVE_ONLY) {
    const v = json[f];
    if (v !== undefined && v !== null && v !== false && v !== "" && !(f === "best_of" && v === 1)) {
      throw invalidRequest(`${f}: not supported on this channel (it needs a Completions upstream)`, f);
    }
  }
  if (typeof json.n === "number" && json.n > 1) {
    throw invalidRequest("n: this channel returns one completion per request", "n");
  }
  const chat: Json = { messages: [{ role: "user", content: promptText(json.prompt) }] };
  for (const f of SHARED) if (json[f] !== undefined) chat[f] = json[f];
  return openAiChatCodec.decodeRequest(chat);
}

export function completionId(id: string): string {
  return id.startsWith("cmpl-") ? id : `cmpl-${id.replace(/^chatcmpl-/, "") || crypto.randomUUID()}`;
}

function finishOf(reason: IrFinishReason | undefined): string {
  return irFinishToChat(effectiveFinish(reason, false));
}

export function encodeCompletionsResponse(ir: IrResponse, opts: StreamEncodeOptions = {}): Json {
  const text = ir.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
  const out: Json = {
    id: completionId(ir.id),
    object: "text_completion",
    created: ir.created ?? opts.created ?? Math.floor(Date.now() / 1000),
    model: opts.model ?? ir.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finishOf(ir.finishReason) }],
  };
  if (ir.usage) out.usage = irUsageToChat(ir.usage);
  return out;
}

export interface CompletionsEncodeState {
  opts: StreamEncodeOptions;
  /** `{"id":…,"object":"text_completion","created":…,"model":…,` written once. */
  head?: string;
  finished: boolean;
  closed: boolean;
  usage?: IrUsage;
}

function begin(s: CompletionsEncodeState, id = "", model = "", created?: number): void {
  if (s.head) return;
  const t = created ?? s.opts.created ?? Math.floor(Date.now() / 1000);
  s.head = `{"id":${JSON.stringify(completionId(id))},"object":"text_completion","created":${t},"model":${
    JSON.stringify(s.opts.model ?? model)
  },`;
}

function chunk(s: CompletionsEncodeState, text: string, finish: string | null = null): SseEvent {
  const choice = JSON.stringify({ text, index: 0, logprobs: null, finish_reason: finish });
  return { data: `${s.head}"choices":[${choice}]}` };
}

function finish(s: CompletionsEncodeState, out: SseEvent[], reason?: IrFinishReason): void {
  if (s.finished) return;
  s.finished = true;
  begin(s);
  out.push(chunk(s, "", finishOf(reason)));
}

function endStream(s: CompletionsEncodeState): SseEvent[] {
  if (s.closed) return [];
  const out: SseEvent[] = [];
  finish(s, out);
  if (s.opts.includeUsage && s.usage) {
    out.push({ data: `${s.head}"choices":[],"usage":${JSON.stringify(irUsageToChat(s.usage))}}` });
  }
  out.push({ data: "[DONE]" });
  s.closed = true;
  return out;
}

function failStream(s: CompletionsEncodeState, err: RelayError): SseEvent[] {
  if (s.closed) return [];
  s.closed = true;
  return renderStreamError("openai_chat", err);
}

function encodeStreamEvent(s: CompletionsEncodeState, ev: IrStreamEvent): SseEvent[] {
  if (s.closed) return [];
  switch (ev.type) {
    case "start":
      begin(s, ev.id, ev.model, ev.created);
      return [];
    case "end":
      return endStream(s);
    case "error":
      return failStream(s, ev.error);
    case "text":
      begin(s);
      return ev.text ? [chunk(s, ev.text)] : [];
    case "usage":
      s.usage = ev.usage;
      return [];
    case "finish": {
      const out: SseEvent[] = [];
      finish(s, out, ev.reason);
      return out;
    }
    default:
      // Completions have no slot for reasoning or tool calls.
      return [];
  }
}

/** Encoding only: a Completions request never goes upstream through the IR. */
function notUpstream(): never {
  throw new Error("the completions codec is ingress only");
}

export const openAiCompletionsCodec: Codec<unknown, CompletionsEncodeState> = {
  dialect: "openai_chat",
  decodeRequest: decodeCompletionsRequest,
  encodeRequest: notUpstream,
  decodeResponse: notUpstream,
  encodeResponse: encodeCompletionsResponse,
  newStreamDecoder: notUpstream,
  decodeStreamEvent: notUpstream,
  newStreamEncoder: (opts = {}) => ({ opts, finished: false, closed: false }),
  encodeStreamEvent,
  endStream,
  failStream,
};
