/** The streaming client of the benchmark counts SSE events, time to first event and gaps on real streams. */
import { Agent } from "undici";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { OVERHEAD_HEADER, timedRequest } from "../../bench/timed_request.ts";

Deno.test("a paced stream is timed event by event", async () => {
  await using fake = await startFakeUpstream({ chunks: 4, chunkIntervalMs: 30, record: false });
  const dispatcher = new Agent();
  try {
    const t = await timedRequest({
      url: `${fake.url}/v1/chat/completions`,
      headers: { "content-type": "application/json", authorization: "Bearer sk-test" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "count" }],
      }),
      stream: true,
      dispatcher,
    });
    assertEquals(t.status, 200);
    assertEquals(t.error, undefined);
    // role + 4 text pieces + finish + usage + [DONE]
    assertEquals(t.events, 8);
    assertEquals(t.gaps!.length, 7);
    assert(t.ttft! >= t.ttfb && t.ttft! < t.total, `ttfb ${t.ttfb} ttft ${t.ttft} total ${t.total}`);
    // Paced 30 ms apart: most gaps are near that, and together they span most of the stream.
    const spanned = t.gaps!.reduce((a, b) => a + b, 0);
    assert(spanned >= 150, `gaps sum to ${spanned} ms`);
  } finally {
    await dispatcher.close();
  }
});

Deno.test("the gateway's overhead header is read when present", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("{}", { headers: { [OVERHEAD_HEADER]: "0.42", "content-type": "application/json" } }),
  );
  const dispatcher = new Agent();
  try {
    const t = await timedRequest({
      url: `http://127.0.0.1:${server.addr.port}/v1/embeddings`,
      headers: { "content-type": "application/json" },
      body: "{}",
      stream: false,
      dispatcher,
    });
    assertEquals([t.status, t.overheadMs], [200, 0.42]);
  } finally {
    await dispatcher.close();
  }
});
