/** The relay-facing entry point: pass-through detection and the stream wrappers. */
import type { SseEvent } from "../../../relay/sse/event.ts";
import { RelayError } from "../../../relay/formats/errors.ts";
import { translateEventStream, translation, translatorTransform } from "../../../relay/formats/translate.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { fixtureStream } from "./conformance/matrix.ts";

async function drain(stream: ReadableStream<SseEvent>): Promise<SseEvent[]> {
  return await Array.fromAsync(stream);
}

Deno.test("same dialect means pass-through, different dialects translate", () => {
  assertEquals(translation("claude", "claude").passthrough, true);
  assertEquals(translation("claude", "gemini").passthrough, false);
  assertEquals(
    translation("claude", "claude", { thinkingToContent: true }).passthrough,
    true,
    "flag is Chat-only",
  );
});

Deno.test("translatorTransform pipes events and writes the terminator on flush", async () => {
  const t = translation("openai_chat", "claude").streamTranslator({ created: 1, includeUsage: true });
  const out = await drain(
    ReadableStream.from(fixtureStream("claude", "text")).pipeThrough(translatorTransform(t)),
  );
  assertEquals(out.at(-1), { data: "[DONE]" });
  assertEquals(out.filter((e) => e.data === "[DONE]").length, 1);
  assertEquals(t.usage?.outputTokens, 96);
  assertEquals([t.outputChars, t.toolCalls], ["Hello there.".length, 0]);
});

Deno.test("translateEventStream turns a failing upstream read into the client's error event", async () => {
  const events = fixtureStream("openai_chat", "text").slice(0, 2);
  const source = new ReadableStream<SseEvent>({
    start(c) {
      events.forEach((e) => c.enqueue(e));
      c.error(new Error("connection reset"));
    },
  });
  const t = translation("claude", "openai_chat").streamTranslator({ created: 1 });
  const out = await drain(
    translateEventStream(source, t, () => new RelayError(502, "upstream connection lost")),
  );
  assertEquals(out.at(-1), {
    event: "error",
    data: '{"type":"error","error":{"type":"api_error","message":"upstream connection lost"}}',
  });
  assert(!out.some((e) => e.event === "message_stop"));
});

Deno.test("translateEventStream ends a complete upstream with exactly one terminator", async () => {
  const t = translation("openai_responses", "gemini").streamTranslator({ created: 1 });
  const out = await drain(
    translateEventStream(
      ReadableStream.from(fixtureStream("gemini", "text")),
      t,
      () => new RelayError(502, "x"),
    ),
  );
  assertEquals(out.filter((e) => e.event === "response.completed").length, 1);
  assertEquals(out.at(-1)!.event, "response.completed");
});

Deno.test("a pass-through Claude stream cut after message_delta still gets message_stop", () => {
  const input = fixtureStream("claude", "text");
  const t = translation("claude", "claude").streamTranslator();
  const out = [...input.slice(0, -1).flatMap((e) => t.push(e)), ...t.end()];
  assertEquals(out.at(-1), { event: "message_stop", data: '{"type":"message_stop"}' });
});

Deno.test("fail() after the stream finished adds nothing; fail() mid-stream closes it", () => {
  const t = translation("openai_chat", "openai_chat").streamTranslator();
  fixtureStream("openai_chat", "text").forEach((e) => t.push(e));
  assertEquals(t.fail(new RelayError(504, "idle timeout")), []);
  const mid = translation("openai_chat", "claude").streamTranslator({ created: 1 });
  mid.push(fixtureStream("claude", "text")[0]);
  const err = mid.fail(new RelayError(504, "idle timeout"));
  assertEquals(JSON.parse(err[0].data).error.message, "idle timeout");
  assertEquals(mid.end(), []);
});
