/**
 * The official `openai` SDK reaches a Claude channel and a Gemini channel through translation: text
 * (non-stream and stream), parallel tool calls (whole and assembled by the SDK's stream helper), a tool
 * result turn and reasoning (`reasoning_effort` in, `reasoning_content` out) — each equal in content to
 * what the fake answers the translated request straight, and billed from the upstream's usage.
 */
import type OpenAI from "openai";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { gatewayClient, settled, userQuota } from "../../support/relay.ts";
import { expectedQuota, nativeSetup, replay, UPSTREAMS } from "../../support/native_relay.ts";
import { CODECS } from "../../../relay/formats/translate.ts";
import type { IrResponse } from "../../../relay/formats/ir.ts";

const fn = (name: string, prop: string): OpenAI.ChatCompletionTool => ({
  type: "function",
  function: { name, parameters: { type: "object", properties: { [prop]: { type: "string" } } } },
});

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

const text = (ir: IrResponse) => ir.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
const reasoning = (ir: IrResponse) =>
  ir.content.flatMap((p) => (p.type === "reasoning" ? [p.text] : [])).join("");
const calls = (ir: IrResponse) =>
  ir.content.flatMap((p) => (p.type === "tool_call" ? [[p.name, JSON.parse(p.arguments)]] : []));

for (const upstream of UPSTREAMS.filter((u) => u.kind !== "openai")) {
  appTest(`the openai SDK reaches a ${upstream.kind} channel: text, tools, reasoning`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    const gw = gatewayClient(h, s.key);
    const model = upstream.model;
    /** The fake's answer to what the gateway sent, made non-stream, read by the upstream's codec. */
    const reference = async (): Promise<IrResponse> => {
      const sent = fake.lastRequest()!;
      const url = new URL(sent.url);
      url.pathname = url.pathname.replace(":streamGenerateContent", ":generateContent");
      url.searchParams.delete("alt");
      const body = { ...sent.json };
      delete body.stream;
      const res = await replay(
        fake,
        {
          ...sent,
          url,
          method: "POST",
          headers: sent.headers,
          body: new TextEncoder().encode(JSON.stringify(body)),
        } as typeof sent,
      );
      return CODECS[upstream.dialect].decodeResponse(await res.json());
    };

    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Tell me about the river delta" },
    ];
    const before = await userQuota(h, s.userId);
    const answer = await gw.chat.completions.create({ model, messages });
    const ref = await reference();
    assertEquals(answer.choices[0].message.content, text(ref));
    assertEquals(answer.choices[0].finish_reason, "stop");
    assertEquals(answer.model, model);
    assertEquals(answer.usage!.completion_tokens, ref.usage!.outputTokens);
    await settled(h);
    assertEquals(
      before - await userQuota(h, s.userId),
      expectedQuota({ input: ref.usage!.inputTokens, output: ref.usage!.outputTokens }),
    );

    const chunks = await collect(
      await gw.chat.completions.create({
        model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    assertEquals(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), text(ref));
    assertEquals(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason), [
      "stop",
    ]);
    assertEquals(chunks.at(-1)!.usage!.completion_tokens, ref.usage!.outputTokens);

    // Two parallel calls, then the turn with both results.
    const tools = [fn("get_weather", "city"), fn("get_time", "zone")];
    const ask: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: "Weather in Oslo and the time in Lima? [fake:calls=2]",
    };
    const called = await gw.chat.completions.create({ model, messages: [ask], tools });
    const refCalls = calls(await reference());
    assertEquals(refCalls.length, 2);
    const got = called.choices[0].message.tool_calls!;
    assertEquals(
      got.map((c) => c.type === "function" ? [c.function.name, JSON.parse(c.function.arguments)] : []),
      refCalls,
    );
    assertEquals(called.choices[0].finish_reason, "tool_calls");
    const final = await gw.chat.completions.stream({ model, messages: [ask], tools }).finalChatCompletion();
    assertEquals(
      final.choices[0].message.tool_calls!.map((c) => c.type === "function" ? c.function.name : ""),
      [
        "get_weather",
        "get_time",
      ],
    );
    assertEquals(final.choices[0].message.tool_calls, got);
    const results = await gw.chat.completions.create({
      model,
      tools,
      messages: [
        ask,
        called.choices[0].message,
        ...got.map((c) => ({ role: "tool" as const, tool_call_id: c.id, content: `result of ${c.id}` })),
      ],
    });
    const sentResults = fake.lastRequest()!.json;
    const refAfter = await reference();
    assertEquals(results.choices[0].message.content, text(refAfter));
    assertEquals(results.choices[0].finish_reason, "stop");
    if (upstream.kind === "claude") {
      const turn = sentResults.messages.at(-1);
      assertEquals(turn.role, "user");
      assertEquals(turn.content.map((b: { type: string }) => b.type), ["tool_result", "tool_result"]);
    } else {
      const turn = sentResults.contents.at(-1);
      assertEquals(turn.parts.map((p: { functionResponse: { name: string } }) => p.functionResponse.name), [
        "get_weather",
        "get_time",
      ]);
    }

    // Reasoning: effort in, reasoning_content out (whole and streamed).
    const think = { model, messages: [{ role: "user" as const, content: "Is 9.11 larger than 9.8?" }] };
    const thought = await gw.chat.completions.create({ ...think, reasoning_effort: "high" });
    const sentThink = fake.lastRequest()!.json;
    if (upstream.kind === "claude") assertEquals(sentThink.thinking.type, "enabled");
    else assertEquals(sentThink.generationConfig.thinkingConfig.includeThoughts, true);
    const refThought = await reference();
    assert(reasoning(refThought).length > 0, "the fake reasoned");
    const message = thought.choices[0].message as OpenAI.ChatCompletionMessage & {
      reasoning_content?: string;
    };
    assertEquals(message.reasoning_content, reasoning(refThought));
    assertEquals(message.content, text(refThought));
    const thoughtChunks = await collect(
      await gw.chat.completions.create({ ...think, reasoning_effort: "high", stream: true }),
    );
    const deltas = thoughtChunks.map((c) =>
      c.choices[0]?.delta as { reasoning_content?: string; content?: string }
    );
    assertEquals(deltas.map((d) => d?.reasoning_content ?? "").join(""), reasoning(refThought));
    assertEquals(deltas.map((d) => d?.content ?? "").join(""), text(refThought));
    await settled(h);
  });
}
