import {
  createUpstreamClient,
  UpstreamAbortedError,
  UpstreamBodyTooLargeError,
  type UpstreamClient,
  upstreamClientOptions,
  UpstreamConnectError,
  UpstreamError,
  UpstreamResetError,
  UpstreamTimeoutError,
} from "../../../relay/http/upstream_client.ts";
import { loadConfig } from "../../../config/env.ts";
import { sseParserStream } from "../../../relay/sse/parser.ts";
import type { SseEvent } from "../../../relay/sse/event.ts";
import { type FakeUpstream, startFakeUpstream } from "../../fake_upstream/mod.ts";
import { startConnectProxy, startSocks5Proxy } from "./proxy_servers.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../support/assert.ts";

const decoder = new TextDecoder();
const AUTH = { authorization: "Bearer sk-test", "content-type": "application/json" };

function chat(prompt: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }], ...extra });
}

async function withFake(
  fn: (fake: FakeUpstream, client: UpstreamClient) => Promise<void>,
  clientOptions: Parameters<typeof createUpstreamClient>[0] = {},
) {
  const fake = await startFakeUpstream();
  const client = createUpstreamClient({ firstByteTimeoutMs: 5000, idleTimeoutMs: 5000, ...clientOptions });
  try {
    await fn(fake, client);
  } finally {
    await client.close();
    await fake.close();
  }
}

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

/** Reads until `needle` has appeared `times` times; returns the reader for more. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string, times: number) {
  let text = "";
  while (text.split(needle).length - 1 < times) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended after ${JSON.stringify(text)}`);
    text += decoder.decode(value);
  }
  return text;
}

Deno.test("returns status, headers and the body of a non-stream answer", () =>
  withFake(async (fake, client) => {
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("hi there"),
    });
    assertEquals(res.status, 200);
    assert(res.ok);
    assertEquals(res.headers.get("content-type"), "application/json");
    const json = JSON.parse(decoder.decode(await res.bytes(1 << 20)));
    assertEquals(json.choices[0].message.content.startsWith("hi there"), true);
    assertEquals(fake.lastRequest()!.headers.get("authorization"), "Bearer sk-test");
  }));

Deno.test("sends string, byte and stream bodies unchanged", () =>
  withFake(async (fake, client) => {
    const text = chat("body kinds ü");
    const bytes = new TextEncoder().encode(text);
    const stream = ReadableStream.from([bytes.subarray(0, 10), bytes.subarray(10)]);
    for (const body of [text, bytes, stream]) {
      const res = await client.request({ url: `${fake.url}/v1/chat/completions`, headers: AUTH, body });
      await res.cancel();
      assertEquals(fake.lastRequest()!.text, text);
    }
  }));

Deno.test("reuses keep-alive connections for sequential calls", () =>
  withFake(async (fake, client) => {
    for (let i = 0; i < 4; i++) {
      const res = await client.request({
        url: `${fake.url}/v1/chat/completions`,
        headers: AUTH,
        body: chat("k"),
      });
      await res.bytes(1 << 20);
      // undici hands the socket back to the pool just after the body ends; a request dispatched in the
      // same tick may open a second connection (still reused afterwards), so let the pool settle.
      await new Promise((r) => setTimeout(r, 0));
    }
    const ports = fake.requests.map((r) => r.remotePort);
    assertEquals(new Set(ports).size, 1, `ports ${ports}`);
  }));

Deno.test("streams without buffering: events arrive while the upstream is still sending", () =>
  withFake(async (fake, client) => {
    // The upstream stalls after 3 events and never ends: only a non-buffering client sees them.
    fake.script({ stallAfter: 3 });
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("stream", { stream: true }),
    });
    const reader = res.body.getReader();
    const text = await readUntil(reader, "data: ", 3);
    assertStringIncludes(text, "chat.completion.chunk");
    await reader.cancel();
    await fake.lastRequest()!.waitForClientClose(1000);
  }));

Deno.test("a caller abort mid-stream closes the upstream connection within 1 s", () =>
  withFake(async (fake, client) => {
    fake.script({ stallAfter: 2 });
    const abort = new AbortController();
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("abort me", { stream: true }),
      signal: abort.signal,
    });
    const reader = res.body.getReader();
    await readUntil(reader, "data: ", 2);
    const abortedAt = performance.now();
    abort.abort(new Error("client went away"));
    await assertRejects(() => reader.read(), UpstreamAbortedError);
    const closedAt = await fake.lastRequest()!.waitForClientClose(1000);
    assert(closedAt - abortedAt < 1000, `closed after ${closedAt - abortedAt} ms`);
  }));

Deno.test("a caller abort before the headers rejects and closes the connection", () =>
  withFake(async (fake, client) => {
    fake.script({ hang: true });
    const abort = new AbortController();
    const pending = client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("hang"),
      signal: abort.signal,
    });
    await fake.waitForRequests(1);
    abort.abort();
    await assertRejects(() => pending, UpstreamAbortedError);
    await fake.lastRequest()!.waitForClientClose(1000);
  }));

Deno.test("an already-aborted signal never reaches the upstream", () =>
  withFake(async (fake, client) => {
    await assertRejects(
      () =>
        client.request({ url: `${fake.url}/v1/chat/completions`, body: "{}", signal: AbortSignal.abort() }),
      UpstreamAbortedError,
    );
    assertEquals(fake.requestCount, 0);
  }));

Deno.test("first-byte timeout: a hanging upstream fails with phase first_byte and is disconnected", () =>
  withFake(async (fake, client) => {
    fake.script({ hang: true });
    const started = performance.now();
    const err = await assertRejects(
      () => client.request({ url: `${fake.url}/v1/chat/completions`, headers: AUTH, body: chat("x") }),
      UpstreamTimeoutError,
    ) as UpstreamTimeoutError;
    assertEquals(err.phase, "first_byte");
    assert(performance.now() - started < 2000);
    await fake.lastRequest()!.waitForClientClose(1000);
  }, { firstByteTimeoutMs: 250 }));

Deno.test("idle timeout: a stream that stalls mid-way fails with phase idle", () =>
  withFake(async (fake, client) => {
    fake.script({ stallAfter: 2 });
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("stall", { stream: true }),
    });
    const reader = res.body.getReader();
    await readUntil(reader, "data: ", 2);
    const err = await assertRejects(async () => {
      while (!(await reader.read()).done) { /* drain until the timeout */ }
    }, UpstreamTimeoutError) as UpstreamTimeoutError;
    assertEquals(err.phase, "idle");
    await fake.lastRequest()!.waitForClientClose(1000);
  }, { idleTimeoutMs: 300 }));

