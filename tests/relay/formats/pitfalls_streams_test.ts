/** Regression tests for the stream-side pitfalls of wire-formats.md §5 and gateway-lessons §4.2. */
import type { SseEvent } from "../../../relay/sse/event.ts";
import type { Dialect } from "../../../relay/formats/ir.ts";
import { translation } from "../../../relay/formats/translate.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { parseSseTranscript } from "../../support/sse_fixture.ts";
import { collectStream, DIALECTS, ENCODE_OPTS, fixtureStream } from "./conformance/matrix.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const run = (client: Dialect, upstream: Dialect, input: SseEvent[], opts = ENCODE_OPTS) => {
  const tr = translation(client, upstream, { forceTranslate: true }).streamTranslator(opts);
  return { out: [...input.flatMap((e) => tr.push(e)), ...tr.end()], tr };
};

const chunk = (delta: Json, finish: string | null = null) => ({
  data: JSON.stringify({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta, finish_reason: finish }],
  }),
});
const call = (index: number, extra: Json) => ({ tool_calls: [{ index, ...extra }] });

Deno.test("chat_interleaved_parallel_calls_are_serialised_for_claude (§5.5, §5.6)", () => {
  const input = [
    chunk({
      role: "assistant",
      ...call(0, { id: "a", type: "function", function: { name: "f", arguments: "" } }),
    }),
    chunk(call(1, { id: "b", type: "function", function: { name: "g", arguments: "" } })),
    chunk(call(0, { function: { arguments: '{"x":' } })),
    chunk(call(1, { function: { arguments: '{"y":' } })),
    chunk(call(0, { id: "a", function: { arguments: "1}" } })),
    chunk(call(1, { function: { arguments: "2}" } })),
    chunk({}, "tool_calls"),
    { data: "[DONE]" },
  ];
  const { out } = run("claude", "openai_chat", input);
  const blocks = out.filter((e) => e.event?.startsWith("content_block")).map((e) => {
    const d = JSON.parse(e.data);
    return `${d.type}:${d.index}:${d.content_block?.id ?? d.delta?.partial_json ?? ""}`;
  });
  assertEquals(blocks, [
    "content_block_start:0:a",
    'content_block_delta:0:{"x":',
    "content_block_delta:0:1}",
    "content_block_stop:0:",
    "content_block_start:1:b",
    'content_block_delta:1:{"y":',
    "content_block_delta:1:2}",
    "content_block_stop:1:",
  ]);
});

Deno.test("chat_repeated_ids_and_whole_arguments_make_one_call (§1.3c)", () => {
  const input = [
    chunk(call(0, { id: "a", type: "function", function: { name: "f", arguments: '{"x":1}' } })),
    chunk(call(0, { id: "a", type: "function", function: { name: "f" } })),
    chunk({}, "tool_calls"),
    { data: "[DONE]" },
  ];
  const calls =
    collectStream("openai_responses", run("openai_responses", "openai_chat", input).out).ir.content;
  assertEquals(calls, [{
    type: "tool_call",
    id: "a",
    name: "f",
    arguments: '{"x":1}',
    signature: undefined,
  }]);
});

Deno.test("claude_placeholder_input_is_never_forwarded (§5.6)", () => {
  const { out } = run("openai_chat", "claude", fixtureStream("claude", "tool_result"));
  const args = out.flatMap((e) =>
    JSON.parse(e.data === "[DONE]" ? "{}" : e.data).choices?.[0]?.delta?.tool_calls ?? []
  )
    .map((c: Json) => c.function.arguments);
  assertEquals(args, ["", '{"city": "Oslo"}'], "header fragment, then exactly the streamed JSON");
});

Deno.test("chat_tool_call_index_counts_calls_only_while_claude_counts_blocks (§5.5)", () => {
  const { out } = run("openai_chat", "claude", fixtureStream("claude", "parallel_tools"));
  const starts = out.flatMap((e) =>
    e.data === "[DONE]" ? [] : JSON.parse(e.data).choices?.[0]?.delta?.tool_calls ?? []
  )
    .filter((c: Json) => c.id).map((c: Json) => [c.index, c.id]);
  assertEquals(starts, [[0, "toolu_01A"], [1, "toolu_01B"]]);
});

Deno.test("claude_stream_grammar_is_generated_from_a_state_machine (§5.7)", () => {
  for (const upstream of ["openai_chat", "openai_responses", "gemini"] as const) {
    for (const name of ["thinking", "parallel_tools", "text"]) {
      const { out } = run("claude", upstream, fixtureStream(upstream, name));
      const types = out.map((e) => {
        assertEquals(e.event, JSON.parse(e.data).type, "event: line names the type");
        return e.event!;
      });
      assertEquals(types[0], "message_start");
      assertEquals(types.slice(-2), ["message_delta", "message_stop"]);
      let open = -1;
      for (const e of out) {
        const d = JSON.parse(e.data);
        if (d.type === "content_block_start") {
          assertEquals([open, d.index], [-1, d.index], "previous block closed first");
          open = d.index;
        }
        if (d.type === "content_block_delta") assertEquals(d.index, open);
        if (d.type === "content_block_stop") {
          assertEquals(d.index, open);
          open = -1;
        }
      }
      assertEquals(open, -1, `${upstream}/${name}: every block closed`);
    }
  }
});

