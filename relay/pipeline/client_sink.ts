/**
 * The response body of a relayed stream: the relay writes encoded events as they come and waits while the
 * client's buffer is full (a few events at most are queued, so memory stays bounded however long the
 * stream runs). When the client goes away (the body is cancelled) writes become no-ops and `onGone` runs
 * once, so the relay can decide at once whether to drain the upstream for usage or close it. Events are
 * written as SSE, or as the elements of one JSON array (Gemini's `streamGenerateContent` without `alt=sse`).
 */
import type { SseEvent } from "../sse/event.ts";
import { encodeSseEvent, formatSseEvent } from "../sse/writer.ts";

export type StreamFraming = "sse" | "json_array";

const encoder = new TextEncoder();

export class ClientSink {
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #wake?: () => void;
  #gone = false;
  #closed = false;
  /** Bytes written so far (the client may not have read them all yet). */
  written = 0;
  onGone?: () => void;
  readonly framing: StreamFraming;
  #elements = 0;

  constructor(framing: StreamFraming = "sse", queued = 8) {
    this.framing = framing;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#resume(),
      cancel: () => this.markGone(),
    }, new CountQueuingStrategy({ highWaterMark: queued }));
  }

  get gone(): boolean {
    return this.#gone;
  }

  markGone(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#resume();
    this.onGone?.();
  }

  #resume(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Queues bytes; resolves when the client can take more (or is gone). */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.#gone || this.#closed) return;
    try {
      this.#controller.enqueue(bytes);
      this.written += bytes.byteLength;
    } catch {
      this.markGone();
      return;
    }
    while (!this.#gone && (this.#controller.desiredSize ?? 0) <= 0) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Writes the events as one chunk (they are ready together, so nothing waits for the others). */
  async writeEvents(events: readonly SseEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (events.length === 1 && this.framing === "sse") return await this.write(encodeSseEvent(events[0]));
    let text = "";
    for (const ev of events) {
      text += this.framing === "sse"
        ? formatSseEvent(ev)
        : `${this.#elements++ === 0 ? "[" : ",\r\n"}${ev.data}`;
    }
    await this.write(encoder.encode(text));
  }

  close(): void {
    if (this.#closed) return;
    if (this.framing === "json_array" && !this.#gone) {
      try {
        this.#controller.enqueue(encoder.encode(this.#elements === 0 ? "[]" : "]"));
      } catch { /* already cancelled */ }
    }
    this.#closed = true;
    if (this.#gone) return;
    try {
      this.#controller.close();
    } catch { /* already cancelled */ }
  }
}
