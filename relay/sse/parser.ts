/**
 * Server-sent events parser: upstream bytes → `SseEvent`s, following the WHATWG event-stream rules
 * (LF/CR/CRLF line ends, multi-line data, comments, `event`/`id`/`retry`, a leading BOM), or stricter than
 * them about lines that are no field (`rejectUnknownLines`, for upstreams). It scans each byte once and
 * holds at most one unfinished line plus one event's data, both bounded by `maxBufferBytes`
 * (`STREAM_SCANNER_MAX_BUFFER_MB`), so a hostile or broken upstream cannot grow memory without limit.
 */

import type { SseEvent } from "./event.ts";

export interface SseParserOptions {
  /** Max bytes of one line, and of one event's accumulated data. Beyond it the stream errors. */
  maxBufferBytes: number;
  /**
   * At end of input, also dispatch an event that was not closed by a blank line (the spec discards it).
   * For upstreams that end with `data: [DONE]` and no blank line. Off by default: a cut stream must not
   * look complete.
   */
  dispatchUnterminated?: boolean;
  /**
   * Throw `SseUndecodableError` on a line that is neither a comment nor a known field (`data`, `event`,
   * `id`, `retry`), where the spec ignores it: from an upstream such a line is garbage (an HTML error page
   * after the 200, a proxy's text, bare JSON), and the stream it sits in cannot be trusted to be whole.
   */
  rejectUnknownLines?: boolean;
}

/** The upstream sent a line (or one event's data) longer than the configured buffer. */
export class SseBufferLimitError extends Error {
  override name = "SseBufferLimitError";
  constructor(readonly limitBytes: number) {
    super(`SSE line or event exceeds the ${limitBytes}-byte buffer limit (STREAM_SCANNER_MAX_BUFFER_MB)`);
  }
}

/** The upstream's stream holds something that is not an event: a garbage line or undecodable data. */
export class SseUndecodableError extends Error {
  override name = "SseUndecodableError";
  /** The start of the offending line or data, as received (unredacted: redact before showing it). */
  readonly sample: string;
  constructor(what: string, text: string) {
    const sample = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    super(`upstream stream sent ${what}: ${JSON.stringify(sample)}`);
    this.sample = sample;
  }
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/**
 * The incremental core, usable without streams: `feed` bytes as they arrive, `finish` at the end; events
 * go to the callback.
 */
export class SseParser {
  readonly #max: number;
  readonly #dispatchUnterminated: boolean;
  readonly #rejectUnknown: boolean;
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** The previous chunk ended with CR: a LF starting the next chunk belongs to the same line end. */
  #skipLf = false;
  #atStart = true;
  #data: string[] = [];
  #dataBytes = 0;
  #event: string | undefined;
  #id: string | undefined;
  #retry: number | undefined;

  constructor(options: SseParserOptions) {
    if (!(options.maxBufferBytes > 0)) throw new RangeError("maxBufferBytes must be positive");
    this.#max = options.maxBufferBytes;
    this.#dispatchUnterminated = options.dispatchUnterminated ?? false;
    this.#rejectUnknown = options.rejectUnknownLines ?? false;
  }

