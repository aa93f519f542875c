/**
 * `application/vnd.amazon.eventstream` → events, for ConverseStream. Each binary message (4-byte total
 * length, 4-byte headers length, prelude CRC, headers, payload, message CRC) is cut from the byte stream
 * here and decoded, CRCs checked, by `@smithy/eventstream-codec` (the AWS SDK's own codec). An `event`
 * message becomes `{event: <:event-type>, data: <payload>}`; an `exception` or `error` message becomes
 * `{event: "exception", data: {"type", "message"}}` for the Converse decoder to turn into an error.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import type { SseEvent } from "../../sse/event.ts";
import { SseBufferLimitError, SseUndecodableError } from "../../sse/parser.ts";
import type { StreamEventParser } from "../../formats/wire.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** HTTP statuses of ConverseStream's exceptions (Bedrock API reference, ConverseStream "Errors"). */
const EXCEPTION_STATUS: Record<string, number> = {
  throttlingException: 429,
  validationException: 400,
  modelStreamErrorException: 424,
  modelTimeoutException: 408,
  internalServerException: 500,
  serviceUnavailableException: 503,
};
const decoder = new TextDecoder();

function header(headers: Record<string, { type: string; value: unknown }>, name: string): string | undefined {
  const h = headers[name];
  return h && typeof h.value === "string" ? h.value : undefined;
}

export class EventStreamParser implements StreamEventParser {
  readonly #max: number;
  #buf = new Uint8Array(0);

  constructor(opts: { maxBufferBytes: number }) {
    this.#max = opts.maxBufferBytes;
  }

  feed(chunk: Uint8Array, emit: (event: SseEvent) => void): void {
    if (chunk.length === 0) return;
    const joined = new Uint8Array(this.#buf.length + chunk.length);
    joined.set(this.#buf);
    joined.set(chunk, this.#buf.length);
    let pos = 0;
    while (joined.length - pos >= 4) {
      const total = new DataView(joined.buffer, joined.byteOffset + pos, 4).getUint32(0);
      if (total < 16) {
        throw new SseUndecodableError("an eventstream message shorter than its prelude", String(total));
      }
      if (total > this.#max) throw new SseBufferLimitError(this.#max);
      if (joined.length - pos < total) break;
      emit(this.#event(joined.subarray(pos, pos + total)));
      pos += total;
    }
    this.#buf = joined.slice(pos);
  }

  finish(_emit: (event: SseEvent) => void): void {
    if (this.#buf.length) {
      throw new SseUndecodableError("a cut eventstream message", `${this.#buf.length} bytes`);
    }
  }

  #event(bytes: Uint8Array): SseEvent {
    let message;
    try {
      message = codec.decode(bytes);
    } catch (e) {
      throw new SseUndecodableError(
        "an eventstream message that does not decode",
        String((e as Error).message),
      );
    }
    const headers = message.headers as Record<string, { type: string; value: unknown }>;
    const kind = header(headers, ":message-type") ?? "event";
    const body = decoder.decode(message.body);
    if (kind === "event") return { event: header(headers, ":event-type") ?? "", data: body || "{}" };
    const type = header(headers, ":exception-type") ?? header(headers, ":error-code") ?? "error";
    let text = header(headers, ":error-message") ?? "";
    try {
      const parsed = JSON.parse(body);
      if (typeof parsed?.message === "string") text = parsed.message;
      else if (typeof parsed?.Message === "string") text = parsed.Message;
    } catch {
      text ||= body.slice(0, 500);
    }
    const status = EXCEPTION_STATUS[type] ?? 500;
    return {
      event: "exception",
      data: JSON.stringify({ error: { code: status, type, message: text || type } }),
    };
  }
}
