import type { SseEvent } from "../../../relay/sse/event.ts";
import {
  SseBufferLimitError,
  SseParser,
  sseParserStream,
  SseUndecodableError,
} from "../../../relay/sse/parser.ts";
import { assert, assertEquals, assertRejects } from "../../support/assert.ts";

const encoder = new TextEncoder();
const MB = 1024 * 1024;

async function parseChunks(
  chunks: (string | Uint8Array)[],
  maxBufferBytes = MB,
  dispatchUnterminated = false,
) {
  const bytes = chunks.map((c) => (typeof c === "string" ? encoder.encode(c) : c));
  const events: SseEvent[] = [];
  await ReadableStream.from(bytes)
    .pipeThrough(sseParserStream({ maxBufferBytes, dispatchUnterminated }))
    .pipeTo(new WritableStream({ write: (e) => void events.push(e) }));
  return events;
}

/** Splits bytes at the given offsets. */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(bytes.subarray(prev, cut));
    prev = cut;
  }
  out.push(bytes.subarray(prev));
  return out;
}

function parseSync(chunks: Uint8Array[], maxBufferBytes = MB): SseEvent[] {
  const parser = new SseParser({ maxBufferBytes });
  const events: SseEvent[] = [];
  for (const c of chunks) parser.feed(c, (e) => events.push(e));
  parser.finish((e) => events.push(e));
  return events;
}