  feed(chunk: Uint8Array, emit: (event: SseEvent) => void): void {
    const len = chunk.length;
    if (len === 0) return;
    let pos = 0;
    if (this.#skipLf) {
      this.#skipLf = false;
      if (chunk[0] === LF) pos = 1;
    }
    // Next LF/CR positions, cached so each byte is scanned once (-1: none left in this chunk).
    let nextLf = -2;
    let nextCr = -2;
    while (pos < len) {
      if (nextLf !== -1 && nextLf < pos) nextLf = chunk.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = chunk.indexOf(CR, pos);
      if (nextLf === -1 && nextCr === -1) break;
      const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      this.#line(this.#takeLine(chunk, pos, end), emit);
      if (chunk[end] === CR) {
        if (end + 1 < len) pos = chunk[end + 1] === LF ? end + 2 : end + 1;
        else {
          pos = len;
          this.#skipLf = true;
        }
      } else {
        pos = end + 1;
      }
    }
    if (pos < len) {
      const rest = len - pos;
      if (this.#pendingBytes + rest > this.#max) throw new SseBufferLimitError(this.#max);
      // Copy: the caller may reuse its buffer after feed returns.
      this.#pending.push(chunk.slice(pos));
      this.#pendingBytes += rest;
    }
  }

  /** End of input: an unfinished event is dropped (spec) unless `dispatchUnterminated` is set. */
  finish(emit: (event: SseEvent) => void): void {
    if (this.#dispatchUnterminated) {
      if (this.#pendingBytes > 0) this.#line(this.#takeLine(new Uint8Array(0), 0, 0), emit);
      this.#dispatch(emit);
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#resetEvent();
  }

  #takeLine(chunk: Uint8Array, start: number, end: number): Uint8Array {
    const size = this.#pendingBytes + (end - start);
    if (size > this.#max) throw new SseBufferLimitError(this.#max);
    if (this.#pendingBytes === 0) return chunk.subarray(start, end);
    const line = new Uint8Array(size);
    let at = 0;
    for (const part of this.#pending) {
      line.set(part, at);
      at += part.length;
    }
    line.set(chunk.subarray(start, end), at);
    this.#pending = [];
    this.#pendingBytes = 0;
    return line;
  }

  #line(line: Uint8Array, emit: (event: SseEvent) => void): void {
    if (this.#atStart) {
      this.#atStart = false;
      if (line.length >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) {
        line = line.subarray(3);
      }
    }
    if (line.length === 0) return this.#dispatch(emit);
    if (line[0] === COLON) return; // comment (keep-alive pings)
    const colon = line.indexOf(COLON);
    const nameEnd = colon === -1 ? line.length : colon;
    let valueStart = colon === -1 ? line.length : colon + 1;
    if (valueStart < line.length && line[valueStart] === SPACE) valueStart++;
    const value = line.subarray(valueStart);
    switch (fieldName(line, nameEnd)) {
      case "data":
        this.#dataBytes += value.length + 1;
        if (this.#dataBytes > this.#max) throw new SseBufferLimitError(this.#max);
        this.#data.push(this.#decoder.decode(value));
        break;
      case "event":
        this.#event = this.#decoder.decode(value);
        break;
      case "id":
        if (value.indexOf(0) === -1) this.#id = this.#decoder.decode(value);
        break;
      case "retry":
        if (value.length > 0 && value.every((b) => b >= 0x30 && b <= 0x39)) {
          this.#retry = Number(this.#decoder.decode(value));
        }
        break;
      default:
        if (this.#rejectUnknown) {
          throw new SseUndecodableError(
            "a line that is not an event",
            this.#decoder.decode(line.subarray(0, 800)),
          );
        }
    }
  }

  #dispatch(emit: (event: SseEvent) => void): void {
    if (this.#data.length === 0) return this.#resetEvent();
    const event: SseEvent = { data: this.#data.length === 1 ? this.#data[0] : this.#data.join("\n") };
    if (this.#event) event.event = this.#event;
    if (this.#id !== undefined) event.id = this.#id;
    if (this.#retry !== undefined) event.retry = this.#retry;
    this.#resetEvent();
    emit(event);
  }

  #resetEvent(): void {
    this.#data = [];
    this.#dataBytes = 0;
    this.#event = undefined;
    this.#id = undefined;
    this.#retry = undefined;
  }
}

/** The four field names the spec knows, matched on bytes (no decoding for the common case). */
function fieldName(line: Uint8Array, end: number): "data" | "event" | "id" | "retry" | undefined {
  switch (end) {
    case 4:
      return line[0] === 0x64 && line[1] === 0x61 && line[2] === 0x74 && line[3] === 0x61
        ? "data"
        : undefined;
    case 5:
      if (line[0] === 0x65 && line[1] === 0x76 && line[2] === 0x65 && line[3] === 0x6e && line[4] === 0x74) {
        return "event";
      }
      return line[0] === 0x72 && line[1] === 0x65 && line[2] === 0x74 && line[3] === 0x72 && line[4] === 0x79
        ? "retry"
        : undefined;
    case 2:
      return line[0] === 0x69 && line[1] === 0x64 ? "id" : undefined;
    default:
      return undefined;
  }
}

/** Bytes in, events out. Errors the stream with `SseBufferLimitError` when a line outgrows the limit. */
export function sseParserStream(options: SseParserOptions): TransformStream<Uint8Array, SseEvent> {
  const parser = new SseParser(options);
  let emit: (event: SseEvent) => void;
  return new TransformStream<Uint8Array, SseEvent>({
    start(controller) {
      emit = (event) => controller.enqueue(event);
    },
    transform(chunk) {
      parser.feed(chunk, emit);
    },
    flush() {
      parser.finish(emit);
    },
  });
}
