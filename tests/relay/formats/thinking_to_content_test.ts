/** New API's `thinking_to_content`: reasoning shown to OpenAI Chat clients as `<think>` content. */
import { translation } from "../../../relay/formats/translate.ts";
import { assertEquals } from "../../support/assert.ts";
import { ENCODE_OPTS, fixtureJson, fixtureStream } from "./conformance/matrix.ts";

const deltas = (events: { data: string }[]) =>
  events.flatMap((
    e,
  ) => (e.data === "[DONE]"
    ? []
    : JSON.parse(e.data).choices?.map((c: { delta: unknown }) => c.delta) ?? [])
  );

Deno.test("reasoning streams as <think> content, closed when the answer starts", () => {
  const t = translation("openai_chat", "claude", { thinkingToContent: true }).streamTranslator(ENCODE_OPTS);
  const out = fixtureStream("claude", "thinking").flatMap((e) => t.push(e)).concat(t.end());
  assertEquals(deltas(out), [
    { role: "assistant", content: "" },
    { content: "<think>\nCompare tenths:" },
    { content: " 8 > 1" },
    { content: "\n</think>\n9.8 is greater." },
    {},
  ]);
});

Deno.test("a chat upstream is re-encoded when the flag is on (no pass-through)", () => {
  const tr = translation("openai_chat", "openai_chat", { thinkingToContent: true });
  assertEquals(tr.passthrough, false);
  const t = tr.streamTranslator(ENCODE_OPTS);
  const out = fixtureStream("openai_chat", "thinking").flatMap((e) => t.push(e)).concat(t.end());
  const text = deltas(out).map((d: { content?: string }) => d.content ?? "").join("");
  assertEquals(text, "<think>\nCompare tenths: 8 > 1\n</think>\n9.8 is greater.");
  assertEquals(deltas(out).some((d: { reasoning_content?: string }) => d.reasoning_content), false);
});

Deno.test("the tag closes before tool calls and at the end", () => {
  const t = translation("openai_chat", "gemini", { thinkingToContent: true }).streamTranslator(ENCODE_OPTS);
  const thoughtThenCall = [
    {
      data:
        '{"candidates":[{"content":{"role":"model","parts":[{"text":"Plan.","thought":true}]}}],"responseId":"r"}',
    },
    {
      data:
        '{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP"}]}',
    },
  ];
  const out = thoughtThenCall.flatMap((e) => t.push(e)).concat(t.end());
  const d = deltas(out);
  assertEquals([d[1].content, d[2].content, d[3].tool_calls[0].function.name], [
    "<think>\nPlan.",
    "\n</think>\n",
    "f",
  ]);
});

Deno.test("non-stream answers get the same wrapping", () => {
  const { body } = translation("openai_chat", "openai_chat", { thinkingToContent: true }).translateResponse(
    fixtureJson("openai_chat", "thinking.response"),
  );
  const msg =
    (body as { choices: { message: { content: string; reasoning_content?: string } }[] }).choices[0].message;
  assertEquals([msg.content, msg.reasoning_content], [
    "<think>\nCompare tenths: 8 > 1\n</think>\n9.8 is greater.",
    undefined,
  ]);
});