Deno.test("a slow reader is not an idle upstream: backpressure pauses the idle timer", () =>
  withFake(async (fake, client) => {
    // ~200 KB of events: far more than the client's buffer, so the socket is paused while we sleep.
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("[fake:chunks=1500] slow reader", { stream: true }),
    });
    const reader = res.body.getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 1500));
    let text = "";
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    assert(text.trimEnd().endsWith("data: [DONE]"), "the stream completed");
  }, { idleTimeoutMs: 600 }));

Deno.test("total timeout bounds a slow but steady stream", () =>
  withFake(async (fake, client) => {
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("[fake:chunks=40] [fake:interval=50] steady", { stream: true }),
      totalTimeoutMs: 400,
    });
    const err = await assertRejects(() => readText(res.body), UpstreamTimeoutError) as UpstreamTimeoutError;
    assertEquals(err.phase, "total");
    await fake.lastRequest()!.waitForClientClose(1000);
  }));

Deno.test("a cut stream surfaces as UpstreamResetError, not as a clean end", () =>
  withFake(async (fake, client) => {
    fake.script({ cutAfter: 3 });
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("cut", { stream: true }),
    });
    const err = await assertRejects(() => readText(res.body), UpstreamResetError) as UpstreamResetError;
    assertEquals(err.phase, "body");
  }));

Deno.test("connection refused is an UpstreamConnectError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const client = createUpstreamClient();
  try {
    await assertRejects(
      () => client.request({ url: `http://127.0.0.1:${port}/v1/chat/completions`, body: "{}" }),
      UpstreamConnectError,
    );
  } finally {
    await client.close();
  }
});

