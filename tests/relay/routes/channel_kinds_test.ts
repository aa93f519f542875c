/**
 * Channels of other kinds serve OpenAI-format clients: Anthropic and Gemini through translation (text,
 * stream, parallel tools, usage billed), Azure's deployment and v1 Responses paths, Custom's full URL;
 * and the per-channel rewrites: model mapping (chained, cycle refused), reasoning suffixes, system prompt,
 * param override and header override.
 */
import OpenAI from "openai";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, gatewayClient, relaySetup, settled } from "../../support/relay.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const tool = (name: string) => ({
  type: "function" as const,
  function: { name, parameters: { type: "object", properties: { city: { type: "string" } } } },
});

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

for (const kind of [{ type: 14, model: "claude-sonnet-4-6" }, { type: 24, model: "gemini-2.5-flash" }]) {
  appTest(`an OpenAI client is served by a type ${kind.type} channel through translation`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      channels: [fakeChannel(fake.url, { type: kind.type, models: kind.model, key: "native-key" })],
      options: {
        ModelRatio: JSON.stringify({ [kind.model]: 1 }),
        CompletionRatio: JSON.stringify({ [kind.model]: 2 }),
      },
    });
    const gw = gatewayClient(h, s.key);
    const direct = new OpenAI({ apiKey: "sk-direct", baseURL: `${fake.url}/v1`, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: "Describe the sea" }];
    const answer = await gw.chat.completions.create({ model: kind.model, messages });
    const sent = fake.lastRequest()!;
    if (kind.type === 14) {
      assertEquals(sent.path, "/v1/messages");
      assertEquals(sent.headers.get("x-api-key"), "native-key");
      assertEquals(sent.headers.get("anthropic-version"), "2023-06-01");
    } else {
      assertEquals(sent.path, `/v1beta/models/${kind.model}:generateContent`);
      assertEquals(sent.headers.get("x-goog-api-key"), "native-key");
      assertEquals(sent.json.safetySettings[0].threshold, "BLOCK_NONE");
    }
    const reference = await direct.chat.completions.create({ model: kind.model, messages });
    assertEquals(answer.choices[0].message.content, reference.choices[0].message.content);
    assertEquals(answer.choices[0].finish_reason, "stop");
    assertEquals(answer.object, "chat.completion");

    const chunks = await collect(
      await gw.chat.completions.create({
        model: kind.model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    if (kind.type === 24) assert(fake.lastRequest()!.url.search.includes("alt=sse"));
    assertEquals(
      chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""),
      answer.choices[0].message.content,
    );
    assertEquals(chunks.filter((c) => c.usage).length, 1);
    assertEquals(chunks.at(-1)!.usage!.completion_tokens, answer.usage!.completion_tokens);

    const tools = {
      model: kind.model,
      messages: [{ role: "user" as const, content: "Two cities [fake:calls=2]" }],
      tools: [tool("get_weather")],
    };
    const called = await gw.chat.completions.create(tools);
    const refCalls = (await direct.chat.completions.create(tools)).choices[0].message.tool_calls!;
    const shape = (calls: typeof refCalls) =>
      calls.map((c) => c.type === "function" ? [c.function.name, JSON.parse(c.function.arguments)] : []);
    assertEquals(shape(called.choices[0].message.tool_calls!), shape(refCalls));
    assertEquals(called.choices[0].finish_reason, "tool_calls");
    const final = await gw.chat.completions.stream(tools).finalChatCompletion();
    assertEquals(shape(final.choices[0].message.tool_calls!), shape(refCalls));

    await settled(h);
    const row = await queryOne(
      h.deps.db,
      "SELECT quota, completion_tokens FROM logs WHERE type = 2 ORDER BY id LIMIT 1",
    );
    assertEquals(asInt(row!.completion_tokens), answer.usage!.completion_tokens);
    assert(asInt(row!.quota) > 0);
  });
}

