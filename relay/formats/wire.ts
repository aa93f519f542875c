/**
 * Upstream-only wire formats: the half of a codec a provider with its own protocol needs (Bedrock Converse,
 * Cohere v2 chat). No client speaks them, so there is no request decoder or answer encoder: the relay
 * always translates a client's request through the IR to the wire and the wire's answers back.
 * A stream that is not SSE (Bedrock's `application/vnd.amazon.eventstream`) brings its own parser, which
 * turns bytes into `SseEvent`s (`event` = the message's type, `data` = its payload text).
 */
import type { SseEvent } from "../sse/event.ts";
import { SseParser } from "../sse/parser.ts";
import type { Codec } from "./codec.ts";
import { RelayError } from "./errors.ts";
import type {
  Dialect,
  IrMessage,
  IrOutputPart,
  IrPart,
  IrRequest,
  IrResponse,
  IrStreamEvent,
  IrTool,
  IrToolCallPart,
  IrToolResultPart,
} from "./ir.ts";
import { answerOrphanedCalls, refuseStoredState } from "./tool_pairing.ts";

/** Bytes → events, fed chunk by chunk (the shape of `SseParser`). */
export interface StreamEventParser {
  feed(chunk: Uint8Array, emit: (event: SseEvent) => void): void;
  finish(emit: (event: SseEvent) => void): void;
}

export interface WireCodec<DecodeState = unknown> {
  /** Short name (logs, tests). */
  readonly name: string;
  /** How its usage reads in the log: Claude-style (input excludes cache) or OpenAI-style. */
  readonly semantic: "openai" | "anthropic";
  /** The content type a stream answer must have (default `text/event-stream`). */
  readonly streamContentType?: string;
  newStreamParser?(opts: { maxBufferBytes: number }): StreamEventParser;
  /**
   * The upstream answers only as a stream (Coze's chat): the request always asks for one, and a client's
   * non-stream request gets the stream's text handed to `decodeResponse` whole (a string, not JSON).
   */
  readonly streamOnly?: boolean;
  encodeRequest(ir: IrRequest): Record<string, unknown>;
  /** Reads an answer; throws a RelayError for a body that is not one. `model`: the one asked for. */
  decodeResponse(body: unknown, model: string): IrResponse;
  newStreamDecoder(model: string): DecodeState;
  decodeStreamEvent(state: DecodeState, event: SseEvent): IrStreamEvent[];
}

function notIngress(): never {
  throw new RelayError(500, "an upstream wire format cannot be a client's dialect", {
    code: "internal_error",
  });
}

/** The wire as the upstream side of a translation (`dialect` is the channel's nominal one). */
export function wireCodec(wire: WireCodec, dialect: Dialect, model: string): Codec {
  return {
    dialect,
    decodeRequest: notIngress,
    encodeRequest: (ir) => wire.encodeRequest(ir),
    decodeResponse: (body) => wire.decodeResponse(body, model),
    encodeResponse: notIngress,
    newStreamDecoder: () => wire.newStreamDecoder(model),
    decodeStreamEvent: (state, event) => wire.decodeStreamEvent(state, event),
    newStreamEncoder: notIngress,
    encodeStreamEvent: notIngress,
    endStream: notIngress,
    failStream: notIngress,
  };
}

/**
 * One message of an OpenAI-shaped chat (the shape Cohere, Hunyuan, Spark, Zhipu and Bedrock's turns share):
 * system text in place, an assistant turn's text, reasoning and calls, one `tool` turn per tool result (ahead
 * of the user's own content, as OpenAI's `tool` messages stand), then the user's content. `parts` keeps the
 * IR parts in order for wires that take blocks; `text` is the text parts joined by newlines.
 */
export type ChatTurn =
  | { role: "system"; text: string; parts: IrPart[] }
  | { role: "user"; text: string; parts: IrPart[] }
  | { role: "assistant"; text: string; reasoning: string; calls: IrToolCallPart[]; parts: IrPart[] }
  | { role: "tool"; callId: string; text: string; result: IrToolResultPart };

const textOf = (parts: readonly IrPart[]): string =>
  parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n");

/**
 * The request's messages as chat turns, after refusing stored state and answering orphaned tool calls.
 * System turns without text and user turns with nothing but tool results are left out.
 */
export function chatTurns(ir: IrRequest): ChatTurn[] {
  refuseStoredState(ir);
  return answerOrphanedCalls(ir.messages).flatMap((m: IrMessage): ChatTurn[] => {
    if (m.role === "system") {
      const text = textOf(m.content);
      return text ? [{ role: "system", text, parts: m.content }] : [];
    }
    if (m.role === "assistant") {
      return [{
        role: "assistant",
        text: textOf(m.content),
        reasoning: m.content.flatMap((p) => (p.type === "reasoning" && p.text ? [p.text] : [])).join("\n"),
        calls: m.content.filter((p) => p.type === "tool_call"),
        parts: m.content,
      }];
    }
    const turns: ChatTurn[] = m.content.flatMap((p) =>
      p.type === "tool_result" ? [{ role: "tool", callId: p.callId, text: textOf(p.content), result: p }] : []
    );
    const own = m.content.filter((p) => p.type !== "tool_result");
    if (own.length) turns.push({ role: "user", text: textOf(own), parts: own });
    return turns;
  });
}

/** A tool's JSON Schema, or the empty object schema every wire wants in its place. */
export function toolParameters(t: IrTool): Record<string, unknown> {
  return t.parameters ?? { type: "object", properties: {} };
}

/**
 * A whole SSE stream text read as one answer, for `streamOnly` wires answering a non-stream client: the
 * wire's stream decoder runs over every event and its text, reasoning, tool calls, usage and finish are
 * gathered; an error event is thrown.
 */
export function responseFromStreamText<S>(wire: WireCodec<S>, text: string, model: string): IrResponse {
  const events: SseEvent[] = [];
  const parser = new SseParser({ maxBufferBytes: 16 << 20 });
  parser.feed(new TextEncoder().encode(text), (e) => events.push(e));
  parser.finish((e) => events.push(e));
  const state = wire.newStreamDecoder(model);
  const ir: IrResponse = { id: "", model, content: [], finishReason: "stop" };
  let answer = "";
  let reasoning = "";
  const calls: Extract<IrOutputPart, { type: "tool_call" }>[] = [];
  for (const ev of events) {
    for (const e of wire.decodeStreamEvent(state, ev)) {
      if (e.type === "error") throw e.error;
      if (e.type === "start") {
        ir.id = e.id;
        if (e.created) ir.created = e.created;
      } else if (e.type === "text") answer += e.text;
      else if (e.type === "reasoning") reasoning += e.text;
      else if (e.type === "tool_call_start") {
        calls[e.index] = { type: "tool_call", id: e.id, name: e.name, arguments: "" };
      } else if (e.type === "tool_call_delta" && calls[e.index]) calls[e.index].arguments += e.arguments;
      else if (e.type === "usage") ir.usage = e.usage;
      else if (e.type === "finish") ir.finishReason = e.reason;
    }
  }
  if (reasoning) ir.content.push({ type: "reasoning", text: reasoning });
  if (answer) ir.content.push({ type: "text", text: answer });
  ir.content.push(...calls.filter(Boolean));
  return ir;
}
