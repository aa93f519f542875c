/** The official `@google/genai` SDK, pointed at the fake upstream with `httpOptions.baseUrl`. */

import { ApiError, GoogleGenAI } from "@google/genai";
import { type FakeUpstream, startFakeUpstream } from "./mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

async function withGemini(fn: (ai: GoogleGenAI, fake: FakeUpstream) => Promise<void>) {
  const fake = await startFakeUpstream();
  const ai = new GoogleGenAI({ apiKey: "gm-fake", httpOptions: { baseUrl: fake.url } });
  try {
    await fn(ai, fake);
  } finally {
    await fake.close();
  }
}

const weather = {
  functionDeclarations: [{
    name: "get_weather",
    parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } },
  }],
};

Deno.test("genai SDK: generateContent with usage metadata and the x-goog-api-key header", () =>
  withGemini(async (ai, fake) => {
    const res = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Hello Gemini friend",
    });
    assert(res.text!.startsWith("Hello Gemini friend"));
    assertEquals(res.candidates![0].finishReason, "STOP");
    assertEquals(res.usageMetadata!.candidatesTokenCount, 5);
    const req = fake.lastRequest()!;
    // This SDK version defaults to the v1 path; the fake serves v1, v1beta and v1alpha alike.
    assertEquals(req.path, "/v1/models/gemini-2.5-flash:generateContent");
    assertEquals(req.headers.get("x-goog-api-key"), "gm-fake");
  }));

Deno.test("genai SDK: the SSE stream gives the same text; the last chunk has the finish reason", () =>
  withGemini(async (ai, fake) => {
    const whole = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "Stream this" });
    let text = "";
    let last;
    for await (
      const chunk of await ai.models.generateContentStream({
        model: "gemini-2.5-flash",
        contents: "Stream this",
      })
    ) {
      text += chunk.text ?? "";
      last = chunk;
    }
    assertEquals(text, whole.text);
    assertEquals(last!.candidates![0].finishReason, "STOP");
    assertEquals(last!.usageMetadata, whole.usageMetadata);
    assertEquals(fake.lastRequest()!.url.searchParams.get("alt"), "sse");
  }));

Deno.test("genai SDK: thoughts first, signature kept, thoughtsTokenCount excluded from candidates", () =>
  withGemini(async (ai) => {
    const res = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Think first",
      config: { thinkingConfig: { includeThoughts: true } },
    });
    const parts = res.candidates![0].content!.parts!;
    assertEquals(parts[0].thought, true);
    assert(parts[1].thoughtSignature!.length > 0);
    const u = res.usageMetadata!;
    assertEquals(u.totalTokenCount, u.promptTokenCount! + u.candidatesTokenCount! + u.thoughtsTokenCount!);
  }));

Deno.test("genai SDK: parallel function calls, only the first signed", () =>
  withGemini(async (ai) => {
    const res = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Oslo and Lima [fake:calls=2]",
      config: { tools: [weather] },
    });
    const calls = res.functionCalls!;
    assertEquals(calls.length, 2);
    assertEquals(typeof calls[0].args!.city, "string");
    const parts = res.candidates![0].content!.parts!;
    assert(parts[0].thoughtSignature);
    assertEquals(parts[1].thoughtSignature, undefined);
    let streamedCalls = 0;
    for await (
      const chunk of await ai.models.generateContentStream({
        model: "gemini-2.5-flash",
        contents: "Oslo and Lima [fake:calls=2]",
        config: { tools: [weather] },
      })
    ) streamedCalls += chunk.functionCalls?.length ?? 0;
    assertEquals(streamedCalls, 2);
  }));

Deno.test("genai SDK: countTokens, embedContent (batch) and models.list", () =>
  withGemini(async (ai) => {
    const count = await ai.models.countTokens({ model: "gemini-2.5-flash", contents: "count me" });
    assert(count.totalTokens! > 0);
    const emb = await ai.models.embedContent({ model: "gemini-embedding-001", contents: ["a", "b"] });
    assertEquals(emb.embeddings!.length, 2);
    assertEquals(emb.embeddings![0].values!.length, 16);
    const names: string[] = [];
    for await (const m of await ai.models.list()) names.push(m.name!);
    assert(names.includes("models/gemini-2.5-flash"));
  }));

Deno.test("genai SDK: Gemini-shaped errors become ApiError with the status", () =>
  withGemini(async (ai) => {
    for (const status of [400, 429, 503]) {
      try {
        await ai.models.generateContent({ model: `gemini-fault-${status}`, contents: "x" });
        throw new Error("expected an error");
      } catch (err) {
        assert(err instanceof ApiError, String(err));
        assertEquals(err.status, status);
      }
    }
  }));

Deno.test("gemini wire: single embedContent, model lookup and ?key= auth on the v1beta paths", () =>
  withGemini(async (_ai, fake) => {
    const embed = await fetch(`${fake.url}/v1beta/models/gemini-embedding-001:embedContent?key=k`, {
      method: "POST",
      body: JSON.stringify({ content: { parts: [{ text: "alpha" }] }, outputDimensionality: 8 }),
    });
    const json = await embed.json();
    assertEquals(json.embedding.values.length, 8);
    const model = await (await fetch(`${fake.url}/v1beta/models/gemini-2.5-flash?key=k`)).json();
    assertEquals(model.name, "models/gemini-2.5-flash");
    const missing = await fetch(`${fake.url}/v1beta/models/nope?key=k`);
    assertEquals(missing.status, 404);
    assertEquals((await missing.json()).error.status, "NOT_FOUND");
  }));
