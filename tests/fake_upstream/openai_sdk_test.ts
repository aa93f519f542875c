/** The official `openai` SDK, pointed straight at the fake upstream, parses everything it answers. */

import OpenAI, { AzureOpenAI, toFile } from "openai";
import { startFakeUpstream } from "./mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";

async function withOpenAI(
  fn: (client: OpenAI, fake: Awaited<ReturnType<typeof startFakeUpstream>>) => Promise<void>,
) {
  const fake = await startFakeUpstream();
  const client = new OpenAI({ apiKey: "sk-fake", baseURL: `${fake.url}/v1`, maxRetries: 0 });
  try {
    await fn(client, fake);
  } finally {
    await fake.close();
  }
}

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } } },
  },
};

Deno.test("openai SDK: non-stream chat gets a deterministic answer with real usage", () =>
  withOpenAI(async (client, fake) => {
    const ask = () =>
      client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "system", content: "Be brief." }, {
          role: "user",
          content: "Hello from the test",
        }],
      });
    const a = await ask();
    const b = await ask();
    assertEquals(a, b);
    assertEquals(a.object, "chat.completion");
    assertEquals(a.choices[0].finish_reason, "stop");
    assert(a.choices[0].message.content!.startsWith("Hello from the test"));
    assertEquals(a.usage!.completion_tokens, 5);
    assert(a.usage!.prompt_tokens > 0);
    assertEquals(a.usage!.total_tokens, a.usage!.prompt_tokens + 5);
    assertEquals(fake.lastRequest()!.headers.get("authorization"), "Bearer sk-fake");
  }));

Deno.test("openai SDK: a stream carries the same text, one usage chunk before [DONE]", () =>
  withOpenAI(async (client, fake) => {
    const messages = [{ role: "user" as const, content: "Stream it please" }];
    const whole = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usageChunks = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      if (chunk.usage) {
        usageChunks++;
        assertEquals(chunk.choices, []);
        assertEquals(chunk.usage, whole.usage);
      }
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? "";
        finish = choice.finish_reason ?? finish;
      }
    }
    assertEquals(text, whole.choices[0].message.content);
    assertEquals(finish, "stop");
    assertEquals(usageChunks, 1);
    assertStringIncludes(fake.lastRequest()!.text, '"include_usage":true');
    assert(fake.lastRequest()!.finishedAt !== undefined);
  }));

Deno.test("openai SDK: parallel tool calls stream argument deltas that reassemble to the non-stream calls", () =>
  withOpenAI(async (client) => {
    const params = {
      model: "gpt-4o-mini",
      messages: [{ role: "user" as const, content: "Weather in Oslo and Lima? [fake:calls=2]" }],
      tools: [weatherTool],
    };
    const whole = await client.chat.completions.create(params);
    const calls = whole.choices[0].message.tool_calls!;
    assertEquals(whole.choices[0].finish_reason, "tool_calls");
    assertEquals(calls.length, 2);
    const args = JSON.parse((calls[0] as { function: { arguments: string } }).function.arguments);
    assertEquals(typeof args.city, "string");
    assertEquals(typeof args.days, "number");

    // The SDK's stream helper accumulates the deltas by index.
    const runner = client.chat.completions.stream(params);
    const final = await runner.finalChatCompletion();
    assertEquals(final.choices[0].message.tool_calls, calls);
    assertEquals(final.choices[0].finish_reason, "tool_calls");
  }));

Deno.test("openai SDK: a tool result turn gets a text answer", () =>
  withOpenAI(async (client) => {
    const res = await client.chat.completions.create({
      model: "gpt-4o-mini",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Oslo?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: "{}" },
          }],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"temp_c":3}' },
      ],
    });
    assertEquals(res.choices[0].finish_reason, "stop");
    assertEquals(res.choices[0].message.tool_calls, undefined);
    assert(res.choices[0].message.content!.length > 0);
  }));

Deno.test("openai SDK: reasoning_content comes before content when reasoning is asked for", () =>
  withOpenAI(async (client) => {
    const stream = await client.chat.completions.create({
      model: "deepseek-reasoner",
      messages: [{ role: "user", content: "Which is bigger?" }],
      stream: true,
    });
    const order: string[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as
        | { content?: string | null; reasoning_content?: string }
        | undefined;
      if (delta?.reasoning_content) order.push("reasoning");
      if (delta?.content) order.push("content");
    }
    assertEquals(order[0], "reasoning");
    assert(order.indexOf("content") > order.lastIndexOf("reasoning"));
  }));

Deno.test("openai SDK: embeddings as floats and as base64 decode to the same vectors", () =>
  withOpenAI(async (client, fake) => {
    const floats = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["alpha", "beta"],
      encoding_format: "float",
    });
    // Without encoding_format the SDK asks for base64 and decodes it itself.
    const decoded = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["alpha", "beta"],
    });
    assertEquals(fake.lastRequest()!.json.encoding_format, "base64");
    assertEquals(floats.data.length, 2);
    assertEquals(floats.data[0].embedding.length, 16);
    assertEquals(decoded.data.map((d) => Array.from(d.embedding)), floats.data.map((d) => d.embedding));
    assert(floats.usage.prompt_tokens > 0);
  }));

