/**
 * A pass-through stream writes the events of one upstream chunk to the client as one chunk (one encode,
 * one write), keeping the upstream's bytes as they were sent and the usage the client asked for.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { fakeChannel, relaySetup, settled } from "../../support/relay.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const EVENTS = 30;

/** An OpenAI stream of EVENTS one-word chunks, a finish, usage and [DONE], sent as a single chunk. */
function streamText(): string {
  const head = '"id":"chatcmpl-b","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini"';
  let text = "";
  for (let i = 0; i < EVENTS; i++) {
    text += `data: {${head},"choices":[{"index":0,"delta":{"content":"w${i} "},"finish_reason":null}],` +
      `"x_unknown":{"kept":[${i}]}}\n\n`;
  }
  text += `data: {${head},"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`;
  text += `data: {${head},"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":${EVENTS},` +
    `"total_tokens":${7 + EVENTS}}}\n\n`;
  return text + "data: [DONE]\n\n";
}

appTest("events that arrive in one upstream chunk reach the client unchanged, in one chunk", async (h) => {
  const upstream = streamText();
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(upstream, { headers: { "content-type": "text/event-stream" } }),
  );
  const s = await relaySetup(h, { channels: [fakeChannel(`http://127.0.0.1:${server.addr.port}`)] });
  const res = await h.app.request("/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${s.key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  assertEquals(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  assertEquals(text, upstream, "the upstream's events pass through byte for byte, usage included");
  // The first event commits the answer on its own; the rest came together and go together.
  assert(chunks <= 4, `${EVENTS + 3} events written in ${chunks} chunks`);
  await settled(h);
  const row = await queryOne(h.deps.db, "SELECT completion_tokens FROM logs WHERE type = 2");
  assertEquals(asInt(row!.completion_tokens), EVENTS, "billed from the upstream's usage");
});
