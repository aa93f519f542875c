/**
 * `@google/genai` with its default settings (only `httpOptions.baseUrl` pointed at the gateway, the key as
 * `apiKey`; it calls `/v1/models/{model}:{method}` with `x-goog-api-key`) against the served gateway:
 * OpenAI, Claude and Gemini channels answer generateContent, generateContentStream and function calls
 * with what the fake says to the upstream request; countTokens (counted here, or by a Gemini channel);
 * embedContent on an OpenAI embeddings channel (translated) and a Gemini channel (passed through).
 */
import { type FunctionDeclaration, GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, settled, userQuota } from "../../support/relay.ts";
import { nativeSetup, replay, serveApp, UPSTREAMS } from "../../support/native_relay.ts";
import { CODECS } from "../../../relay/formats/translate.ts";

const weather: FunctionDeclaration = {
  name: "get_weather",
  description: "Weather for a city",
  parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } },
};
const clock: FunctionDeclaration = {
  name: "get_time",
  parametersJsonSchema: { type: "object", properties: { zone: { type: "string" } } },
};

for (const upstream of UPSTREAMS) {
  appTest(`@google/genai reaches a ${upstream.kind} channel: text, stream, function calls`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    await using gw = serveApp(h);
    const ai = new GoogleGenAI({ apiKey: s.key, httpOptions: { baseUrl: gw.url } });
    const model = upstream.model;
    /** The fake's answer to the request the gateway sent (made non-stream), in the upstream's dialect. */
    const reference = async () => {
      const sent = fake.lastRequest()!;
      const url = new URL(sent.url);
      url.pathname = url.pathname.replace(":streamGenerateContent", ":generateContent");
      url.searchParams.delete("alt");
      const body = { ...sent.json };
      delete body.stream;
      delete body.stream_options;
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

    const before = await userQuota(h, s.userId);
    const res = await ai.models.generateContent({
      model,
      contents: "Describe the fjord in winter",
      config: { systemInstruction: "Be brief." },
    });
    const sent = fake.lastRequest()!;
    assertEquals(gw.seen, [`POST /v1/models/${model}:generateContent`]);
    if (upstream.kind === "gemini") {
      assertEquals(sent.path, `/v1beta/models/${model}:generateContent`);
      assertEquals(sent.headers.get("x-goog-api-key"), "key-gemini");
    }
    const ref = await reference();
    const refText = ref.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
    assertEquals(res.text, refText);
    assert(refText.startsWith("Describe the fjord in"));
    assertEquals(res.candidates?.[0].finishReason, "STOP");
    assertEquals(res.usageMetadata?.candidatesTokenCount, ref.usage!.outputTokens);
    await settled(h);
    assertEquals(
      before - await userQuota(h, s.userId),
      res.usageMetadata!.promptTokenCount! + 2 * res.usageMetadata!.candidatesTokenCount!,
    );

    const chunks = [];
    for await (
      const c of await ai.models.generateContentStream({ model, contents: "Describe the fjord in winter" })
    ) chunks.push(c);
    assertEquals(gw.seen.at(-1), `POST /v1/models/${model}:streamGenerateContent?alt=sse`);
    assertEquals(fake.lastRequest()!.url.searchParams.get("alt"), upstream.kind === "gemini" ? "sse" : null);
    assertEquals(chunks.map((c) => c.text ?? "").join(""), refText);
    assertEquals(chunks.at(-1)!.candidates?.[0].finishReason, "STOP");
    assertEquals(chunks.at(-1)!.usageMetadata?.candidatesTokenCount, ref.usage!.outputTokens);

    // Two parallel function calls, whole and streamed.
    const tools = {
      model,
      contents: "Weather in Oslo and the time in Lima? [fake:calls=2]",
      config: { tools: [{ functionDeclarations: [weather, clock] }] },
    };
    const called = await ai.models.generateContent(tools);
    const refCalls = (await reference()).content.flatMap((p) =>
      p.type === "tool_call" ? [[p.name, JSON.parse(p.arguments)]] : []
    );
    assertEquals(refCalls.length, 2);
    assertEquals(called.functionCalls?.map((f) => [f.name, f.args]), refCalls);
    const streamed = [];
    for await (const c of await ai.models.generateContentStream(tools)) streamed.push(c);
    assertEquals(streamed.flatMap((c) => c.functionCalls ?? []).map((f) => [f.name, f.args]), refCalls);
    await settled(h);
  });
}

