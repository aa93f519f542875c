/**
 * Measures candidate HTTP clients for upstream calls against the fake upstream (in its own process):
 * Deno `fetch` (default pool and a shared `Deno.createHttpClient`), `node:http` with a keep-alive Agent,
 * and `undici`. Closed-model load at a fixed concurrency, alternating candidates, full bodies read as
 * they stream. Results feed the comment at the top of `relay/http/upstream_client.ts`.
 *
 *   deno run -A bench/upstream_clients.ts [--seconds 4] [--concurrency 32] [--rounds 2]
 */

import http from "node:http";
import process from "node:process";
import { parseArgs } from "node:util";
import { Agent as UndiciAgent, request as undiciRequest } from "undici";
import { createUpstreamClient } from "../relay/http/upstream_client.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "4" },
    concurrency: { type: "string", default: "32" },
    rounds: { type: "string", default: "2" },
    only: { type: "string" },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);

type Call = (url: string, body: Uint8Array<ArrayBuffer>) => Promise<number>;

const headers = { "content-type": "application/json", authorization: "Bearer sk-bench" };

async function readAll(stream: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  const reader = stream.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.length;
  }
}

const pooled = Deno.createHttpClient({ poolMaxIdlePerHost: 256, http2: false });
const nodeAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const undiciAgent = new UndiciAgent({ connections: 256, keepAliveTimeout: 30_000 });
const wrapper = createUpstreamClient({ firstByteTimeoutMs: 30_000, idleTimeoutMs: 30_000 });

const candidates: Record<string, Call> = {
  "fetch": async (url, body) => {
    const res = await fetch(url, { method: "POST", headers, body });
    return await readAll(res.body!);
  },
  "fetch+client": async (url, body) => {
    const res = await fetch(url, { method: "POST", headers, body, client: pooled });
    return await readAll(res.body!);
  },
  "node:http": (url, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: "POST", agent: nodeAgent, headers }, (res) => {
        let n = 0;
        res.on("data", (c: Uint8Array) => n += c.length);
        res.on("end", () => resolve(n));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    }),
  "undici": async (url, body) => {
    const res = await undiciRequest(url, { method: "POST", headers, body, dispatcher: undiciAgent });
    let n = 0;
    for await (const c of res.body) n += (c as Uint8Array).length;
    return n;
  },
  "fetch+byob": async (url, body) => {
    const res = await fetch(url, { method: "POST", headers, body, client: pooled });
    const reader = res.body!.getReader({ mode: "byob" });
    let buf = new Uint8Array(16384);
    let n = 0;
    while (true) {
      const { done, value } = await reader.read(buf);
      if (done || !value) return n;
      n += value.slice().length; // the copy a wrapper would hand downstream
      buf = new Uint8Array(value.buffer);
    }
  },
  "node:http+web": async (url, body) => await readAll(await nodeWebStream(url, body)),
  "undici+web": async (url, body) => await readAll(await undiciWebStream(url, body)),
  "wrapper": async (url, body) => {
    const res = await wrapper.request({ method: "POST", url, headers, body });
    return await readAll(res.body);
  },
};

/** node:http with a keep-alive Agent, its response turned into a web ReadableStream. */
function nodeWebStream(url: string, body: Uint8Array<ArrayBuffer>): Promise<ReadableStream<Uint8Array>> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: nodeAgent, headers }, (res) => {
      resolve(
        new ReadableStream<Uint8Array>({
          start(c) {
            res.on("data", (chunk: Uint8Array) => {
              c.enqueue(chunk);
              if (c.desiredSize! <= 0) res.pause();
            });
            res.on("end", () => c.close());
            res.on("error", (e) => c.error(e));
          },
          pull() {
            if (res.isPaused()) res.resume();
          },
          cancel() {
            res.destroy();
          },
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** undici's dispatch API straight into a web ReadableStream (the shape a wrapper would return). */
function undiciWebStream(url: string, body: Uint8Array<ArrayBuffer>): Promise<ReadableStream<Uint8Array>> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let out: ReadableStreamDefaultController<Uint8Array> | undefined;
    let dispatch: { pause(): void; resume(): void; abort(e: Error): void; paused: boolean } | undefined;
    undiciAgent.dispatch({ origin: u.origin, path: u.pathname + u.search, method: "POST", headers, body }, {
      onRequestStart(c) {
        dispatch = c;
      },
      onResponseStart() {
        resolve(
          new ReadableStream<Uint8Array>({
            start(c) {
              out = c;
            },
            pull() {
              if (dispatch?.paused) dispatch.resume();
            },
            cancel() {
              dispatch?.abort(new Error("cancelled"));
            },
          }),
        );
      },
      onResponseData(c, chunk) {
        out!.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (out!.desiredSize! <= 0) c.pause();
      },
      onResponseEnd() {
        out!.close();
      },
      onResponseError(_c, err) {
        if (out) out.error(err);
        else reject(err);
      },
    });
  });
}

function chatBody(promptBytes: number, stream: boolean): Uint8Array<ArrayBuffer> {
  const words = "lorem ipsum dolor sit amet consectetur adipiscing elit ".repeat(Math.ceil(promptBytes / 56));
  return new TextEncoder().encode(JSON.stringify({
    model: "gpt-4o-mini",
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: words.slice(0, promptBytes) },
    ],
  }));
}