Deno.test("a connection reset before the headers is an UpstreamResetError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(1024));
    conn.close(); // no response at all
  })();
  const client = createUpstreamClient();
  try {
    const err = await assertRejects(
      () => client.request({ url: `http://127.0.0.1:${listener.addr.port}/x`, body: "{}" }),
      UpstreamResetError,
    ) as UpstreamResetError;
    assertEquals(err.phase, "headers");
  } finally {
    await accepting;
    listener.close();
    await client.close();
  }
});

Deno.test("error bodies are read up to a cap; bytes() refuses oversized bodies", () =>
  withFake(async (fake, client) => {
    fake.script({ status: 500, message: "e".repeat(100_000) }, { status: 500, message: "e".repeat(100_000) });
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("x"),
    });
    assertEquals(res.status, 500);
    assertEquals(res.ok, false);
    const text = await res.readErrorText(1000);
    assertEquals(text.length, 1000);
    assert(text.startsWith('{"error":{"message":"eee'));
    const again = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("x"),
    });
    await assertRejects(() => again.bytes(1000), UpstreamBodyTooLargeError);
  }));

Deno.test("a 429 passes its Retry-After header through", () =>
  withFake(async (fake, client) => {
    fake.script({ status: 429, retryAfter: "7" });
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("x"),
    });
    assertEquals(res.status, 429);
    assertEquals(res.headers.get("retry-after"), "7");
    assertStringIncludes(await res.readErrorText(), "rate_limit_exceeded");
  }));

Deno.test("many concurrent streams complete intact", () =>
  withFake(async (fake, client) => {
    const texts = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const res = await client.request({
        url: `${fake.url}/v1/chat/completions`,
        headers: AUTH,
        body: chat(`parallel ${i}`, { stream: true }),
      });
      return await readText(res.body);
    }));
    for (const [i, text] of texts.entries()) {
      assertStringIncludes(text, `"content":"parallel"`);
      assertStringIncludes(text, `"content":" ${i}"`);
      assert(text.endsWith("data: [DONE]\n\n"));
    }
    assertEquals(fake.requestCount, 40);
  }));

Deno.test("HTTPS upstreams: verified against the given CA, refused as a connect error without it", async () => {
  const dir = new URL("../../fixtures/tls/", import.meta.url);
  const cert = await Deno.readTextFile(new URL("localhost.crt", dir));
  const key = await Deno.readTextFile(new URL("localhost.key", dir));
  const fake = await startFakeUpstream({ tls: { cert, key } });
  const trusting = createUpstreamClient({ tls: { ca: cert } });
  const strict = createUpstreamClient();
  try {
    assert(fake.url.startsWith("https://"));
    const res = await trusting.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("over tls", { stream: true }),
    });
    const text = await readText(res.body);
    assertStringIncludes(text, '"content":"over"');
    assert(text.endsWith("data: [DONE]\n\n"));
    await assertRejects(
      () => strict.request({ url: `${fake.url}/v1/chat/completions`, headers: AUTH, body: chat("x") }),
      UpstreamConnectError,
    );
  } finally {
    await trusting.close();
    await strict.close();
    await fake.close();
  }
});

Deno.test("TLS_INSECURE_SKIP_VERIFY=true reaches an upstream with a self-signed certificate", async () => {
  const dir = new URL("../../fixtures/tls/", import.meta.url);
  const cert = await Deno.readTextFile(new URL("localhost.crt", dir));
  const key = await Deno.readTextFile(new URL("localhost.key", dir));
  const fake = await startFakeUpstream({ tls: { cert, key } });
  const insecure = createUpstreamClient(
    upstreamClientOptions(loadConfig({ TLS_INSECURE_SKIP_VERIFY: "true" })),
  );
  const verifying = createUpstreamClient(upstreamClientOptions(loadConfig({})));
  try {
    const res = await insecure.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("x"),
    });
    assertEquals(res.status, 200);
    await readText(res.body);
    await assertRejects(
      () => verifying.request({ url: `${fake.url}/v1/chat/completions`, headers: AUTH, body: chat("x") }),
      UpstreamConnectError,
    );
  } finally {
    await insecure.close();
    await verifying.close();
    await fake.close();
  }
});

