/**
 * How native streams end: Gemini's `streamGenerateContent` without `alt=sse` is one JSON array with the same
 * chunks; a stream cut or failing mid-way ends with the client dialect's error event (Claude `event: error`,
 * which the Anthropic SDK raises; Gemini's `{"error":…}` chunk, also inside the array) and never its success
 * terminator, and is billed by the disconnect policy; a Claude client that leaves is handled as any client
 * (the upstream is read on for its usage, then the request is settled once).
 */
import Anthropic from "@anthropic-ai/sdk";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { anthropicGateway, heldCount, settled, userQuota } from "../../support/relay.ts";
import { expectedQuota, nativeSetup } from "../../support/native_relay.ts";
import { parseSseTranscript } from "../../support/sse_fixture.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const gemini = (text: string) => ({ contents: [{ role: "user", parts: [{ text }] }] });

appTest("Gemini streams without alt=sse are one JSON array holding the SSE chunks", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);
  for (const model of ["chat-openai", "chat-claude", "chat-gemini"]) {
    const base = `/v1beta/models/${model}:streamGenerateContent`;
    const auth = { "x-goog-api-key": s.key };
    const sse = await h.call("POST", `${base}?alt=sse`, gemini("List three rivers"), auth);
    assertEquals(sse.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const events = parseSseTranscript(await sse.text()).map((e) => JSON.parse(e.data));
    const arr = await h.call("POST", base, gemini("List three rivers"), auth);
    assertEquals(arr.headers.get("content-type"), "application/json", model);
    const chunks = JSON.parse(await arr.text());
    assert(Array.isArray(chunks) && chunks.length > 1, model);
    const text = (cs: { candidates?: { content: { parts: { text?: string }[] } }[] }[]) =>
      cs.flatMap((c) => c.candidates?.[0]?.content.parts.map((p) => p.text ?? "") ?? []).join("");
    assertEquals(text(chunks), text(events), model);
    assertEquals(chunks.at(-1).candidates[0].finishReason, "STOP");
    assert(chunks.at(-1).usageMetadata.totalTokenCount > 0, "usage in the last chunk");
    // Mid-stream cut: an error element, then the array closes.
    const cut = await h.call("POST", base, gemini("Talk on [fake:fault=cut-6] [fake:chunks=10]"), auth);
    const broken = JSON.parse(await cut.text());
    assertEquals(broken.at(-1).error.code, 502, model);
    assert(broken.slice(0, -1).every((c: { candidates?: unknown }) => c.candidates), model);
  }
  await settled(h);
});

appTest("a cut Claude stream ends with Claude's error event, which the SDK raises", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);
  const gw = anthropicGateway(h, s.key);
  for (const model of ["chat-openai", "chat-claude", "chat-gemini"]) {
    const before = await userQuota(h, s.userId);
    const res = await h.call("POST", "/v1/messages", {
      model,
      max_tokens: 256,
      stream: true,
      messages: [{ role: "user", content: "Talk on [fake:fault=cut-6] [fake:chunks=10]" }],
    }, { "x-api-key": s.key });
    assertEquals(res.status, 200);
    const events = parseSseTranscript(await res.text());
    const last = events.at(-1)!;
    assertEquals(last.event, "error", model);
    assertEquals(JSON.parse(last.data).error.type, "api_error", model);
    assert(!events.some((e) => e.event === "message_stop"), `${model}: no message_stop`);
    assert(events.some((e) => e.event === "content_block_delta"), `${model}: content before the cut`);
    await settled(h);
    const row = await queryOne(
      h.deps.db,
      "SELECT quota, other FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1",
    );
    assertEquals(JSON.parse(String(row!.other)).stream_status?.end_reason, "upstream_error", model);
    assertEquals(before - await userQuota(h, s.userId), asInt(row!.quota), model);
    assert(asInt(row!.quota) > 0, `${model}: delivered tokens are charged`);

    const err = await gw.messages.stream({
      model,
      max_tokens: 256,
      messages: [{ role: "user", content: "Talk on [fake:fault=cut-4] [fake:chunks=10]" }],
    }).finalMessage().catch((e) => e);
    assert(err instanceof Anthropic.APIError, `${model}: ${err}`);
    await settled(h);
  }
  // An error the upstream reports inside its stream: the client's error event, in Gemini's shape too.
  const g = await h.call(
    "POST",
    "/v1/models/chat-claude:streamGenerateContent?alt=sse",
    gemini("Talk on [fake:fault=error-6] [fake:chunks=10]"),
    { "x-goog-api-key": s.key },
  );
  const gevents = parseSseTranscript(await g.text()).map((e) => JSON.parse(e.data));
  assert(gevents.at(-1).error?.code >= 500, JSON.stringify(gevents.at(-1)));
  assert(!gevents.slice(0, -1).some((e) => e.candidates?.[0]?.finishReason), "no finish before the error");
  await settled(h);
  assertEquals(await heldCount(h), 0);
});

appTest(
  "a Claude client leaving mid-stream: the upstream is read on for usage, then billed once",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    const before = await userQuota(h, s.userId);
    const ac = new AbortController();
    const res = await h.app.request("/v1/messages", {
      method: "POST",
      signal: ac.signal,
      headers: { "content-type": "application/json", "x-api-key": s.key },
      body: JSON.stringify({
        model: "chat-gemini",
        max_tokens: 256,
        stream: true,
        messages: [{ role: "user", content: "Talk slowly [fake:chunks=12] [fake:interval=80]" }],
      }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    ac.abort();
    await reader.cancel();
    // The upstream is not cut: its last chunk (with the usage) arrives within the drain window.
    await settled(h, 8000);
    const upstream = fake.requests[0];
    assertEquals(upstream.clientClosedAt, undefined, "read to the end for its usage");
    assert(upstream.finishedAt !== undefined, "the upstream finished its stream");
    const row = await queryOne(
      h.deps.db,
      "SELECT quota, prompt_tokens, completion_tokens, other FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1",
    );
    assertEquals(asInt(row!.completion_tokens), 12, "the upstream's own count");
    assertEquals(asInt(row!.quota), expectedQuota({ input: asInt(row!.prompt_tokens), output: 12 }));
    assertEquals(before - await userQuota(h, s.userId), asInt(row!.quota));
  },
);
