/**
 * Regression tests for §5.8 and §5.9: provider-bound signatures survive a round trip through a client of
 * another dialect (inside that client's opaque slots) and are replayed byte for byte to the provider that
 * made them, never to another one.
 */
import type { Dialect } from "../../../relay/formats/ir.ts";
import {
  unwrapReasoningSignature,
  unwrapToolCallId,
  wrapReasoningSignature,
  wrapToolCallId,
} from "../../../relay/formats/signature.ts";
import { translation } from "../../../relay/formats/translate.ts";
import { DUMMY_THOUGHT_SIGNATURE } from "../../../relay/formats/gemini/request_encode.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { collectStream, ENCODE_OPTS, fixtureJson, fixtureStream, GEMINI_CTX } from "./conformance/matrix.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const TOOLS = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];

/** The next request a client of `client` sends after a tool call with id `id`, built in its own dialect. */
function followUp(client: Dialect, id: string): Json {
  switch (client) {
    case "openai_chat":
      return {
        model: "m",
        tools: TOOLS,
        messages: [
          { role: "user", content: "Weather in Oslo?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{
              id,
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
            }],
          },
          { role: "tool", tool_call_id: id, content: '{"temp_c":3}' },
        ],
      };
    case "claude":
      return {
        model: "m",
        max_tokens: 100,
        messages: [
          { role: "user", content: "Weather in Oslo?" },
          {
            role: "assistant",
            content: [{ type: "tool_use", id, name: "get_weather", input: { city: "Oslo" } }],
          },
          { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: '{"temp_c":3}' }] },
        ],
      };
    default:
      return {
        model: "m",
        input: [
          { role: "user", content: "Weather in Oslo?" },
          { type: "function_call", call_id: id, name: "get_weather", arguments: '{"city":"Oslo"}' },
          { type: "function_call_output", call_id: id, output: '{"temp_c":3}' },
        ],
      };
  }
}

for (const client of ["openai_chat", "claude", "openai_responses"] as const) {
  Deno.test(`gemini_thought_signature_roundtrip through a ${client} client`, () => {
    const tr = translation(client, "gemini").streamTranslator(ENCODE_OPTS);
    const out = fixtureStream("gemini", "tool_result").flatMap((e) => tr.push(e)).concat(tr.end());
    const call = collectStream(client, out).ir.content.find((p) => p.type === "tool_call");
    assert(call?.type === "tool_call", "the client saw the call");
    const ir = translation(client, "gemini").decodeRequest(followUp(client, call.id));
    const body = translation(client, "gemini").encodeRequest({
      ...ir,
      model: "gemini-3-pro-preview",
    }) as Json;
    const model = body.contents[1];
    assertEquals(model.role, "model");
    assertEquals(model.parts[0].thoughtSignature, "CrkCAVSoXO4", "signature replayed on the call's own part");
    assertEquals(model.parts[0].functionCall, { name: "get_weather", args: { city: "Oslo" } });
    assertEquals(body.contents[2].parts[0].functionResponse.name, "get_weather");
  });
}

Deno.test("gemini_thought_signature_only_on_first_parallel_call", () => {
  const ir = translation("gemini", "gemini").decodeRequest(
    { contents: (fixtureJson("gemini", "parallel_tools.request") as Json).contents },
    { model: "gemini-3-pro-preview" },
  );
  const calls = ir.messages[1].content.filter((p) => p.type === "tool_call");
  calls[0] = { ...calls[0], signature: "SIG", origin: "gemini" } as typeof calls[0];
  ir.messages[1] = { ...ir.messages[1], content: calls };
  const body = translation("openai_chat", "gemini").encodeRequest(ir) as Json;
  assertEquals(body.contents[1].parts.map((p: Json) => p.thoughtSignature), ["SIG", undefined]);
});

Deno.test("gemini3_unsigned_call_gets_the_documented_dummy_signature", () => {
  const tr = translation("openai_chat", "gemini");
  const ir = tr.decodeRequest(fixtureJson("openai_chat", "parallel_tools.request"));
  const g3 = tr.encodeRequest({ ...ir, model: "gemini-3-pro-preview" }) as Json;
  assertEquals(g3.contents[1].parts.map((p: Json) => p.thoughtSignature), [
    DUMMY_THOUGHT_SIGNATURE,
    undefined,
  ]);
  const g25 = tr.encodeRequest({ ...ir, model: "gemini-2.5-flash" }) as Json;
  assertEquals(g25.contents[1].parts.map((p: Json) => p.thoughtSignature), [undefined, undefined]);
});