Deno.test("an invalid request is a plain UpstreamError and reaches no upstream", () =>
  withFake(async (fake, client) => {
    const bad = await assertRejects(
      () => client.request({ url: `${fake.url}/v1/x`, headers: { "x-bad": "a\r\nb" }, body: "{}" }),
      UpstreamError,
    );
    assertEquals(bad.name, "UpstreamError");
    await assertRejects(() => client.request({ url: "not a url" }), UpstreamError, "invalid upstream URL");
    assertEquals(fake.requestCount, 0);
  }));

Deno.test("close() cuts calls still in flight instead of waiting for a stuck upstream", async () => {
  const fake = await startFakeUpstream();
  const client = createUpstreamClient();
  try {
    fake.script({ stallAfter: 1 });
    const res = await client.request({
      url: `${fake.url}/v1/chat/completions`,
      headers: AUTH,
      body: chat("stuck", { stream: true }),
    });
    const reader = res.body.getReader();
    await readUntil(reader, "data: ", 1);
    await client.close();
    await assertRejects(() => reader.read(), UpstreamResetError);
    await fake.lastRequest()!.waitForClientClose(1000);
  } finally {
    await fake.close();
  }
});

Deno.test("composes with the SSE parser: Claude events out, and a cut stream errors the event stream", () =>
  withFake(async (fake, client) => {
    const claude = {
      "x-api-key": "k",
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
    };
    const body = (model: string) =>
      JSON.stringify({ model, max_tokens: 64, stream: true, messages: [{ role: "user", content: "hi" }] });
    const events: SseEvent[] = [];
    const res = await client.request({ url: `${fake.url}/v1/messages`, headers: claude, body: body("c") });
    for await (const e of res.body.pipeThrough(sseParserStream({ maxBufferBytes: 1 << 20 }))) events.push(e);
    assertEquals(events[0].event, "message_start");
    assertEquals(events.at(-1), { event: "message_stop", data: '{"type":"message_stop"}' });

    const cut = await client.request({
      url: `${fake.url}/v1/messages`,
      headers: claude,
      body: body("c-fault-cut-4"),
    });
    const seen: string[] = [];
    await assertRejects(async () => {
      for await (const e of cut.body.pipeThrough(sseParserStream({ maxBufferBytes: 1 << 20 }))) {
        seen.push(e.event!);
      }
    }, UpstreamResetError);
    assertEquals(seen.length, 4);
    assert(!seen.includes("message_stop"));
  }));

Deno.test("channel proxies: HTTP CONNECT and SOCKS5 tunnels reach the upstream; a dead proxy is a connect error", () =>
  withFake(async (fake, client) => {
    for (const proxy of [startConnectProxy(), startSocks5Proxy()]) {
      const proxied = createUpstreamClient();
      try {
        const res = await proxied.request({
          url: `${fake.url}/v1/chat/completions`,
          headers: AUTH,
          body: chat("via proxy", { stream: true }),
          proxy: proxy.url,
        });
        const text = await readText(res.body);
        assert(text.endsWith("data: [DONE]\n\n"), text);
        assertEquals(proxy.seen.length, 1);
        assertStringIncludes(proxy.seen[0], `127.0.0.1:${fake.port}`);
      } finally {
        await proxied.close(); // drops the tunnel so the proxy can stop
        await proxy.close();
      }
    }
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    listener.close();
    await assertRejects(
      () =>
        client.request({
          url: `${fake.url}/v1/chat/completions`,
          body: "{}",
          proxy: `http://127.0.0.1:${listener.addr.port}`,
        }),
      UpstreamConnectError,
    );
    await assertRejects(
      () => client.request({ url: fake.url, proxy: "ftp://x" }),
      UpstreamError,
      "invalid proxy",
    );
    assertEquals(fake.requestCount, 2);
  }));