appTest("Azure: deployment path with api-version and api-key; Responses on the v1 path", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { type: 3, key: "azure-key", other: "2024-10-21" })],
  });
  const gw = gatewayClient(h, s.key);
  const res = await gw.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "hi azure" }],
  });
  assert(res.choices[0].message.content!.startsWith("hi azure"));
  const req = fake.lastRequest()!;
  assertEquals(req.path, "/openai/deployments/gpt-4o-mini/chat/completions");
  assertEquals(req.url.searchParams.get("api-version"), "2024-10-21");
  assertEquals(req.headers.get("api-key"), "azure-key");
  assertEquals(req.headers.get("authorization"), null);
  const r = await gw.responses.create({ model: "gpt-4o-mini", input: "hello" });
  assertEquals(fake.lastRequest()!.path, "/openai/v1/responses");
  assertEquals(fake.lastRequest()!.url.searchParams.get("api-version"), "preview");
  assert(r.output_text.length > 0);
});

appTest("Custom: the base URL is the full URL with {model}; header override with {api_key}", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, {
      type: 8,
      key: "custom-key",
      baseUrl: `${fake.url}/openai/deployments/{model}/chat/completions?api-version=2024-10-21`,
      headerOverride: JSON.stringify({ "api-key": "{api_key}", "X-Team": "relay" }),
    })],
  });
  const res = await chat(h, s.key, { model: "gpt-4o-mini", messages: [{ role: "user", content: "custom" }] });
  assertEquals(res.status, 200);
  const req = fake.lastRequest()!;
  assertEquals(req.path, "/openai/deployments/gpt-4o-mini/chat/completions");
  assertEquals(req.headers.get("api-key"), "custom-key");
  assertEquals(req.headers.get("x-team"), "relay");
});

appTest("model mapping is followed as a chain; a cycle is a 400 that reaches no upstream", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: { SelfUseModeEnabled: "true" },
    channels: [
      fakeChannel(fake.url, {
        models: "alias",
        modelMapping: JSON.stringify({ alias: "middle", middle: "gpt-4o-mini" }),
      }),
      fakeChannel(fake.url, { models: "loop", modelMapping: JSON.stringify({ loop: "back", back: "loop" }) }),
    ],
  });
  const res = await chat(h, s.key, { model: "alias", messages: [{ role: "user", content: "map me" }] });
  assertEquals(res.status, 200);
  assertEquals(fake.lastRequest()!.json.model, "gpt-4o-mini");
  await settled(h);
  const row = await queryOne(h.deps.db, "SELECT model_name, other FROM logs WHERE type = 2");
  assertEquals(row!.model_name, "alias");
  assertEquals(JSON.parse(String(row!.other)).upstream_model_name, "gpt-4o-mini");
  const cycle = await chat(h, s.key, { model: "loop", messages: [{ role: "user", content: "x" }] });
  assertEquals(cycle.status, 400);
  assertEquals((await cycle.json()).error.code, "model_mapping_contains_cycle");
  assertEquals(fake.requestCount, 1);
});

appTest("a reasoning suffix becomes reasoning_effort on the base model", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: { SelfUseModeEnabled: "true" },
    channels: [fakeChannel(fake.url, { models: "o4-mini-high" })],
  });
  assertEquals(
    (await chat(h, s.key, { model: "o4-mini-high", messages: [{ role: "user", content: "think" }] })).status,
    200,
  );
  const body = fake.lastRequest()!.json;
  assertEquals([body.model, body.reasoning_effort], ["o4-mini", "high"]);
});

