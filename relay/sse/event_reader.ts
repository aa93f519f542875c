/**
 * Pulls SSE events from a byte stream on demand: one reader on the body and the parser fed as events are
 * asked for. Same events, errors and cancellation as `body.pipeThrough(sseParserStream(...)).getReader()`
 * (except that a parser error comes after the events parsed before it, not instead of them), without a
 * pipe: per open stream that saves two web streams, their controllers, queues and a few dozen closures and
 * promises, and a pipe hop per chunk. `cancel` cancels the body (closing the upstream).
 */
import type { SseEvent } from "./event.ts";
import { SseParser, type SseParserOptions } from "./parser.ts";
import type { StreamEventParser } from "../formats/wire.ts";

export class SseEventReader {
  readonly #body: ReadableStreamDefaultReader<Uint8Array>;
  readonly #parser: StreamEventParser;
  /** Events parsed from the last chunk and not read yet (`#head` is the next one). */
  #queue: SseEvent[] = [];
  #head = 0;
  #done = false;
  /** The parser's error, thrown once the events parsed before it are read. */
  #error: { cause: unknown } | undefined;
  readonly #emit = (event: SseEvent) => void this.#queue.push(event);

  /** `parser` replaces the SSE parser for a stream in another framing (Bedrock's eventstream). */
  constructor(body: ReadableStream<Uint8Array>, options: SseParserOptions, parser?: StreamEventParser) {
    this.#parser = parser ?? new SseParser(options);
    this.#body = body.getReader();
  }

  /** Events already parsed and not read yet: that many `read`s resolve without waiting for the body. */
  get buffered(): number {
    return this.#queue.length - this.#head;
  }

  /** The next event already parsed, without a promise, or undefined (then `read` waits for the body). */
  take(): SseEvent | undefined {
    return this.#head < this.#queue.length ? this.#queue[this.#head++] : undefined;
  }

  /**
   * The next event; `done` at the end of the body. Rejects with the body's error or the parser's; events
   * parsed before the parser's error (same chunk, earlier lines) are still returned first.
   */
  async read(): Promise<ReadableStreamReadResult<SseEvent>> {
    while (this.#head >= this.#queue.length) {
      if (this.#error) throw this.#error.cause;
      if (this.#done) return { done: true, value: undefined };
      this.#queue = [];
      this.#head = 0;
      const next = await this.#body.read();
      if (this.#done) return { done: true, value: undefined }; // cancelled while waiting
      try {
        if (next.done) {
          this.#done = true;
          this.#parser.finish(this.#emit);
        } else this.#parser.feed(next.value, this.#emit);
      } catch (err) {
        // A line past the buffer limit or a garbage line: the body is dropped, as the pipe would cancel its
        // source; the events before it still count (they were whole).
        this.#done = true;
        this.#error = { cause: err };
        await this.#body.cancel(err).catch(() => {});
      }
    }
    return { done: false, value: this.#queue[this.#head++] };
  }

  /** Stops reading: a pending `read` resolves `done`, and the body is cancelled. */
  cancel(reason?: unknown): Promise<void> {
    this.#done = true;
    this.#error = undefined;
    this.#queue = [];
    this.#head = 0;
    return this.#body.cancel(reason);
  }
}
