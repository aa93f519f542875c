/**
 * Legacy `/v1/completions` on Claude and Gemini channels, driven by the official `openai` SDK: the prompt
 * reaches the fake as one user turn in the channel's own format, the answer comes back as a
 * `text_completion` (whole, and as chunks ending in `[DONE]` with the usage chunk when asked), equal in
 * text to what the fake answers the sent request straight, billed from the upstream's usage. What only a
 * Completions upstream can do (token arrays, echo, suffix, n > 1) is a 400 in OpenAI's shape, sent nowhere
 * and charged nothing.
 */
import OpenAI from "openai";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { collect, gatewayClient, heldCount, settled, userQuota } from "../../support/relay.ts";
import { expectedQuota, nativeSetup, replay, UPSTREAMS } from "../../support/native_relay.ts";
import { CODECS } from "../../../relay/formats/translate.ts";
import type { IrResponse } from "../../../relay/formats/ir.ts";

const text = (ir: IrResponse) => ir.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");

for (const upstream of UPSTREAMS.filter((u) => u.kind !== "openai")) {
  appTest(`legacy completions on a ${upstream.kind} channel through the openai SDK`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    const gw = gatewayClient(h, s.key);
    const model = upstream.model;
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
          body: new TextEncoder().encode(JSON.stringify(body)),
        } as typeof sent,
      );
      return CODECS[upstream.dialect].decodeResponse(await res.json());
    };

    const prompt = "Once upon a time by the river delta";
    const before = await userQuota(h, s.userId);
    const answer = await gw.completions.create({ model, prompt, max_tokens: 64, temperature: 0.5 });
    const sent = fake.lastRequest()!;
    if (upstream.kind === "claude") {
      assertEquals(sent.url.pathname, "/v1/messages");
      assertEquals(sent.json.messages, [{ role: "user", content: [{ type: "text", text: prompt }] }]);
      assertEquals(sent.json.max_tokens, 64);
    } else {
      assert(sent.url.pathname.endsWith(`/models/${model}:generateContent`), sent.url.pathname);
      assertEquals(sent.json.contents, [{ role: "user", parts: [{ text: prompt }] }]);
      assertEquals(sent.json.generationConfig.maxOutputTokens, 64);
    }
    const ref = await reference();
    assertEquals(answer.object, "text_completion");
    assert(answer.id.startsWith("cmpl-"), answer.id);
    assertEquals(answer.model, model);
    assertEquals(answer.choices.length, 1);
    assertEquals(answer.choices[0].text, text(ref));
    assert(answer.choices[0].text.length > 0);
    assertEquals(answer.choices[0].finish_reason, "stop");
    assertEquals(answer.usage!.completion_tokens, ref.usage!.outputTokens);
    await settled(h);
    const charged = before - await userQuota(h, s.userId);
    assertEquals(charged, expectedQuota({ input: ref.usage!.inputTokens, output: ref.usage!.outputTokens }));

    const before2 = await userQuota(h, s.userId);
    const chunks = await collect(
      await gw.completions.create({
        model,
        prompt: [prompt],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const refStream = await reference();
    assert(chunks.length > 2, "streamed in pieces");
    assert(chunks.every((c) => c.object === "text_completion"));
    assertEquals(chunks.map((c) => c.choices[0]?.text ?? "").join(""), text(refStream));
    assertEquals(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason), [
      "stop",
    ]);
    const usage = chunks.at(-1)!.usage!;
    assertEquals(chunks.at(-1)!.choices, []);
    assertEquals(usage.completion_tokens, refStream.usage!.outputTokens);
    await settled(h);
    assertEquals(
      before2 - await userQuota(h, s.userId),
      expectedQuota({ input: refStream.usage!.inputTokens, output: refStream.usage!.outputTokens }),
    );

    // Without include_usage the client gets no usage chunk; still billed.
    const plain = await collect(await gw.completions.create({ model, prompt, stream: true }));
    assert(plain.every((c) => !c.usage && c.choices.length === 1));

    // What a translated channel cannot honour: 400 in OpenAI's shape, nothing sent, nothing held or charged.
    const sentBefore = fake.requests.length;
    await settled(h);
    const quota = await userQuota(h, s.userId);
    for (
      const [body, param] of [
        [{ model, prompt: [1, 2, 3] }, "prompt"],
        [{ model, prompt: ["a", "b"] }, "prompt"],
        [{ model, prompt, echo: true }, "echo"],
        [{ model, prompt, suffix: "end" }, "suffix"],
        [{ model, prompt, n: 2 }, "n"],
      ] as const
    ) {
      const err = await gw.completions.create(body as OpenAI.CompletionCreateParamsNonStreaming).then(
        () => undefined,
        (e) => e,
      );
      assert(err instanceof OpenAI.BadRequestError, `${JSON.stringify(body)}: ${err}`);
      assertEquals((err.error as { param?: string }).param, param);
    }
    assertEquals(fake.requests.length, sentBefore);
    await settled(h);
    assertEquals(await userQuota(h, s.userId), quota);
    assertEquals(await heldCount(h), 0);
  });
}

appTest("legacy completions on an OpenAI channel still pass through untouched", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);
  const gw = gatewayClient(h, s.key);
  const answer = await gw.completions.create({ model: "chat-openai", prompt: [1, 2, 3], echo: true });
  assertEquals(fake.lastRequest()!.url.pathname, "/v1/completions");
  assertEquals(fake.lastRequest()!.json.prompt, [1, 2, 3]);
  assertEquals(answer.object, "text_completion");
});
