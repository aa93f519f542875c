/** `SseEventReader` gives what `body.pipeThrough(sseParserStream(...))` gives: events, errors, cancellation. */
import type { SseEvent } from "../../../relay/sse/event.ts";
import { SseEventReader } from "../../../relay/sse/event_reader.ts";
import { SseBufferLimitError, sseParserStream, SseUndecodableError } from "../../../relay/sse/parser.ts";
import { assert, assertEquals, assertRejects } from "../../support/assert.ts";

const encoder = new TextEncoder();
const MB = 1024 * 1024;

async function readAll(reader: SseEventReader): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for (;;) {
    const next = await reader.read();
    if (next.done) return events;
    events.push(next.value);
  }
}

async function viaPipe(chunks: Uint8Array[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of ReadableStream.from(chunks).pipeThrough(sseParserStream({ maxBufferBytes: MB }))) {
    events.push(e);
  }
  return events;
}

Deno.test("the event reader yields the same events as the parser stream, for every chunking", async () => {
  const transcript = encoder.encode(
    'data: {"a":1}\n\nevent: delta\nid: 7\ndata: one\ndata: two\n\n: ping\r\n\r\ndata: 你好\r\rdata: [DONE]\n\n',
  );
  for (const size of [1, 2, 3, 5, 8, 13, transcript.length]) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < transcript.length; i += size) chunks.push(transcript.slice(i, i + size));
    const got = await readAll(new SseEventReader(ReadableStream.from(chunks), { maxBufferBytes: MB }));
    assertEquals(got, await viaPipe(chunks), `chunks of ${size}`);
    assertEquals(got.length, 4);
  }
});

Deno.test("an unterminated final event is dropped, and done repeats after the end", async () => {
  const reader = new SseEventReader(ReadableStream.from([encoder.encode("data: a\n\ndata: cut")]), {
    maxBufferBytes: MB,
  });
  assertEquals(await readAll(reader), [{ data: "a" }]);
  assertEquals((await reader.read()).done, true);
});

Deno.test("the body's error reaches the reader as it is", async () => {
  const boom = new Error("upstream reset");
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulls++ === 0) c.enqueue(encoder.encode("data: first\n\n"));
      else c.error(boom);
    },
  }, { highWaterMark: 0 });
  const reader = new SseEventReader(body, { maxBufferBytes: MB });
  assertEquals(await reader.read(), { done: false, value: { data: "first" } });
  const err = await reader.read().then(() => undefined, (e) => e);
  assert(err === boom, "the same error object");
});

Deno.test("a line past the buffer limit rejects with SseBufferLimitError and cancels the body", async () => {
  let cancelled: unknown;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(encoder.encode("data: " + "x".repeat(100)));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const reader = new SseEventReader(body, { maxBufferBytes: 64 });
  await assertRejects(() => reader.read(), SseBufferLimitError);
  assert(cancelled instanceof SseBufferLimitError, "the body was cancelled with the error");
});

Deno.test("cancel during a pending read resolves it as done and cancels the body", async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    cancel() {
      cancelled = true;
    },
  });
  const reader = new SseEventReader(body, { maxBufferBytes: MB });
  const pending = reader.read();
  await reader.cancel();
  assertEquals(await pending, { done: true, value: undefined });
  assert(cancelled);
  assertEquals((await reader.read()).done, true);
});

Deno.test("a garbage line: the events before it in the same chunk come first, then the error", async () => {
  let cancelled: unknown;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(encoder.encode("data: one\n\ndata: two\n\n<html>\ndata: three\n\n"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const reader = new SseEventReader(body, { maxBufferBytes: MB, rejectUnknownLines: true });
  assertEquals(await reader.read(), { done: false, value: { data: "one" } });
  assertEquals(await reader.read(), { done: false, value: { data: "two" } });
  await assertRejects(() => reader.read(), SseUndecodableError);
  assert(cancelled instanceof SseUndecodableError, "the body was cancelled with the error");
});

Deno.test("take returns the events parsed from the last chunk in order, then undefined; read goes on", async () => {
  const chunks = [encoder.encode("data: 1\n\ndata: 2\n\ndata: 3\n\n"), encoder.encode("data: 4\n\n")];
  const reader = new SseEventReader(ReadableStream.from(chunks), { maxBufferBytes: MB });
  assertEquals(reader.take(), undefined, "nothing parsed before the first read");
  assertEquals((await reader.read()).value, { data: "1" });
  assertEquals(reader.buffered, 2);
  assertEquals([reader.take(), reader.take(), reader.take()], [{ data: "2" }, { data: "3" }, undefined]);
  assertEquals(reader.buffered, 0);
  assertEquals((await reader.read()).value, { data: "4" });
  assertEquals((await reader.read()).done, true);
});
