/** The shape every dialect codec has; translate.ts pairs an ingress codec with an upstream codec. */
import type { SseEvent } from "../sse/event.ts";
import type { RelayError } from "./errors.ts";
import type { Dialect, IrRequest, IrResponse, IrStreamEvent } from "./ir.ts";

/** Request facts that live outside the body (Gemini puts model and streaming in the URL). */
export interface DecodeRequestContext {
  model?: string;
  stream?: boolean;
  /** A model named in the URL that the body's own `model` overrides (`/v1/engines/{model}/embeddings`). */
  pathModel?: string;
}

/** What a stream encoder needs to know up front. */
export interface StreamEncodeOptions {
  /** Model name shown to the client (default: the upstream's). */
  model?: string;
  /** OpenAI Chat: the client asked for the usage chunk (`stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Unix seconds for `created` fields when the upstream gives none. */
  created?: number;
}

/** Methods use shorthand on purpose: a codec with concrete states is assignable to Codec<unknown, unknown>. */
export interface Codec<DecodeState = unknown, EncodeState = unknown> {
  readonly dialect: Dialect;
  /** Validates an untrusted client body; throws a 400 RelayError naming the field. */
  decodeRequest(body: unknown, ctx?: DecodeRequestContext): IrRequest;
  /** The upstream body (for Gemini, model and stream go in the URL: read them from the IR). */
  encodeRequest(ir: IrRequest): Record<string, unknown>;
  /** Reads an upstream answer; throws a RelayError for a body that is not one. */
  decodeResponse(body: unknown): IrResponse;
  encodeResponse(ir: IrResponse, opts?: StreamEncodeOptions): Record<string, unknown>;
  newStreamDecoder(): DecodeState;
  /** One upstream event → IR; throws SseUndecodableError for data that is not an event (filler: none). */
  decodeStreamEvent(state: DecodeState, event: SseEvent): IrStreamEvent[];
  newStreamEncoder(opts?: StreamEncodeOptions): EncodeState;
  encodeStreamEvent(state: EncodeState, event: IrStreamEvent): SseEvent[];
  /** The success terminator ([DONE], message_stop, response.completed...), closing open blocks first. */
  endStream(state: EncodeState): SseEvent[];
  /** The in-stream error form, never followed by a success terminator. */
  failStream(state: EncodeState, err: RelayError): SseEvent[];
}
