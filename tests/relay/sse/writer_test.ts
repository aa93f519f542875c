import type { SseEvent } from "../../../relay/sse/event.ts";
import {
  encodeSseComment,
  encodeSseEvent,
  formatSseEvent,
  sseWriterStream,
} from "../../../relay/sse/writer.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

const decoder = new TextDecoder();

Deno.test("writes data-only events as OpenAI does", () => {
  assertEquals(formatSseEvent({ data: '{"a":1}' }), 'data: {"a":1}\n\n');
  assertEquals(formatSseEvent({ data: "[DONE]" }), "data: [DONE]\n\n");
});

Deno.test("writes the event line first for named events (the Anthropic SDK dispatches on it)", () => {
  assertEquals(
    formatSseEvent({ event: "message_stop", data: '{"type":"message_stop"}' }),
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  );
});

Deno.test("splits multi-line data into one data line each, whatever the line ending", () => {
  assertEquals(formatSseEvent({ data: "a\nb\r\nc\rd" }), "data: a\ndata: b\ndata: c\ndata: d\n\n");
  assertEquals(formatSseEvent({ data: "" }), "data: \n\n");
  assertEquals(formatSseEvent({ data: "end\n" }), "data: end\ndata: \n\n");
});

Deno.test("writes id and retry", () => {
  assertEquals(formatSseEvent({ id: "42", retry: 3000, data: "x" }), "id: 42\nretry: 3000\ndata: x\n\n");
});

Deno.test("refuses fields that would break the framing", () => {
  assertThrows(() => formatSseEvent({ event: "a\nb", data: "x" }), TypeError);
  assertThrows(() => formatSseEvent({ id: "a\rb", data: "x" }), TypeError);
  assertThrows(() => formatSseEvent({ id: "a\0b", data: "x" }), TypeError);
  assertThrows(() => formatSseEvent({ retry: -1, data: "x" }), TypeError);
  assertThrows(() => encodeSseComment("a\nb"), TypeError);
});

Deno.test("comments are keep-alive frames", () => {
  assertEquals(decoder.decode(encodeSseComment()), ":\n\n");
  assertEquals(decoder.decode(encodeSseComment("keep-alive")), ": keep-alive\n\n");
});

Deno.test("the writer stream emits one UTF-8 chunk per event", async () => {
  const events: SseEvent[] = [{ data: "é" }, { event: "x", data: "🎉" }];
  const chunks: Uint8Array[] = [];
  await ReadableStream.from(events).pipeThrough(sseWriterStream()).pipeTo(
    new WritableStream({ write: (c) => void chunks.push(c) }),
  );
  assertEquals(chunks.map((c) => decoder.decode(c)), ["data: é\n\n", "event: x\ndata: 🎉\n\n"]);
  assertEquals(chunks[0], encodeSseEvent(events[0]));
});