Deno.test("openai SDK: completions, moderations, images and models", () =>
  withOpenAI(async (client) => {
    const completion = await client.completions.create({
      model: "gpt-3.5-turbo-instruct",
      prompt: "Say this",
    });
    assertEquals(completion.object, "text_completion");
    assert(completion.choices[0].text.startsWith("Say this"));
    let streamed = "";
    for await (const c of await client.completions.create({ model: "x", prompt: "Say this", stream: true })) {
      streamed += c.choices[0]?.text ?? "";
    }
    assertEquals(streamed, completion.choices[0].text);

    const moderation = await client.moderations.create({ input: "hello" });
    assertEquals(moderation.results[0].flagged, false);

    const image = await client.images.generate({ model: "gpt-image-1", prompt: "a cat" });
    assert(image.data![0].b64_json!.length > 10);
    assertEquals(image.usage!.input_tokens > 0, true);

    const edit = await client.images.edit({
      model: "dall-e-2",
      prompt: "add a hat",
      image: await toFile(new Uint8Array([137, 80, 78, 71]), "cat.png", { type: "image/png" }),
      response_format: "url",
    });
    assert(edit.data![0].url!.endsWith(".png"));

    const models = await client.models.list();
    assert(models.data.some((m) => m.id === "gpt-4o-mini"));
    assertEquals((await client.models.retrieve("gpt-4.1")).id, "gpt-4.1");
  }));

Deno.test("openai SDK: audio speech is binary; transcription and translation take multipart", () =>
  withOpenAI(async (client, fake) => {
    const speech = await client.audio.speech.create({ model: "tts-1", voice: "alloy", input: "hello" });
    assertEquals(speech.headers.get("content-type"), "audio/mpeg");
    const audio = new Uint8Array(await speech.arrayBuffer());
    assertEquals(audio.length, 4 + 5 * 16);

    const file = await toFile(audio, "speech.mp3", { type: "audio/mpeg" });
    const transcript = await client.audio.transcriptions.create({ model: "gpt-4o-transcribe", file });
    assert(transcript.text.startsWith("audio speech.mp3"));
    assertStringIncludes(fake.lastRequest()!.headers.get("content-type")!, "multipart/form-data");
    const translation = await client.audio.translations.create({
      model: "whisper-1",
      file,
      response_format: "text",
    });
    assert(String(translation).length > 0);
  }));

Deno.test("openai SDK: responses non-stream and typed stream events agree", () =>
  withOpenAI(async (client) => {
    const params = {
      model: "o4-mini",
      input: "Tell me something",
      reasoning: { effort: "low" as const, summary: "auto" as const },
    };
    const whole = await client.responses.create(params);
    assertEquals(whole.status, "completed");
    assert(whole.output_text.startsWith("Tell me something"));
    assertEquals(whole.output[0].type, "reasoning");
    assert(whole.usage!.output_tokens_details.reasoning_tokens > 0);

    const stream = await client.responses.create({ ...params, stream: true });
    const types: string[] = [];
    let sequence = 0;
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      assertEquals(event.sequence_number, sequence++);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    assertEquals(types[0], "response.created");
    assertEquals(types.at(-1), "response.completed");
    assert(types.includes("response.reasoning_summary_text.delta"));
    assertEquals(text, whole.output_text);
  }));

Deno.test("openai SDK: responses function calls stream their arguments", () =>
  withOpenAI(async (client) => {
    const runner = client.responses.stream({
      model: "gpt-4.1",
      input: [{ role: "user", content: "Weather? [fake:calls=2]" }],
      tools: [{
        type: "function",
        name: "get_weather",
        parameters: weatherTool.function.parameters,
        strict: false,
      }],
    });
    const final = await runner.finalResponse();
    const calls = final.output.filter((o) => o.type === "function_call");
    assertEquals(calls.length, 2);
    assertEquals(typeof JSON.parse((calls[0] as { arguments: string }).arguments).city, "string");
  }));

Deno.test("openai SDK: Azure deployments path with api-key and api-version", () =>
  withOpenAI(async (_client, fake) => {
    const azure = new AzureOpenAI({
      endpoint: fake.url,
      apiKey: "azure-key",
      apiVersion: "2024-10-21",
      deployment: "my-gpt",
      maxRetries: 0,
    });
    const res = await azure.chat.completions.create({
      model: "",
      messages: [{ role: "user", content: "hi azure" }],
    });
    assert(res.choices[0].message.content!.startsWith("hi azure"));
    const req = fake.lastRequest()!;
    assertEquals(req.path, "/openai/deployments/my-gpt/chat/completions");
    assertEquals(req.url.searchParams.get("api-version"), "2024-10-21");
    assertEquals(req.headers.get("api-key"), "azure-key");
  }));

Deno.test("openai SDK: error statuses come back as the SDK's typed errors", () =>
  withOpenAI(async (client) => {
    const messages = [{ role: "user" as const, content: "x" }];
    for (
      const [model, ErrorClass] of [
        ["fault-400", OpenAI.BadRequestError],
        ["fault-401", OpenAI.AuthenticationError],
        ["fault-429", OpenAI.RateLimitError],
        ["fault-500", OpenAI.InternalServerError],
      ] as const
    ) {
      try {
        await client.chat.completions.create({ model, messages });
        throw new Error("expected an error");
      } catch (err) {
        assert(err instanceof ErrorClass, `${model}: ${err}`);
      }
    }
  }));