appTest("@google/genai countTokens: counted here, or by a Gemini channel; never billed", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);
  await using gw = serveApp(h);
  const ai = new GoogleGenAI({ apiKey: s.key, httpOptions: { baseUrl: gw.url } });
  const before = await userQuota(h, s.userId);
  const contents = "How many tokens does this sentence take?";
  const local = await ai.models.countTokens({ model: "chat-claude", contents });
  assert(local.totalTokens! > 5 && local.totalTokens! < 60, `counted ${local.totalTokens}`);
  assertEquals(fake.requestCount, 0);
  const native = await ai.models.countTokens({ model: "chat-gemini", contents });
  assertEquals(fake.lastRequest()!.path, "/v1beta/models/chat-gemini:countTokens");
  const direct = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: fake.url } });
  assertEquals(
    native.totalTokens,
    (await direct.models.countTokens({ model: "chat-gemini", contents })).totalTokens,
  );
  // The wrapped form names its model; a Gemini channel gets the upstream's name in it.
  const wrapped = {
    generateContentRequest: {
      model: "models/chat-gemini",
      contents: [{ role: "user", parts: [{ text: contents }] }],
    },
  };
  const count = async (model: string) =>
    (await (await fetch(`${gw.url}/v1beta/models/${model}:countTokens?key=${s.key}`, {
      method: "POST",
      body: JSON.stringify(wrapped),
    })).json()).totalTokens;
  assertEquals(await count("chat-gemini"), native.totalTokens);
  assertEquals(fake.lastRequest()!.json, wrapped);
  assertEquals(await count("chat-claude"), local.totalTokens);
  assertEquals(await userQuota(h, s.userId), before);
});

appTest(
  "@google/genai embedContent: an OpenAI embeddings channel (translated) and a Gemini channel",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake, {
      extra: [
        fakeChannel(fake.url, { name: "embed", models: "text-embedding-3-small" }),
        fakeChannel(fake.url, { name: "gembed", type: 24, models: "gemini-embedding-001" }),
      ],
    });
    await using gw = serveApp(h);
    const ai = new GoogleGenAI({ apiKey: s.key, httpOptions: { baseUrl: gw.url } });
    const contents = ["the alpha text", "the beta text"];

    const before = await userQuota(h, s.userId);
    const viaOpenAi = await ai.models.embedContent({ model: "text-embedding-3-small", contents });
    const sent = fake.lastRequest()!;
    assertEquals(sent.path, "/v1/embeddings");
    assertEquals(sent.json.input, contents);
    const openai = new OpenAI({ apiKey: "k", baseURL: `${fake.url}/v1`, maxRetries: 0 });
    const ref = await openai.embeddings.create({
      model: "text-embedding-3-small",
      input: contents,
      encoding_format: "float",
    });
    assertEquals(viaOpenAi.embeddings?.map((e) => e.values), ref.data.map((d) => d.embedding));
    await settled(h);
    assertEquals(before - await userQuota(h, s.userId), ref.usage.prompt_tokens);

    // The single-content method, straight: `embedding` rather than `embeddings`.
    const single = await (await fetch(`${gw.url}/v1beta/models/text-embedding-3-small:embedContent`, {
      method: "POST",
      headers: { "x-goog-api-key": s.key },
      body: JSON.stringify({ content: { parts: [{ text: contents[0] }] }, outputDimensionality: 8 }),
    })).json();
    assertEquals(fake.lastRequest()!.json, {
      model: "text-embedding-3-small",
      input: [contents[0]],
      encoding_format: "float",
      dimensions: 8,
    });
    assertEquals(single.embedding.values.length, 8);
    await settled(h);

    const viaGemini = await ai.models.embedContent({ model: "gemini-embedding-001", contents });
    assertEquals(fake.lastRequest()!.path, "/v1beta/models/gemini-embedding-001:batchEmbedContents");
    assertEquals(gw.seen.at(-1), "POST /v1/models/gemini-embedding-001:batchEmbedContents");
    assertEquals(fake.lastRequest()!.json.requests[0].model, "models/gemini-embedding-001");
    const direct = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: fake.url, apiVersion: "v1beta" } });
    const refGemini = await direct.models.embedContent({ model: "gemini-embedding-001", contents });
    assertEquals(viaGemini.embeddings?.map((e) => e.values), refGemini.embeddings?.map((e) => e.values));
    await settled(h);
  },
);
