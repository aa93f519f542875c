/** Command-line flags and environment of `deno task bench`, with defaults sized for a 2-core machine. */
import { parseArgs } from "node:util";
import { parseScenarios, type ScenarioName, SCENARIOS } from "./scenarios.ts";

export const TARGET_NAMES = [
  "direct",
  "bare-undici",
  "bare-fetch",
  "bare-undici-x2",
  "gateway",
  "peer",
] as const;
export type TargetName = typeof TARGET_NAMES[number];

export interface BenchOptions {
  /** Seconds per target, per round, per load model. */
  duration: number;
  connections: number;
  rate: number;
  rounds: number;
  warmup: number;
  scenarios: ScenarioName[];
  targets: TargetName[];
  chunks: number;
  /** Spacing of stream events in open-model runs, ms (closed-model streams are unpaced). */
  paceMs: number;
  upstreamLatencyMs: number;
  embeddingDimensions: number;
  out: string;
  quick: boolean;
  sqlDsn?: string;
  peer?: { url: string; key: string };
  /** Long-run mode (`--streams N --minutes M`), else undefined. */
  longRun?: { streams: number; minutes: number; sampleSeconds: number; target: TargetName };
  tokenConcurrency: number;
}

export const USAGE = `deno task bench [flags]

  --duration S        seconds per target, per round and load model (default 3; --quick 1)
  --connections N     closed model: requests in flight (default 32; --quick 16)
  --rate R            open model: requests started per second (default 200; --quick 100)
  --rounds N          rounds, alternating the target order (default 4; --quick 1)
  --scenarios LIST    chat,stream,embeddings (default all)
  --targets LIST      direct,bare-fetch,bare-undici,gateway (default); also bare-undici-x2 (deno serve
                      --parallel, 2 isolates); peer is added when BENCH_PEER_URL is set
  --chunks N          stream events with text (default 50)
  --pace-ms MS        spacing of stream events in open-model runs (default 10)
  --upstream-latency-ms MS  fixed latency of the fake upstream (default 0)
  --out FILE          JSON summary (default bench/results/latest.json)
  --quick             a short run for CI-like checks
  --streams N --minutes M   long-run mode: N concurrent slow streams through --long-target (default
                      gateway) for M minutes, RSS sampled every --sample-seconds (default 5)

Environment: BENCH_SQL_DSN (run the gateway on PostgreSQL: a throwaway database on that server),
BENCH_PEER_URL + BENCH_PEER_KEY (another gateway as an extra target), BENCH_GATEWAY_V8_FLAGS (the gateway's
V8 flags instead of those of \`deno task start\`; empty for V8's defaults).`;

function num(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    throw new Error(`--${name}: expected a number >= ${min}, got "${value}"`);
  }
  return n;
}

export function parseOptions(args: string[], env: Record<string, string | undefined>): BenchOptions | "help" {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: "string" },
      connections: { type: "string" },
      rate: { type: "string" },
      rounds: { type: "string" },
      warmup: { type: "string" },
      scenarios: { type: "string" },
      targets: { type: "string" },
      chunks: { type: "string" },
      "pace-ms": { type: "string" },
      "upstream-latency-ms": { type: "string" },
      "embedding-dimensions": { type: "string" },
      out: { type: "string" },
      quick: { type: "boolean", default: false },
      streams: { type: "string" },
      minutes: { type: "string" },
      "sample-seconds": { type: "string" },
      "long-target": { type: "string" },
      "token-concurrency": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const quick = values.quick!;
  // bare-undici next to gateway: the ratio that matters most is measured back to back.
  const targets = (values.targets ?? "direct,bare-fetch,bare-undici,gateway").split(",").map((s) => s.trim())
    .filter(Boolean);
  for (const t of targets) {
    if (!(TARGET_NAMES as readonly string[]).includes(t) || t === "peer") {
      throw new Error(`--targets: unknown target "${t}" (peer comes from BENCH_PEER_URL)`);
    }
  }
  if (!targets.includes("direct")) targets.unshift("direct"); // every added latency is measured against it
  const peerUrl = env.BENCH_PEER_URL?.trim();
  if (peerUrl) targets.push("peer");
  const streams = values.streams === undefined ? undefined : num("streams", values.streams, 0, 1);
  const longTarget = values["long-target"] ?? "gateway";
  if (!(TARGET_NAMES as readonly string[]).includes(longTarget)) {
    throw new Error(`--long-target: unknown target "${longTarget}"`);
  }
  const options: BenchOptions = {
    duration: num("duration", values.duration, quick ? 1 : 3, 0.2),
    connections: Math.round(num("connections", values.connections, quick ? 16 : 32, 1)),
    rate: num("rate", values.rate, quick ? 100 : 200, 1),
    rounds: Math.round(num("rounds", values.rounds, quick ? 1 : 4, 1)),
    warmup: num("warmup", values.warmup, quick ? 0.3 : 1),
    scenarios: values.scenarios ? parseScenarios(values.scenarios) : [...SCENARIOS],
    targets: targets as TargetName[],
    chunks: Math.round(num("chunks", values.chunks, 50, 1)),
    paceMs: num("pace-ms", values["pace-ms"], 10),
    upstreamLatencyMs: Math.round(num("upstream-latency-ms", values["upstream-latency-ms"], 0)),
    embeddingDimensions: Math.round(num("embedding-dimensions", values["embedding-dimensions"], 1536, 1)),
    out: values.out ?? new URL("./results/latest.json", import.meta.url).pathname,
    quick,
    sqlDsn: env.BENCH_SQL_DSN?.trim() || undefined,
    peer: peerUrl ? { url: peerUrl.replace(/\/+$/, ""), key: env.BENCH_PEER_KEY ?? "" } : undefined,
    tokenConcurrency: Math.round(num("token-concurrency", values["token-concurrency"], 4096, 0)),
  };
  if (streams !== undefined) {
    options.longRun = {
      streams,
      minutes: num("minutes", values.minutes, 10, 0.05),
      sampleSeconds: num("sample-seconds", values["sample-seconds"], 5, 0.5),
      target: longTarget as TargetName,
    };
  }
  return options;
}
