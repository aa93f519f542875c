/**
 * The runtime's ceiling for the benchmark: Hono passing `/v1/*` through to `BENCH_UPSTREAM_URL` with no
 * auth, billing or logging, over the project's upstream client (`BENCH_PROXY_CLIENT=undici`, default) or
 * Deno's `fetch` (`fetch`). Run with `deno serve` (add `--parallel` for one isolate per core).
 *
 *   BENCH_UPSTREAM_URL=http://127.0.0.1:8081 deno serve -A --port 8082 bench/bare_proxy.ts
 */
import { Hono } from "hono";
import { createUpstreamClient } from "../relay/http/upstream_client.ts";

const upstream = (Deno.env.get("BENCH_UPSTREAM_URL") ?? "").replace(/\/+$/, "");
if (!upstream) throw new Error("BENCH_UPSTREAM_URL is required");
const mode = Deno.env.get("BENCH_PROXY_CLIENT") ?? "undici";
if (mode !== "undici" && mode !== "fetch") {
  throw new Error(`BENCH_PROXY_CLIENT: undici or fetch, not ${mode}`);
}

const client = createUpstreamClient({ firstByteTimeoutMs: 60_000, idleTimeoutMs: 60_000 });

/** Request headers worth forwarding; everything else (host, connection, ...) is per hop. */
const FORWARD = ["content-type", "authorization", "accept", "x-api-key"];
/** Response headers that describe the upstream hop, not the body. */
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "date", "server"]);

function forwardHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARD) {
    const value = req.headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

function responseHeaders(from: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of from) if (!HOP.has(name)) out.set(name, value);
  return out;
}

const app = new Hono();
app.get("/__health", (c) => c.text("ok"));
app.all("/v1/*", async function passThrough(c) {
  const url = new URL(c.req.url);
  const target = upstream + url.pathname + url.search;
  const body = c.req.method === "GET" || c.req.method === "HEAD" ? null : await c.req.arrayBuffer();
  const headers = forwardHeaders(c.req.raw);
  if (mode === "fetch") {
    const res = await fetch(target, { method: c.req.method, headers, body, signal: c.req.raw.signal });
    return new Response(res.body, { status: res.status, headers: responseHeaders(res.headers) });
  }
  const res = await client.request({
    method: c.req.method,
    url: target,
    headers,
    body: body && new Uint8Array(body),
    signal: c.req.raw.signal,
  });
  return new Response(res.body, { status: res.status, headers: responseHeaders(res.headers) });
});

export default { fetch: app.fetch } satisfies Deno.ServeDefaultExport;