/** A deterministic PRNG so "random" tests replay the same cases. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

Deno.test("parses OpenAI-style data-only events and [DONE]", async () => {
  const events = await parseChunks(['data: {"a":1}\n\n', 'data: {"b":2}\n\ndata: [DONE]\n\n']);
  assertEquals(events, [{ data: '{"a":1}' }, { data: '{"b":2}' }, { data: "[DONE]" }]);
});

Deno.test("parses named events with id and retry", async () => {
  const events = await parseChunks([
    'event: message_start\nid: 7\nretry: 1500\ndata: {}\n\nevent: ping\ndata: {"type":"ping"}\n\n',
  ]);
  assertEquals(events, [
    { event: "message_start", id: "7", retry: 1500, data: "{}" },
    { event: "ping", data: '{"type":"ping"}' },
  ]);
});

Deno.test("accepts LF, CR and CRLF line endings, mixed", async () => {
  const lf = await parseChunks(["data: a\n\ndata: b\n\n"]);
  const cr = await parseChunks(["data: a\r\rdata: b\r\r"]);
  const crlf = await parseChunks(["data: a\r\n\r\ndata: b\r\n\r\n"]);
  const mixed = await parseChunks(["data: a\r\n\rdata: b\n\r\n"]);
  for (const events of [lf, cr, crlf, mixed]) assertEquals(events, [{ data: "a" }, { data: "b" }]);
});

Deno.test("joins multi-line data with LF", async () => {
  assertEquals(await parseChunks(["data: one\ndata: two\r\ndata:three\n\n"]), [{ data: "one\ntwo\nthree" }]);
});

Deno.test("ignores comments and keep-alive pings", async () => {
  assertEquals(await parseChunks([": ping\n\n:\n\ndata: x\n: inside\ndata: y\n\n"]), [{ data: "x\ny" }]);
});

Deno.test("strips exactly one space after the colon; no colon means empty value", async () => {
  assertEquals(await parseChunks(["data:  two spaces\n\ndata\n\ndata:\n\n"]), [
    { data: " two spaces" },
    { data: "" },
    { data: "" },
  ]);
});

Deno.test("does not dispatch blocks without data and ignores unknown fields", async () => {
  assertEquals(await parseChunks(["event: lonely\n\nfoo: bar\nDATA: no\ndata: yes\n\n"]), [{ data: "yes" }]);
});

Deno.test("ignores an id containing NUL and a non-numeric retry", async () => {
  assertEquals(await parseChunks(["id: a\0b\nretry: 10s\ndata: x\n\n"]), [{ data: "x" }]);
});

Deno.test("strips a BOM at the start of the stream only, even when split", async () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
  assertEquals(await parseChunks([bom.subarray(0, 1), bom.subarray(1), "data: x\n\n"]), [{ data: "x" }]);
  // A BOM later is part of the field name, which makes the field unknown.
  assertEquals(await parseChunks(["data: x\n\n", bom, "data: y\n\ndata: z\n\n"]), [{ data: "x" }, {
    data: "z",
  }]);
});

Deno.test("drops an unterminated final event unless asked to dispatch it", async () => {
  assertEquals(await parseChunks(["data: a\n\ndata: [DONE]\n"]), [{ data: "a" }]);
  assertEquals(await parseChunks(["data: a\n\ndata: [DONE]"]), [{ data: "a" }]);
  assertEquals(await parseChunks(["data: a\n\ndata: [DONE]"], MB, true), [{ data: "a" }, { data: "[DONE]" }]);
  assertEquals(await parseChunks(["data: a\n\ndata: [DONE]\r"], MB, true), [{ data: "a" }, {
    data: "[DONE]",
  }]);
});

Deno.test("a CRLF split across chunks counts as one line end", async () => {
  assertEquals(await parseChunks(["data: a\r", "\n", "\r", "\ndata: b\r", "\n\r\n"]), [{ data: "a" }, {
    data: "b",
  }]);
});

Deno.test("multi-byte UTF-8 split across chunks decodes intact", async () => {
  const bytes = encoder.encode("data: héllo 世界 🎉\n\n");
  for (let cut = 1; cut < bytes.length; cut++) {
    assertEquals(await parseChunks(splitAt(bytes, [cut])), [{ data: "héllo 世界 🎉" }], `cut at ${cut}`);
  }
});

Deno.test("every two-way split of a mixed transcript gives the same events", () => {
  const transcript = encoder.encode(
    '\uFEFFevent: message_start\r\ndata: {"t":"ü"}\r\n\r\n: ping\r\ndata: a\rdata: b\r\rid: 9\ndata: 🎉\n\n',
  );
  const expected = parseSync([transcript]);
  assertEquals(expected, [
    { event: "message_start", data: '{"t":"ü"}' },
    { data: "a\nb" },
    { id: "9", data: "🎉" },
  ]);
  for (let i = 0; i <= transcript.length; i++) {
    for (let j = i; j <= transcript.length; j++) {
      assertEquals(parseSync(splitAt(transcript, [i, j])), expected, `cuts ${i},${j}`);
    }
  }
  const byteByByte = Array.from(transcript, (b) => new Uint8Array([b]));
  assertEquals(parseSync(byteByByte), expected);
});

Deno.test("feed copies what it keeps, so a reused input buffer cannot corrupt a pending line", () => {
  const parser = new SseParser({ maxBufferBytes: MB });
  const events: SseEvent[] = [];
  const buf = encoder.encode("data: abc");
  parser.feed(buf, (e) => events.push(e));
  buf.fill(0x7a);
  parser.feed(encoder.encode("def\n\n"), (e) => events.push(e));
  assertEquals(events, [{ data: "abcdef" }]);
});

Deno.test("property: random events survive writer framing and random chunking", async () => {
  const { encodeSseEvent } = await import("../../../relay/sse/writer.ts");
  const next = rng(42);
  const alphabet = ["a", "b", " ", ":", "é", "世", "🎉", "\n", "\r\n", "{", '"', "data: "];
  const pick = () => alphabet[Math.floor(next() * alphabet.length)];
  for (let round = 0; round < 200; round++) {
    const events: SseEvent[] = [];
    const count = 1 + Math.floor(next() * 6);
    for (let k = 0; k < count; k++) {
      let data = "";
      const len = Math.floor(next() * 12);
      for (let c = 0; c < len; c++) data += pick();
      const e: SseEvent = { data };
      if (next() < 0.5) e.event = `ev_${k}`;
      if (next() < 0.2) e.id = String(k);
      if (next() < 0.1) e.retry = k * 100;
      events.push(e);
    }
    const parts = events.map(encodeSseEvent);
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.length;
    }
    const cuts = Array.from({ length: Math.floor(next() * 8) }, () => Math.floor(next() * whole.length));
    const expected = events.map((e) => ({ ...e, data: e.data.replace(/\r\n/g, "\n") }));
    assertEquals(await parseChunks(splitAt(whole, cuts)), expected, `round ${round}`);
  }
});

Deno.test("a line longer than the buffer limit errors the stream with SseBufferLimitError", async () => {
  const err = await assertRejects(
    () => parseChunks(["data: ", "x".repeat(600), "x".repeat(600), "\n\n"], 1024),
    SseBufferLimitError,
  );
  assertEquals((err as SseBufferLimitError).limitBytes, 1024);
  // The same line arriving in one chunk is refused too.
  await assertRejects(() => parseChunks([`data: ${"x".repeat(2000)}\n\n`], 1024), SseBufferLimitError);
});

Deno.test("one event's data is bounded too, not just each line", async () => {
  const manyLines = Array.from({ length: 40 }, () => `data: ${"y".repeat(40)}\n`).join("");
  await assertRejects(() => parseChunks([manyLines, "\n"], 1024), SseBufferLimitError);
});

Deno.test("lines up to the limit pass", async () => {
  const line = `data: ${"z".repeat(1018)}`; // 1024 bytes without the line end
  const events = await parseChunks([line.slice(0, 500), line.slice(500), "\n\n"], 1024);
  assertEquals(events.length, 1);
  assertEquals(events[0].data.length, 1018);
});

Deno.test("work is linear: a 16 MB line in 1 KB chunks does not rescan the buffer", () => {
  const parser = new SseParser({ maxBufferBytes: 64 * MB });
  const piece = new Uint8Array(1024).fill(0x61);
  const events: SseEvent[] = [];
  const started = performance.now();
  parser.feed(encoder.encode("data: "), (e) => events.push(e));
  for (let i = 0; i < 16 * 1024; i++) parser.feed(piece, (e) => events.push(e));
  parser.feed(encoder.encode("\n\n"), (e) => events.push(e));
  const elapsed = performance.now() - started;
  assertEquals(events.length, 1);
  assertEquals(events[0].data.length, 16 * MB);
  // A parser that re-scans its pending buffer per chunk does ~128 GB of work here (minutes).
  assert(elapsed < 5000, `took ${elapsed.toFixed(0)} ms`);
});

Deno.test("many small events in one chunk are all dispatched", () => {
  const text = Array.from({ length: 5000 }, (_, i) => `data: ${i}\n\n`).join("");
  const events = parseSync([encoder.encode(text)]);
  assertEquals(events.length, 5000);
  assertEquals(events[4999], { data: "4999" });
});

Deno.test("rejectUnknownLines: a line that is no field throws; comments, fields and blank lines do not", () => {
  const strict = () => new SseParser({ maxBufferBytes: MB, rejectUnknownLines: true });
  const events: SseEvent[] = [];
  strict().feed(
    encoder.encode(": ping\n\nevent: x\nid: 1\nretry: 5\ndata: a\n\n\ndata\n\nevent\n\n"),
    (e) => void events.push(e),
  );
  assertEquals(events, [{ event: "x", id: "1", retry: 5, data: "a" }, { data: "" }]);
  for (const junk of ["<html>\n", '{"error":{}}\n', "Data: x\n", "\xff\xfe\n"]) {
    let err: unknown;
    try {
      strict().feed(encoder.encode(`data: a\n\n${junk}`), () => {});
    } catch (e) {
      err = e;
    }
    assert(err instanceof SseUndecodableError, junk);
    assert(err.message.includes(JSON.stringify(junk.trimEnd())), err.message);
  }
  // The spec's parser ignores such lines.
  const lax: SseEvent[] = [];
  new SseParser({ maxBufferBytes: MB }).feed(encoder.encode("<html>\ndata: a\n\n"), (e) => void lax.push(e));
  assertEquals(lax, [{ data: "a" }]);
});