appTest(
  "a channel system prompt is added or prepended; param overrides edit the upstream body",
  async (h) => {
    await using fake = await startFakeUpstream();
    const operations = [
      { path: "temperature", mode: "set", value: 0.2 },
      { path: "top_p", mode: "delete" },
      {
        path: "metadata.source",
        mode: "set",
        value: "gw",
        conditions: [{ path: "model", mode: "prefix", value: "gpt" }],
      },
      {
        path: "user",
        mode: "set",
        value: "never",
        conditions: [{ path: "model", mode: "prefix", value: "claude" }],
      },
      { path: "messages", mode: "append", value: { role: "user", content: "(appended)" } },
      { mode: "block", conditions: [{ path: "max_tokens", mode: "gt", value: 1000 }] },
    ];
    const s = await relaySetup(h, {
      channels: [fakeChannel(fake.url, {
        setting: JSON.stringify({ system_prompt: "You are a pirate.", system_prompt_override: true }),
        paramOverride: JSON.stringify({ operations }),
      })],
    });
    const ask = (extra: Record<string, unknown>, messages: unknown[]) =>
      chat(h, s.key, { model: "gpt-4o-mini", top_p: 0.9, messages, ...extra });
    assertEquals((await ask({}, [{ role: "user", content: "ahoy" }])).status, 200);
    const first = fake.lastRequest()!.json;
    assertEquals(first.messages[0], { role: "system", content: "You are a pirate." });
    assertEquals(first.messages.at(-1), { role: "user", content: "(appended)" });
    assertEquals([first.temperature, first.top_p, first.metadata, first.user], [0.2, undefined, {
      source: "gw",
    }, undefined]);
    assertEquals(
      (await ask({}, [{ role: "system", content: "Be brief." }, { role: "user", content: "ahoy" }])).status,
      200,
    );
    assertEquals(fake.lastRequest()!.json.messages[0].content, "You are a pirate.\nBe brief.");
    const blocked = await ask({ max_tokens: 5000 }, [{ role: "user", content: "long" }]);
    assertEquals(blocked.status, 403);
    assertEquals((await blocked.json()).error.code, "request_blocked");
    assertEquals(fake.requestCount, 2);
    await settled(h);
  },
);

appTest("service_tier and friends are dropped unless the channel allows them", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [
      fakeChannel(fake.url, {
        key: "strict",
        priority: 1,
        settings: JSON.stringify({ disable_store: true }),
      }),
    ],
  });
  const body = {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "hi" }],
    service_tier: "priority",
    safety_identifier: "u1",
    store: true,
    temperature: 0.5,
  };
  assertEquals((await chat(h, s.key, body)).status, 200);
  const sent = fake.lastRequest()!.json;
  assertEquals([sent.service_tier, sent.safety_identifier, sent.store, sent.temperature], [
    undefined,
    undefined,
    undefined,
    0.5,
  ]);
  await h.deps.db.exec("UPDATE channels SET settings = ? WHERE id = ?", [
    JSON.stringify({ allow_service_tier: true }),
    s.channelIds[0],
  ]);
  await h.deps.cache.publish({ kind: "channel", id: s.channelIds[0] });
  assertEquals((await chat(h, s.key, body)).status, 200);
  assertEquals([fake.lastRequest()!.json.service_tier, fake.lastRequest()!.json.store], ["priority", true]);
});

appTest(
  "pass_through_body_enabled forwards the client's bytes untouched, unless the dialects differ",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      options: {
        ModelRatio: JSON.stringify({ "gpt-4o-mini": 1, "claude-sonnet-4-6": 1 }),
      },
      channels: [
        fakeChannel(fake.url, {
          models: "gpt-4o-mini",
          setting: JSON.stringify({ pass_through_body_enabled: true }),
        }),
        fakeChannel(fake.url, {
          type: 14,
          models: "claude-sonnet-4-6",
          setting: JSON.stringify({ pass_through_body_enabled: true }),
        }),
      ],
    });
    const raw =
      '{"model":"gpt-4o-mini",  "messages":[{"role":"user","content":"as is"}], "service_tier":"flex"}';
    const res = await h.call("POST", "/v1/chat/completions", raw, { authorization: `Bearer ${s.key}` });
    assertEquals(res.status, 200);
    assertEquals(fake.lastRequest()!.text, raw);
    const claude = await chat(h, s.key, {
      model: "claude-sonnet-4-6",
      messages: [{ role: "user", content: "hi" }],
    });
    assertEquals(claude.status, 200);
    assertEquals(fake.lastRequest()!.path, "/v1/messages");
    assertEquals(fake.lastRequest()!.json.max_tokens > 0, true, "translated to Claude's shape");
    await settled(h);
  },
);
