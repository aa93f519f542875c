/** The playground's SSE reader: data payloads across chunk boundaries, CRLF, multi-line data, comments. */
import { assertEquals } from "../support/assert.ts";
import { sseData } from "../../client/sse_data.ts";

async function collect(chunks: string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  const out: string[] = [];
  for await (const data of sseData(ReadableStream.from(chunks.map((c) => encoder.encode(c))))) out.push(data);
  return out;
}

Deno.test("events split anywhere, CRLF or LF, comments skipped, multi-line data joined", async () => {
  assertEquals(
    await collect(['data: {"a":', "1}\r\n\r\n: keep-alive\n\nda", "ta: x\ndata: y\n\n", "data: [DONE]\n\n"]),
    ['{"a":1}', "x\ny", "[DONE]"],
  );
});

Deno.test("a last event without a blank line is still delivered; an emoji split across chunks survives", async () => {
  const bytes = new TextEncoder().encode("data: 🙂");
  const out: string[] = [];
  const stream = ReadableStream.from([bytes.slice(0, 8), bytes.slice(8)]);
  for await (const d of sseData(stream)) out.push(d);
  assertEquals(out, ["🙂"]);
  assertEquals(await collect(["data:no-space"]), ["no-space"]);
});