Deno.test("claude_signature_roundtrip_through_a_responses_client", () => {
  const answer = translation("openai_responses", "claude").translateResponse(
    fixtureJson("claude", "thinking.response"),
    ENCODE_OPTS,
  )
    .body as Json;
  const [thinking, redacted] = answer.output;
  // Codex sends the reasoning items back as they came (with `include: ["reasoning.encrypted_content"]`).
  const next = {
    model: "claude-sonnet-4-5",
    input: [{ role: "user", content: "Which is greater, 9.8 or 9.11?" }, thinking, redacted, {
      type: "message",
      role: "assistant",
      content: [{ type: "output_text", text: "9.8 is greater." }],
    }, { role: "user", content: "Why?" }],
  };
  const tr = translation("openai_responses", "claude");
  const body = tr.encodeRequest(tr.decodeRequest(next)) as Json;
  assertEquals(body.messages[1].content, [
    { type: "thinking", thinking: "Compare tenths: 8 > 1", signature: "EqQBCkYIBxgCKkA" },
    { type: "redacted_thinking", data: "EmwKAhgBEgy3" },
    { type: "text", text: "9.8 is greater." },
  ]);
});

Deno.test("claude_signature_roundtrip_through_a_gemini_client_stream", () => {
  const tr = translation("gemini", "claude").streamTranslator(ENCODE_OPTS);
  const out = fixtureStream("claude", "thinking").flatMap((e) => tr.push(e)).concat(tr.end());
  // A Gemini client keeps the streamed parts as they came and sends them back as the model turn.
  const parts = out.flatMap((e) => JSON.parse(e.data).candidates[0].content.parts).filter((p: Json) =>
    p.text !== "" || p.thoughtSignature
  );
  const back = translation("gemini", "claude");
  const ir = back.decodeRequest({
    contents: [{ role: "user", parts: [{ text: "Which is greater?" }] }, { role: "model", parts }, {
      role: "user",
      parts: [{ text: "Why?" }],
    }],
  }, GEMINI_CTX);
  const body = back.encodeRequest({ ...ir, model: "claude-sonnet-4-5" }) as Json;
  assertEquals(body.messages[1].content, [
    { type: "thinking", thinking: "Compare tenths: 8 > 1", signature: "EqQBCkYIBxgCKkA" },
    { type: "redacted_thinking", data: "EmwKAhgBEgy3" },
    { type: "text", text: "9.8 is greater." },
  ]);
});

Deno.test("foreign_signatures_are_never_sent_to_another_provider", () => {
  const claudeThinking = fixtureJson("claude", "thinking.request");
  const gem = translation("claude", "gemini");
  const body = JSON.stringify(gem.encodeRequest(gem.decodeRequest(claudeThinking)));
  assert(!body.includes("EqQBCkYIBxgCKkA") && !body.includes('"thought"'), body);
  const responsesThinking = fixtureJson("openai_responses", "thinking.request");
  const cl = translation("openai_responses", "claude");
  const claudeBody = JSON.stringify(cl.encodeRequest(cl.decodeRequest(responsesThinking)));
  assert(!claudeBody.includes("gAAAAABoRx1") && !claudeBody.includes('"thinking"'), claudeBody);
});

Deno.test("claude_thinking_disabled_when_the_tool_loop_lacks_its_signed_block", () => {
  const tr = translation("openai_chat", "claude");
  const ir = tr.decodeRequest(fixtureJson("openai_chat", "thinking.request"));
  const body = tr.encodeRequest({ ...ir, model: "claude-sonnet-4-5" }) as Json;
  assertEquals(body.thinking, undefined, "no fabricated thinking block, thinking off for this request");
  const signed = translation("claude", "claude", { forceTranslate: true });
  const kept = signed.encodeRequest(signed.decodeRequest(fixtureJson("claude", "thinking.request"))) as Json;
  assertEquals(kept.thinking, { type: "enabled", budget_tokens: 2048 });
});

Deno.test("signature envelopes: every origin is recognised, raw values stay raw", () => {
  for (const origin of ["openai_chat", "openai_responses", "claude", "gemini"] as const) {
    for (const target of ["openai_chat", "openai_responses", "claude", "gemini"] as const) {
      const wrapped = wrapReasoningSignature(target, { origin, signature: "Sig+/=", id: "rs_1" });
      const back = unwrapReasoningSignature(target, wrapped);
      assertEquals(back.origin, origin);
      assertEquals(back.signature, "Sig+/=");
      if (origin !== target) {
        assertEquals(back.id, "rs_1");
        assert(/^[A-Za-z0-9+/]+=*$/.test(wrapped), "valid base64 for Gemini SDKs that decode bytes");
      }
      const id = wrapToolCallId(target, "call_1", "Sig+/=", origin);
      assert(/^[A-Za-z0-9_-]+$/.test(id), "Claude's tool id pattern");
      assertEquals(
        unwrapToolCallId(id),
        origin === target ? { id: "call_1" } : { id: "call_1", signature: "Sig+/=", origin },
      );
    }
  }
  assertEquals(unwrapReasoningSignature("claude", "EqQBCkYI"), { origin: "claude", signature: "EqQBCkYI" });
  assertEquals(unwrapReasoningSignature("gemini", "bmRnMQpX!!"), {
    origin: "gemini",
    signature: "bmRnMQpX!!",
  });
  assertEquals(unwrapToolCallId("toolu_01A"), { id: "toolu_01A" });
});
