/**
 * CLI for the fake upstream (used by the benchmark): prints its URL on the first stdout line and serves
 * until SIGINT/SIGTERM. Recording is off unless `--record` (then `GET /__fake/requests` lists requests).
 *
 *   deno run -A tests/fake_upstream/main.ts --port 0 --latency-ms 0 --chunks 50 --chunk-interval-ms 5
 */

import { parseArgs } from "node:util";
import { startFakeUpstream } from "./mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "0" },
    hostname: { type: "string", default: "127.0.0.1" },
    "latency-ms": { type: "string", default: "0" },
    "jitter-ms": { type: "string", default: "0" },
    chunks: { type: "string", default: "5" },
    "chunk-interval-ms": { type: "string", default: "0" },
    "embedding-dimensions": { type: "string", default: "16" },
    keys: { type: "string" },
    record: { type: "boolean", default: false },
  },
});

function int(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    Deno.exit(2);
  }
  return n;
}

const fake = await startFakeUpstream({
  port: int("port", values.port),
  hostname: values.hostname,
  latencyMs: int("latency-ms", values["latency-ms"]),
  jitterMs: int("jitter-ms", values["jitter-ms"]),
  chunks: int("chunks", values.chunks),
  chunkIntervalMs: int("chunk-interval-ms", values["chunk-interval-ms"]),
  embeddingDimensions: int("embedding-dimensions", values["embedding-dimensions"]),
  keys: values.keys ? values.keys.split(",") : undefined,
  record: values.record,
});
console.log(fake.url);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await fake.close();
    Deno.exit(0);
  });
}
