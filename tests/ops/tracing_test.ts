/**
 * Traces over OTLP/HTTP: the real gateway process started with OTEL_DENO=true and an endpoint exports,
 * for a chat request, a span named "chat_completions gpt-4o-mini" with the GenAI attributes (operation,
 * model, provider, usage) and the channel, under `Deno.serve`'s server span; started without OTEL_DENO it
 * sends nothing and says at start why. The collector is a real HTTP server taking OTLP's JSON encoding.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { seedGatewayStore, startServer } from "../support/server.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { withTempDir } from "../support/temp_dir.ts";

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

/** A collector: every span of every `POST /v1/traces` (OTLP JSON), flattened. */
function startCollector() {
  const spans: OtlpSpan[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (req.method === "POST" && new URL(req.url).pathname === "/v1/traces") {
      const body = await req.json();
      for (const rs of body.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      return Response.json({});
    }
    await req.body?.cancel();
    return Response.json({});
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    spans,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  const raw = v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
  return typeof raw === "string" && "intValue" in v ? Number(raw) : raw;
}

const secret = "tracing-test-secret-0123456789";

async function chatOnce(url: string, key: string) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "[fake:chunks=4] hi" }],
    }),
  });
  assertEquals(res.status, 200);
  return (await res.json()).usage;
}

Deno.test({
  name: "with OTEL_DENO and an OTLP endpoint, a relay request exports a GenAI span",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempDir(async (dir) => {
      await using fake = await startFakeUpstream();
      await using collector = startCollector();
      const env = { DATA_DIR: dir, SESSION_SECRET: secret, CRYPTO_SECRET: secret };
      const key = await seedGatewayStore(env, fake.url);
      const server = await startServer({
        ...env,
        OTEL_DENO: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_DENO_CONSOLE: "ignore",
        OTEL_SERVICE_NAME: "newapi-deno-test",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      });
      try {
        const usage = await chatOnce(server.url, key);
        const until = Date.now() + 15_000;
        let span: OtlpSpan | undefined;
        while (!span && Date.now() < until) {
          span = collector.spans.find((s) => s.name === "chat_completions gpt-4o-mini");
          if (!span) await new Promise((r) => setTimeout(r, 100));
        }
        assert(span, `no relay span; got ${JSON.stringify(collector.spans.map((s) => s.name))}`);
        assertEquals(attr(span, "gen_ai.operation.name"), "chat_completions");
        assertEquals(attr(span, "gen_ai.request.model"), "gpt-4o-mini");
        assertEquals(attr(span, "gen_ai.provider.name"), "openai");
        assertEquals(attr(span, "gen_ai.usage.input_tokens"), usage.prompt_tokens);
        assertEquals(attr(span, "gen_ai.usage.output_tokens"), usage.completion_tokens);
        assertEquals(attr(span, "new_api.outcome"), "completed");
        assertEquals(typeof attr(span, "new_api.channel_id"), "number");
        // Deno.serve's span for the HTTP request is its parent, in the same trace.
        const parent = collector.spans.find((s) => s.spanId === span!.parentSpanId);
        assert(parent, "the relay span has the server span as its parent");
        assertEquals(parent.traceId, span.traceId);
        const text = JSON.stringify(collector.spans);
        assert(!text.includes(key.slice(3)), "no API key in any span");
      } finally {
        await server.stop();
      }
    }),
});

Deno.test({
  name: "without OTEL_DENO nothing is exported, and the start names the missing switch",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempDir(async (dir) => {
      await using fake = await startFakeUpstream();
      await using collector = startCollector();
      const env = { DATA_DIR: dir, SESSION_SECRET: secret, CRYPTO_SECRET: secret };
      const key = await seedGatewayStore(env, fake.url);
      const server = await startServer({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      try {
        await chatOnce(server.url, key);
        await new Promise((r) => setTimeout(r, 1500));
        assertEquals(collector.spans.length, 0);
        assert(server.output().includes("start with OTEL_DENO=true"), server.output());
      } finally {
        await server.stop();
      }
    }),
});
