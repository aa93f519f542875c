/**
 * Server-sent events writer: `SseEvent` → bytes in the framing every SDK parses (`event:` line when
 * named, one `data:` line per data line, blank line after). Used for relayed and translated streams.
 */

import type { SseEvent } from "./event.ts";

const encoder = new TextEncoder();

function assertSingleLine(field: string, value: string): void {
  if (value.includes("\n") || value.includes("\r")) {
    throw new TypeError(`SSE ${field} must not contain line breaks: ${JSON.stringify(value)}`);
  }
}

/** The event's wire text, ending with the blank line that dispatches it. */
export function formatSseEvent(event: SseEvent): string {
  let out = "";
  if (event.event !== undefined && event.event !== "") {
    assertSingleLine("event name", event.event);
    out += `event: ${event.event}\n`;
  }
  if (event.id !== undefined) {
    assertSingleLine("id", event.id);
    if (event.id.includes("\0")) throw new TypeError("SSE id must not contain NUL");
    out += `id: ${event.id}\n`;
  }
  if (event.retry !== undefined) {
    if (!Number.isInteger(event.retry) || event.retry < 0) {
      throw new TypeError(`SSE retry must be a non-negative integer, got ${event.retry}`);
    }
    out += `retry: ${event.retry}\n`;
  }
  const data = event.data;
  if (data.indexOf("\n") === -1 && data.indexOf("\r") === -1) return `${out}data: ${data}\n\n`;
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + "\n";
}

export function encodeSseEvent(event: SseEvent): Uint8Array {
  return encoder.encode(formatSseEvent(event));
}

/** A comment frame (`: text`), which every client ignores: a keep-alive through idle proxies. */
export function encodeSseComment(text = ""): Uint8Array {
  assertSingleLine("comment", text);
  return encoder.encode(text === "" ? ":\n\n" : `: ${text}\n\n`);
}

/** Events in, bytes out: one encoded chunk per event, so each is flushed as it comes. */
export function sseWriterStream(): TransformStream<SseEvent, Uint8Array> {
  return new TransformStream<SseEvent, Uint8Array>({
    transform(event, controller) {
      controller.enqueue(encodeSseEvent(event));
    },
  });
}