Deno.test("gemini_stop_with_function_call_is_a_tool_call_finish (§5 finish table)", () => {
  const { out } = run("claude", "gemini", fixtureStream("gemini", "tool_result"));
  const delta = JSON.parse(out.find((e) => e.event === "message_delta")!.data);
  assertEquals(delta.delta.stop_reason, "tool_use");
  const chat = run("openai_chat", "gemini", fixtureStream("gemini", "parallel_tools")).out;
  assert(chat.some((e) => e.data.includes('"finish_reason":"tool_calls"')));
});

Deno.test("usage_chunk_is_hidden_from_a_chat_client_that_did_not_ask (§5.12)", () => {
  const input = fixtureStream("openai_chat", "text");
  const tr = translation("openai_chat", "openai_chat").streamTranslator({ includeUsage: false });
  const out = [...input.flatMap((e) => tr.push(e)), ...tr.end()];
  assertEquals(out.length, input.length - 1);
  assert(!out.some((e) => e.data.includes('"usage":{')), "no usage chunk");
  assertEquals(tr.usage?.cacheReadTokens, 1920, "still billed");
  const translated = run("openai_chat", "claude", fixtureStream("claude", "text"), {
    created: 1,
    includeUsage: false,
  });
  assert(!translated.out.some((e) => e.data.includes('"usage"')));
  assertEquals(translated.tr.usage?.outputTokens, 96);
});

Deno.test("claude_message_start_reports_zero_input_when_usage_comes_late (§5.12)", () => {
  const { out } = run("claude", "openai_chat", fixtureStream("openai_chat", "text"));
  const start = JSON.parse(out[0].data).message.usage;
  const end = JSON.parse(out.find((e) => e.event === "message_delta")!.data).usage;
  assertEquals([start.input_tokens, end.input_tokens, end.cache_read_input_tokens, end.output_tokens], [
    0,
    220,
    1920,
    96,
  ]);
});

const CUT = parseSseTranscript(
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n',
);

function endsWithError(client: Dialect, out: SseEvent[]): void {
  const last = out.at(-1)!;
  const text = JSON.stringify(out);
  assert(
    !text.includes("[DONE]") && !text.includes("message_stop") && !text.includes("response.completed"),
    text,
  );
  if (client === "claude") assertEquals(last.event, "error");
  else if (client === "openai_responses") assertEquals(last.event, "response.failed");
  else assert(JSON.parse(last.data).error, `${client}: last event is an error body`);
}

Deno.test("truncated_upstream_stream_ends_with_an_error_event_never_a_clean_end (gateway-lessons #13)", () => {
  for (const client of DIALECTS) {
    const t = translation(client, "openai_chat").streamTranslator(ENCODE_OPTS);
    const out = [...CUT.flatMap((e) => t.push(e)), ...t.end()];
    endsWithError(client, out);
    assert(!t.completed);
    assertEquals(t.end(), [], "nothing after the error");
  }
});

Deno.test("mid_stream_upstream_error_is_rendered_in_the_client_dialect (§5.19)", () => {
  const overloaded = parseSseTranscript(
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"c","usage":{"input_tokens":5}}}\n\n' +
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
  );
  for (const client of DIALECTS) {
    const t = translation(client, "claude", { forceTranslate: true }).streamTranslator(ENCODE_OPTS);
    const out = [...overloaded.flatMap((e) => t.push(e)), ...t.end()];
    endsWithError(client, out);
    assertEquals(t.upstreamError?.status, 529);
    const body = out.map((e) => JSON.parse(e.data)).find((d) => d.error || d.type === "error")!;
    if (client === "gemini") assertEquals([body.error.code, body.error.status], [503, "UNAVAILABLE"]);
    if (client === "claude") assertEquals(body.error.type, "overloaded_error");
    if (client === "openai_chat") assertEquals(body.error.message, "Overloaded");
  }
});

Deno.test("responses_stream_error_keeps_sequence_numbers_gapless", () => {
  const t = translation("openai_responses", "openai_chat").streamTranslator(ENCODE_OPTS);
  const out = [...CUT.flatMap((e) => t.push(e)), ...t.end()];
  const seq = out.map((e) => JSON.parse(e.data).sequence_number);
  assertEquals(seq, seq.map((_, i) => i));
  assertEquals(out.at(-2)!.event, "error");
});

Deno.test("gemini_stream_without_terminator_is_complete_once_finish_reason_arrived (§4.4)", () => {
  const { out, tr } = run("claude", "gemini", fixtureStream("gemini", "text"));
  assert(tr.completed);
  assertEquals(out.at(-1)!.event, "message_stop");
  const pass = translation("gemini", "gemini").streamTranslator();
  const input = fixtureStream("gemini", "text");
  assertEquals([...input.flatMap((e) => pass.push(e)), ...pass.end()], input);
  const cut = translation("gemini", "gemini").streamTranslator();
  cut.push(input[0]);
  assert(JSON.parse(cut.end()[0].data).error, "a Gemini stream cut before finishReason gets an error chunk");
});
