/**
 * The official `openai` SDK gets the same results through the gateway as straight from the fake upstream:
 * chat (non-stream, stream with and without usage, parallel tool calls), embeddings, the model list, and
 * the Responses API (non-stream and stream) to a channel that speaks it.
 */
import OpenAI from "openai";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, gatewayClient, relaySetup, settled } from "../../support/relay.ts";

const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } } },
  },
};
const clock = {
  type: "function" as const,
  function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } },
};

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

appTest("the openai SDK sees the same chat answers through the gateway as from the upstream", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { models: fake.settings.models.join(",") })],
  });
  const gw = gatewayClient(h, s.key);
  const direct = new OpenAI({ apiKey: "sk-direct", baseURL: `${fake.url}/v1`, maxRetries: 0 });
  const messages = [{ role: "system" as const, content: "Be brief." }, {
    role: "user" as const,
    content: "Hello there",
  }];

  assertEquals(
    await gw.chat.completions.create({ model: "gpt-4o-mini", messages }),
    await direct.chat.completions.create({ model: "gpt-4o-mini", messages }),
  );

  // With usage asked for: every chunk, the usage chunk included.
  const withUsage = {
    model: "gpt-4o-mini",
    messages,
    stream: true as const,
    stream_options: { include_usage: true },
  };
  const a = await collect(await gw.chat.completions.create(withUsage));
  const b = await collect(await direct.chat.completions.create(withUsage));
  assertEquals(a, b);
  assertEquals(a.filter((c) => c.usage).length, 1);

  // Without: usage is forced upstream (billing needs it) but the client sees only what it asked for.
  const plain = { model: "gpt-4o-mini", messages, stream: true as const };
  const c = await collect(await gw.chat.completions.create(plain));
  assertEquals(fake.lastRequest()!.json.stream_options, { include_usage: true });
  assertEquals(c, await collect(await direct.chat.completions.create(plain)));
  assert(c.every((chunk) => !chunk.usage), "no usage chunk the client did not ask for");

  // Exactly one [DONE] on the wire.
  const raw = await (await chat(h, s.key, plain)).text();
  assertEquals(raw.split("data: [DONE]").length - 1, 1);
  assert(raw.trimEnd().endsWith("data: [DONE]"));

  // Parallel tool calls, non-stream and assembled from the stream.
  const tools = {
    model: "gpt-4o-mini",
    messages: [{ role: "user" as const, content: "Weather in Oslo and time in Lima? [fake:calls=2]" }],
    tools: [weather, clock],
  };
  const whole = await gw.chat.completions.create(tools);
  assertEquals(whole, await direct.chat.completions.create(tools));
  assertEquals(whole.choices[0].message.tool_calls!.length, 2);
  const final = await gw.chat.completions.stream(tools).finalChatCompletion();
  assertEquals(final.choices[0].message.tool_calls, whole.choices[0].message.tool_calls);
  assertEquals(
    await collect(await gw.chat.completions.create({ ...tools, stream: true })),
    await collect(await direct.chat.completions.create({ ...tools, stream: true })),
  );

  // Embeddings (the SDK asks for base64 and decodes it).
  const input = ["alpha", "beta"];
  assertEquals(
    await gw.embeddings.create({ model: "text-embedding-3-small", input }),
    await direct.embeddings.create({ model: "text-embedding-3-small", input }),
  );

  // The model list: the channel's models, OpenAI's shape.
  const listed = (await gw.models.list()).data.map((m) => m.id).sort();
  const upstream = (await direct.models.list()).data.map((m) => m.id).sort();
  assertEquals(listed, upstream);
  assertEquals((await gw.models.retrieve("gpt-4.1")).id, "gpt-4.1");
  await settled(h);
});

appTest("the Responses API passes through to a channel that speaks it, stream and non-stream", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const gw = gatewayClient(h, s.key);
  const direct = new OpenAI({ apiKey: "sk-direct", baseURL: `${fake.url}/v1`, maxRetries: 0 });
  const params = { model: "gpt-4o-mini", input: "Tell me about rivers", instructions: "Be brief." };
  const viaGateway = await gw.responses.create(params);
  assertEquals(fake.lastRequest()!.path, "/v1/responses");
  assertEquals(viaGateway, await direct.responses.create(params));
  assert(viaGateway.output_text.length > 0);
  const a = await collect(await gw.responses.create({ ...params, stream: true }));
  const b = await collect(await direct.responses.create({ ...params, stream: true }));
  assertEquals(a, b);
  assertEquals(a.at(-1)!.type, "response.completed");
  await settled(h);
});
