/** Fault injection, pacing and recording of the fake upstream, seen from a plain HTTP client. */

import { type FakeUpstream, startFakeUpstream } from "./mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";

const OPENAI = { authorization: "Bearer sk-test", "content-type": "application/json" };
const CLAUDE = {
  "x-api-key": "sk-ant",
  "anthropic-version": "2023-06-01",
  "content-type": "application/json",
};

async function withFake(fn: (fake: FakeUpstream) => Promise<void>, options = {}) {
  const fake = await startFakeUpstream(options);
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

function chatBody(prompt: string, extra: Record<string, unknown> = {}, model = "gpt-4o-mini"): string {
  return JSON.stringify({ model, messages: [{ role: "user", content: prompt }], ...extra });
}

function post(
  fake: FakeUpstream,
  path: string,
  body: string,
  headers: HeadersInit = OPENAI,
  signal?: AbortSignal,
) {
  return fetch(`${fake.url}${path}`, { method: "POST", headers, body, signal });
}

/** Reads until `needle` appeared `times` times. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string, times: number) {
  let text = "";
  while (text.split(needle).length - 1 < times) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`ended early: ${text}`);
    text += new TextDecoder().decode(value);
  }
  return text;
}

Deno.test("fault via header (JSON and key=value) answers in the dialect's error shape", () =>
  withFake(async (fake) => {
    const a = await post(fake, "/v1/chat/completions", chatBody("x"), {
      ...OPENAI,
      "x-fake-fault": '{"status":503}',
    });
    assertEquals(a.status, 503);
    assertEquals((await a.json()).error.type, "server_error");
    const b = await post(fake, "/v1/chat/completions", chatBody("x"), {
      ...OPENAI,
      "x-fake-fault": "status=429",
    });
    assertEquals(b.status, 429);
    assertEquals(b.headers.get("retry-after"), "1");
    assertEquals(await b.json(), {
      error: {
        message: "Rate limit reached (fake upstream). Please try again in 1s.",
        type: "requests",
        param: null,
        code: "rate_limit_exceeded",
      },
    });
  }));

Deno.test("fault via model name, in Claude's and Gemini's shapes", () =>
  withFake(async (fake) => {
    const claude = await post(
      fake,
      "/v1/messages",
      JSON.stringify({ model: "fault-529", max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
      CLAUDE,
    );
    assertEquals(claude.status, 529);
    const cj = await claude.json();
    assertEquals([cj.type, cj.error.type], ["error", "overloaded_error"]);
    const gemini = await fetch(`${fake.url}/v1beta/models/gemini-fault-429:generateContent?key=k`, {
      method: "POST",
      body: JSON.stringify({ contents: [{ parts: [{ text: "x" }] }] }),
    });
    assertEquals(gemini.status, 429);
    assertEquals((await gemini.json()).error.status, "RESOURCE_EXHAUSTED");
  }));

Deno.test("a 401 echoes the caller's key (a leak the gateway must not pass on)", () =>
  withFake(async (fake) => {
    const bad = await post(fake, "/v1/chat/completions", chatBody("x"), {
      ...OPENAI,
      authorization: "Bearer sk-LEAKME",
    });
    assertEquals(bad.status, 401);
    assertStringIncludes((await bad.json()).error.message, "sk-LEAKME");
    const ok = await post(fake, "/v1/chat/completions", chatBody("x"), {
      ...OPENAI,
      authorization: "Bearer good",
    });
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
    const gemini = await fetch(`${fake.url}/v1beta/models/g:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "wrong" },
      body: JSON.stringify({ contents: [{ parts: [{ text: "x" }] }] }),
    });
    assertEquals(gemini.status, 400);
    assertEquals((await gemini.json()).error.status, "INVALID_ARGUMENT");
  }, { keys: ["good"] }));

Deno.test("missing credentials and headers are refused like the real APIs do", () =>
  withFake(async (fake) => {
    assertEquals((await post(fake, "/v1/chat/completions", chatBody("x"), {})).status, 401);
    const noVersion = await post(fake, "/v1/messages", "{}", { "x-api-key": "k" });
    assertEquals(noVersion.status, 400);
    assertStringIncludes((await noVersion.json()).error.message, "anthropic-version");
    const gemini = await fetch(`${fake.url}/v1beta/models/g:generateContent`, { method: "POST", body: "{}" });
    assertEquals(gemini.status, 403);
    await gemini.body?.cancel();
    const azure = await post(fake, "/openai/deployments/d/chat/completions", chatBody("x"), {
      "api-key": "k",
    });
    assertEquals(azure.status, 404); // no api-version
    await azure.body?.cancel();
    const unknown = await post(fake, "/v1/nowhere", "{}");
    assertEquals(unknown.status, 404);
    await unknown.body?.cancel();
    const badJson = await post(fake, "/v1/chat/completions", "{nope");
    assertEquals(badJson.status, 400);
    await badJson.body?.cancel();
  }));

Deno.test("scripted faults apply in order, by path and count; key faults stick to a key", () =>
  withFake(async (fake) => {
    fake.script({ status: 500, times: 2, path: "/v1/chat/completions" }, { status: 400 });
    const statuses: number[] = [];
    const embeddings = await post(fake, "/v1/embeddings", JSON.stringify({ model: "e", input: "x" }));
    statuses.push(embeddings.status); // not matched by the first entry, takes the second
    await embeddings.body?.cancel();
    for (let i = 0; i < 3; i++) {
      const res = await post(fake, "/v1/chat/completions", chatBody("x"));
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(statuses, [400, 500, 500, 200]);
    fake.setKeyFault("sk-bad", { status: 401 });
    const keyed = await post(fake, "/v1/chat/completions", chatBody("x"), {
      ...OPENAI,
      authorization: "Bearer sk-bad",
    });
    assertEquals(keyed.status, 401);
    await keyed.body?.cancel();
    const other = await post(fake, "/v1/chat/completions", chatBody("x"));
    assertEquals(other.status, 200);
    await other.body?.cancel();
  }));

Deno.test("delays before headers and paced chunks", () =>
  withFake(async (fake) => {
    let started = performance.now();
    const slow = await post(fake, "/v1/chat/completions", chatBody("x"), {
      ...OPENAI,
      "x-fake-fault": "headerDelayMs=150",
    });
    assert(performance.now() - started >= 140, "header delay");
    await slow.body?.cancel();
    fake.settings.chunkIntervalMs = 30;
    started = performance.now();
    const paced = await post(fake, "/v1/chat/completions", chatBody("x", { stream: true }));
    const text = await paced.text();
    // Role chunk + 5 words + finish chunk + [DONE] = 8 events, 7 pauses of 30 ms.
    assert(performance.now() - started >= 200, `paced stream took ${performance.now() - started} ms`);
    assertEquals(text.split("data: ").length - 1, 8);
  }));

Deno.test("hang: no headers ever, and the client's close is recorded", () =>
  withFake(async (fake) => {
    fake.script({ hang: true });
    const abort = new AbortController();
    const pending = post(fake, "/v1/chat/completions", chatBody("x"), OPENAI, abort.signal);
    await fake.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(fake.lastRequest()!.respondedAt, undefined);
    abort.abort();
    await assertRejects(() => pending);
    const closedAt = await fake.lastRequest()!.waitForClientClose(1000);
    assert(closedAt > fake.lastRequest()!.receivedAt);
  }));

Deno.test("cutAfter drops the connection mid-stream without the terminal event", () =>
  withFake(async (fake) => {
    const res = await post(fake, "/v1/chat/completions", chatBody("[fake:fault=cut-2] x", { stream: true }));
    assertEquals(res.status, 200);
    const reader = res.body!.getReader();
    let text = "";
    await assertRejects(async () => {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    });
    assertEquals(text.split("data: ").length - 1, 2);
    assert(!text.includes("[DONE]"));
  }));

Deno.test("stallAfter sends k events then nothing; the client's abort is recorded", () =>
  withFake(async (fake) => {
    const abort = new AbortController();
    const res = await post(
      fake,
      "/v1/chat/completions",
      chatBody("x", { stream: true }, "m-fault-stall-3"),
      OPENAI,
      abort.signal,
    );
    const reader = res.body!.getReader();
    await readUntil(reader, "data: ", 3);
    abort.abort();
    await fake.lastRequest()!.waitForClientClose(1000);
  }));

Deno.test("errorAfter: a 200 stream that carries the dialect's error and no success terminator", () =>
  withFake(async (fake) => {
    const chat =
      await (await post(fake, "/v1/chat/completions", chatBody("x", { stream: true }, "fault-error-2")))
        .text();
    assertStringIncludes(chat, 'data: {"error":{"message"');
    assert(!chat.includes("[DONE]"));
    const responses = await (await post(
      fake,
      "/v1/responses",
      JSON.stringify({ model: "fault-error-3", input: "x", stream: true }),
    )).text();
    assertStringIncludes(responses, "event: error\n");
    assertStringIncludes(responses, "event: response.failed\n");
    assert(!responses.includes("response.completed"));
    const gemini =
      await (await fetch(`${fake.url}/v1beta/models/fault-error-1:streamGenerateContent?alt=sse&key=k`, {
        method: "POST",
        body: JSON.stringify({ contents: [{ parts: [{ text: "x" }] }] }),
      })).text();
    assertStringIncludes(gemini, 'data: {"error":{"code":500');
  }));

Deno.test("malformed chunk, oversized line and missing usage", () =>
  withFake(async (fake) => {
    const streamBody = (fault: string) =>
      post(
        fake,
        "/v1/chat/completions",
        chatBody("x", { stream: true, stream_options: { include_usage: true } }),
        {
          ...OPENAI,
          "x-fake-fault": fault,
        },
      ).then((r) => r.text());
    const malformed = await streamBody("malformedAfter=2");
    assertStringIncludes(malformed, 'data: {"choices":[{"delta":\n\n');
    assert(malformed.endsWith("data: [DONE]\n\n"));
    const oversized = await streamBody("oversizedLineBytes=300000");
    const longest = Math.max(...oversized.split("\n").map((l) => l.length));
    assertEquals(longest, "data: ".length + 300000);
    const usual = await streamBody("chunks=3");
    assertStringIncludes(usual, '"choices":[],"usage":{');
    const noUsage = await streamBody("noUsage=true");
    assert(!noUsage.includes('"usage":{'), "no usage chunk");
    assert(noUsage.endsWith("data: [DONE]\n\n"));
  }));

Deno.test("Claude streams include a ping; Gemini streams end with the finish reason", () =>
  withFake(async (fake) => {
    const claude = await (await post(
      fake,
      "/v1/messages",
      JSON.stringify({
        model: "c",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
      CLAUDE,
    )).text();
    assertStringIncludes(claude, 'event: ping\ndata: {"type":"ping"}\n\n');
    assert(claude.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
    const gemini = await (await fetch(`${fake.url}/v1beta/models/g:streamGenerateContent?alt=sse&key=k`, {
      method: "POST",
      body: JSON.stringify({ contents: [{ parts: [{ text: "x" }] }] }),
    })).text();
    const events = gemini.trim().split("\n\n");
    assertStringIncludes(events.at(-1)!, '"finishReason":"STOP"');
    assert(!events.slice(0, -1).some((e) => e.includes("finishReason")));
  }));

Deno.test("rerank scores documents by the query's words", () =>
  withFake(async (fake) => {
    const res = await post(
      fake,
      "/v1/rerank",
      JSON.stringify({
        model: "jina-reranker-v2",
        query: "red apple",
        documents: ["blue sky", "a red apple", "apple pie"],
      }),
    );
    const json = await res.json();
    assertEquals(json.results[0].index, 1);
    assertEquals(json.results[0].document.text, "a red apple");
    assert(json.usage.total_tokens > 0);
  }));

Deno.test("recording: method, path, headers and body of each request; counting without recording", async () => {
  await withFake(async (fake) => {
    const body = chatBody("record me", { stream: false });
    await (await post(fake, "/v1/chat/completions?x=1", body)).text();
    const req = fake.lastRequest()!;
    assertEquals([req.method, req.path, req.url.search], ["POST", "/v1/chat/completions", "?x=1"]);
    assertEquals(req.headers.get("authorization"), "Bearer sk-test");
    assertEquals(req.text, body);
    assertEquals(req.json.messages[0].content, "record me");
    assertEquals(req.status, 200);
    assertEquals(fake.requestsTo("/chat/completions").length, 1);
    assert(req.finishedAt! >= req.receivedAt);
    assertEquals(req.clientClosedAt, undefined);
  });
  await withFake(async (fake) => {
    await (await post(fake, "/v1/chat/completions", chatBody("x"))).text();
    assertEquals(fake.requests.length, 0);
    assertEquals(fake.requestCount, 1);
  }, { record: false });
});

Deno.test("control endpoints script faults and list requests from another process", () =>
  withFake(async (fake) => {
    await (await fetch(`${fake.url}/__fake/script`, { method: "POST", body: '{"status":418}' })).text();
    const res = await post(fake, "/v1/chat/completions", chatBody("x"));
    assertEquals(res.status, 418);
    await res.body?.cancel();
    const listed = await (await fetch(`${fake.url}/__fake/requests`)).json();
    assertEquals(listed.length, 1);
    assertEquals(listed[0].path, "/v1/chat/completions");
    assertEquals(listed[0].fault, { status: 418 });
  }));

Deno.test("CLI prints its URL and serves with the given chunk count", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname, "--port", "0", "--chunks", "7"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) out += (await reader.read()).value ?? "";
  reader.releaseLock();
  const url = out.split("\n")[0];
  try {
    const text = await (await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: OPENAI,
      body: chatBody("cli", { stream: true }),
    })).text();
    assertEquals(text.split('"content":').length - 1, 1 + 7); // the empty first delta, then 7 words
  } finally {
    child.kill("SIGTERM");
    await child.stdout.cancel().catch(() => {});
    assertEquals((await child.status).code, 0);
  }
});