const fakeProc = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL("../tests/fake_upstream/main.ts", import.meta.url).pathname, "--chunks", "50"],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const firstLine = await (async () => {
  const reader = fakeProc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  reader.releaseLock();
  return text.split("\n")[0];
})();
const base = firstLine.trim();

const scenarios = [
  { name: "chat 1KB non-stream", url: `${base}/v1/chat/completions`, body: chatBody(1000, false) },
  { name: "chat 50-chunk stream", url: `${base}/v1/chat/completions`, body: chatBody(1000, true) },
  { name: "chat 10KB non-stream", url: `${base}/v1/chat/completions`, body: chatBody(10_000, false) },
];

interface Result {
  requests: number;
  errors: number;
  latencies: number[];
  /** Client-process CPU time (user + system), µs: robust to other load on the machine. */
  cpuMicros: number;
}

async function drive(call: Call, url: string, body: Uint8Array<ArrayBuffer>, ms: number): Promise<Result> {
  const result: Result = { requests: 0, errors: 0, latencies: [], cpuMicros: 0 };
  const cpu = process.cpuUsage();
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await call(url, body);
        result.requests++;
        result.latencies.push(performance.now() - t0);
      } catch {
        result.errors++;
      }
    }
  }));
  const used = process.cpuUsage(cpu);
  result.cpuMicros = used.user + used.system;
  return result;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
}

const names = Object.keys(candidates).filter((n) => !values.only || values.only.split(",").includes(n));
const totals = new Map<string, Result>();
for (let round = 0; round < rounds; round++) {
  for (const scenario of scenarios) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      await drive(candidates[name], scenario.url, scenario.body, 500); // warm-up, connections opened
      const r = await drive(candidates[name], scenario.url, scenario.body, seconds * 1000);
      const key = `${scenario.name}|${name}`;
      const t = totals.get(key) ?? { requests: 0, errors: 0, latencies: [], cpuMicros: 0 };
      t.requests += r.requests;
      t.cpuMicros += r.cpuMicros;
      t.errors += r.errors;
      t.latencies.push(...r.latencies);
      totals.set(key, t);
    }
  }
}

console.log(`concurrency ${concurrency}, ${rounds} × ${seconds}s per candidate and scenario`);
console.log(
  "scenario".padEnd(24) + "client".padEnd(14) + "req/s".padStart(9) + "p50 ms".padStart(9) +
    "p99 ms".padStart(9) + "CPU µs/req".padStart(12) + "errors".padStart(8),
);
for (const scenario of scenarios) {
  for (const name of names) {
    const t = totals.get(`${scenario.name}|${name}`)!;
    const sorted = t.latencies.sort((a, b) => a - b);
    console.log(
      scenario.name.padEnd(24) + name.padEnd(14) + (t.requests / (rounds * seconds)).toFixed(0).padStart(9) +
        pct(sorted, 0.5).toFixed(2).padStart(9) + pct(sorted, 0.99).toFixed(2).padStart(9) +
        (t.cpuMicros / Math.max(1, t.requests)).toFixed(0).padStart(12) + String(t.errors).padStart(8),
    );
  }
}
fakeProc.kill("SIGTERM");
await fakeProc.status;
nodeAgent.destroy();
await undiciAgent.close();
pooled.close();
await wrapper.close();
