/**
 * The stream of Zhipu's v3 `sse-invoke`: SSE-like events (`event: add` with the text on `data:` lines, a
 * last `event: finish` whose `meta:` line holds the usage; `error` / `interrupted` events carry a message),
 * which the shared SSE parser cannot read: `meta` is no SSE field, and `data:` is taken verbatim after the
 * colon (New API reads it so; a leading space is text). Each event comes out as an `SseEvent` of its name
 * and data, the meta as one more event named `meta`. Bounded like the shared parser.
 */
import type { SseEvent } from "../../sse/event.ts";
import { SseBufferLimitError, SseUndecodableError } from "../../sse/parser.ts";
import type { StreamEventParser } from "../../formats/wire.ts";

export class ZhipuSseParser implements StreamEventParser {
  readonly #max: number;
  readonly #decoder = new TextDecoder();
  #rest = "";
  #event: string | undefined;
  #id: string | undefined;
  #data: string[] = [];
  #meta: string | undefined;
  #size = 0;

  constructor(opts: { maxBufferBytes: number }) {
    this.#max = opts.maxBufferBytes;
  }

  feed(chunk: Uint8Array, emit: (event: SseEvent) => void): void {
    const text = this.#rest + this.#decoder.decode(chunk, { stream: true });
    const lines = text.split(/\r\n|\r(?!$)|\n/);
    this.#rest = lines.pop() ?? "";
    if (this.#rest.length > this.#max) throw new SseBufferLimitError(this.#max);
    for (const line of lines) this.#line(line, emit);
  }

  finish(emit: (event: SseEvent) => void): void {
    const last = this.#rest + this.#decoder.decode();
    this.#rest = "";
    if (last) this.#line(last.replace(/\r$/, ""), emit);
    // The last event may end without a blank line; only a finished answer (its meta) counts then.
    if (this.#meta !== undefined) this.#dispatch(emit);
  }

  #line(line: string, emit: (event: SseEvent) => void): void {
    if (line === "") return this.#dispatch(emit);
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1);
    this.#size += value.length;
    if (this.#size > this.#max) throw new SseBufferLimitError(this.#max);
    switch (name) {
      case "data":
        this.#data.push(value);
        break;
      case "meta":
        this.#meta = value.trim();
        break;
      case "event":
        this.#event = value.trim();
        break;
      case "id":
        this.#id = value.trim();
        break;
      default:
        throw new SseUndecodableError("a line that is not an event", line.slice(0, 800));
    }
  }

  #dispatch(emit: (event: SseEvent) => void): void {
    const event = this.#event ?? "add";
    const id = this.#id;
    const data = this.#data.join("\n");
    // An empty `data:` (the finish event's) is no text; an error event is one even without a message.
    if (data || (event !== "add" && event !== "finish")) emit({ event, data, ...(id ? { id } : {}) });
    if (this.#meta !== undefined) emit({ event: "meta", data: this.#meta, ...(id ? { id } : {}) });
    this.#event = this.#id = this.#meta = undefined;
    this.#data = [];
    this.#size = 0;
  }
}
