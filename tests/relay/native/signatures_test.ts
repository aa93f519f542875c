/**
 * Multi-turn tool use with provider signatures through the gateway, when the client and the channel speak
 * different dialects: the first answer's Claude thinking signature or Gemini thoughtSignature reaches the
 * client in its own opaque slot, the client echoes its turn back as clients do, and the second request the
 * fake receives carries the original signature byte for byte where the provider wants it.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { settled } from "../../support/relay.ts";
import { nativeSetup, replay } from "../../support/native_relay.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const schema = { type: "object", properties: { city: { type: "string" } } };

/** The fake's own answer to the last request (the signature it signed with). */
async function upstreamAnswer(fake: Awaited<ReturnType<typeof startFakeUpstream>>): Promise<Json> {
  return await (await replay(fake, fake.lastRequest()!)).json();
}

appTest("Claude thinking signatures survive Gemini and Responses clients across a tool turn", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);

  // Gemini client: thought (with its envelope) and functionCall, echoed back with the function response.
  const path = "/v1beta/models/chat-claude:generateContent";
  const auth = { "x-goog-api-key": s.key };
  const ask = { role: "user", parts: [{ text: "Weather in Oslo?" }] };
  const first = {
    contents: [ask],
    tools: [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: schema }] }],
    generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } },
  };
  const r1 = await (await h.call("POST", path, first, auth)).json();
  const signed = (await upstreamAnswer(fake)).content[0];
  assertEquals(signed.type, "thinking");
  const turn = r1.candidates[0].content;
  assertEquals(turn.parts.map((p: Json) => Object.keys(p).filter((k) => k !== "id").sort()), [
    ["text", "thought", "thoughtSignature"],
    ["functionCall"],
  ]);
  assert(turn.parts[0].thoughtSignature !== signed.signature, "a foreign signature travels in an envelope");
  const call = turn.parts[1].functionCall;
  const second = {
    ...first,
    contents: [ask, turn, {
      role: "user",
      parts: [{ functionResponse: { id: call.id, name: call.name, response: { output: { temp_c: 3 } } } }],
    }],
  };
  const r2 = await h.call("POST", path, second, auth);
  assertEquals(r2.status, 200);
  const replayed = fake.lastRequest()!.json.messages[1];
  assertEquals(replayed.role, "assistant");
  assertEquals(replayed.content[0], {
    type: "thinking",
    thinking: signed.thinking,
    signature: signed.signature,
  });
  assertEquals(replayed.content[1].type, "tool_use");
  assertEquals(fake.lastRequest()!.json.messages[2].content[0].tool_use_id, replayed.content[1].id);

  // Responses client: the reasoning item's encrypted_content carries it.
  const input = [{ role: "user", content: "Weather in Lima?" }];
  const tools = [{ type: "function", name: "get_weather", parameters: schema }];
  const rr = await (await h.call("POST", "/v1/responses", {
    model: "chat-claude",
    input,
    tools,
    reasoning: { effort: "low", summary: "auto" },
    include: ["reasoning.encrypted_content"],
  }, { authorization: `Bearer ${s.key}` })).json();
  const signedR = (await upstreamAnswer(fake)).content[0];
  const items = rr.output;
  assertEquals(items.map((i: Json) => i.type), ["reasoning", "function_call"]);
  const fc = items[1];
  const again = await h.call("POST", "/v1/responses", {
    model: "chat-claude",
    tools,
    reasoning: { effort: "low", summary: "auto" },
    input: [...input, ...items, {
      type: "function_call_output",
      call_id: fc.call_id,
      output: '{"temp_c":19}',
    }],
  }, { authorization: `Bearer ${s.key}` });
  assertEquals(again.status, 200);
  const replayedR = fake.lastRequest()!.json.messages[1];
  assertEquals(replayedR.content[0], {
    type: "thinking",
    thinking: signedR.thinking,
    signature: signedR.signature,
  });
  await settled(h);
});

appTest("Gemini thoughtSignatures survive OpenAI Chat and Claude clients across a tool turn", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);
  const tools = [{ type: "function", function: { name: "get_weather", parameters: schema } }];
  const ask = { role: "user", content: "Weather in Oslo and Lima? [fake:calls=2]" };

  // OpenAI Chat client: the signature is folded into the tool-call id, which the client echoes.
  const r1 =
    await (await h.call("POST", "/v1/chat/completions", { model: "chat-gemini", messages: [ask], tools }, {
      authorization: `Bearer ${s.key}`,
    })).json();
  const upstream = (await upstreamAnswer(fake)).candidates[0].content.parts;
  const signature = upstream[0].thoughtSignature;
  assert(typeof signature === "string" && signature.length > 0, "the fake signed its first call");
  const msg = r1.choices[0].message;
  assertEquals(msg.tool_calls.length, 2);
  const r2 = await h.call("POST", "/v1/chat/completions", {
    model: "chat-gemini",
    tools,
    messages: [
      ask,
      msg,
      ...msg.tool_calls.map((c: Json) => ({ role: "tool", tool_call_id: c.id, content: '{"temp_c":3}' })),
    ],
  }, { authorization: `Bearer ${s.key}` });
  assertEquals(r2.status, 200);
  const model = fake.lastRequest()!.json.contents[1];
  assertEquals(model.role, "model");
  assertEquals(model.parts[0].thoughtSignature, signature);
  assertEquals(model.parts[0].functionCall, upstream[0].functionCall);
  assertEquals(model.parts[1].thoughtSignature, undefined);
  const results = fake.lastRequest()!.json.contents[2].parts;
  assertEquals(results.map((p: Json) => p.functionResponse.name), ["get_weather", "get_weather"]);

  // Claude client: the same through tool_use ids (kept to Claude's id alphabet).
  const claudeAsk = { role: "user", content: "Weather in Oslo and Lima? [fake:calls=2]" };
  const claudeTools = [{ name: "get_weather", input_schema: schema }];
  const c1 = await (await h.call("POST", "/v1/messages", {
    model: "chat-gemini",
    max_tokens: 256,
    tools: claudeTools,
    messages: [claudeAsk],
  }, { "x-api-key": s.key })).json();
  const uses = c1.content.filter((b: Json) => b.type === "tool_use");
  assertEquals(uses.length, 2);
  assert(uses.every((b: Json) => /^[a-zA-Z0-9_-]+$/.test(b.id)), "valid Claude tool ids");
  const c2 = await h.call("POST", "/v1/messages", {
    model: "chat-gemini",
    max_tokens: 256,
    tools: claudeTools,
    messages: [claudeAsk, { role: "assistant", content: c1.content }, {
      role: "user",
      content: uses.map((b: Json) => ({ type: "tool_result", tool_use_id: b.id, content: "sunny" })),
    }],
  }, { "x-api-key": s.key });
  assertEquals(c2.status, 200);
  assertEquals(fake.lastRequest()!.json.contents[1].parts[0].thoughtSignature, signature);
  await settled(h);
});
