/**
 * The processes a benchmark run measures: the fake upstream (the "direct" target), the bare proxies, the
 * gateway configured as in production, and an optional peer gateway; plus the probe that tells whether a
 * target serves a scenario at all (the gateway answers 404 until its relay exists).
 */
import type { BenchOptions, TargetName } from "./options.ts";
import { freePort, type Service, spawnService } from "./processes.ts";
import { type PreparedGateway, prepareGateway } from "./gateway_setup.ts";
import type { Scenario } from "./scenarios.ts";
import { startV8Flags } from "../scripts/start_flags.ts";

const root = new URL("../", import.meta.url).pathname;
const STORE_NAMES = { sqlite: "SQLite", postgres: "PostgreSQL", mysql: "MySQL" } as const;

export interface Target {
  name: TargetName;
  label: string;
  baseUrl: string;
  key: string;
  /** The process serving it (RSS and CPU are sampled from it); undefined for a peer. */
  pid?: number;
}

export const TARGET_LABELS: Record<TargetName, string> = {
  "direct": "direct to the fake upstream",
  "bare-undici": "bare proxy: Hono + undici upstream client",
  "bare-fetch": "bare proxy: Hono + Deno fetch",
  "bare-undici-x2": "bare proxy: Hono + undici, deno serve --parallel (2 isolates)",
  "gateway": "gateway: auth, billing, logs, limits on",
  "peer": "peer gateway (BENCH_PEER_URL)",
};

export interface Running {
  upstream: Service;
  targets: Target[];
  gateway?: PreparedGateway;
  stop(): Promise<void>;
}

export async function startFakeUpstreamProcess(opts: BenchOptions): Promise<Service> {
  return await spawnService({
    name: "fake upstream",
    args: [
      "run",
      "-A",
      `${root}tests/fake_upstream/main.ts`,
      "--port",
      "0",
      "--chunks",
      String(opts.chunks),
      "--latency-ms",
      String(opts.upstreamLatencyMs),
      "--embedding-dimensions",
      String(opts.embeddingDimensions),
    ],
    urlFromOutput: /^(http:\/\/\S+)$/m,
  });
}

async function startBareProxy(
  upstreamUrl: string,
  client: "undici" | "fetch",
  parallel: boolean,
  denoArgs: string[],
) {
  const port = freePort();
  return await spawnService({
    name: `bare proxy (${client}${parallel ? ", parallel" : ""})`,
    args: [
      "serve",
      "-A",
      ...denoArgs,
      ...(parallel ? ["--parallel"] : []),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      `${root}bench/bare_proxy.ts`,
    ],
    env: {
      BENCH_UPSTREAM_URL: upstreamUrl,
      BENCH_PROXY_CLIENT: client,
      ...(parallel ? { DENO_JOBS: "2" } : {}),
    },
    url: `http://127.0.0.1:${port}`,
    healthUrl: `http://127.0.0.1:${port}/__health`,
  });
}

/**
 * The runtime flags production starts the gateway with (`deno task start`'s, baked into the binary by
 * `deno task compile`); BENCH_GATEWAY_V8_FLAGS overrides them for an A/B run (empty: V8's defaults).
 */
export function gatewayRuntimeArgs(env: Record<string, string | undefined> = Deno.env.toObject()): string[] {
  const override = env.BENCH_GATEWAY_V8_FLAGS;
  if (override === undefined) return startV8Flags();
  return override.trim() ? [`--v8-flags=${override.trim()}`] : [];
}

async function startGateway(opts: BenchOptions, upstreamUrl: string, denoArgs: string[]) {
  const prepared = await prepareGateway({
    upstreamUrl,
    sqlDsn: opts.sqlDsn,
    tokenConcurrency: opts.tokenConcurrency,
  });
  const port = freePort();
  try {
    const service = await spawnService({
      name: "gateway",
      args: ["run", "-A", ...gatewayRuntimeArgs(), ...denoArgs, `${root}main.ts`],
      env: { ...prepared.env, PORT: String(port), HOST: "127.0.0.1" },
      url: `http://127.0.0.1:${port}`,
      healthUrl: `http://127.0.0.1:${port}/api/status`,
      timeoutMs: 120_000,
    });
    return { prepared, service };
  } catch (err) {
    await prepared.cleanup();
    throw err;
  }
}

/** Starts the fake upstream and the named targets; `denoArgs` adds runtime flags (e.g. `--inspect`) per target. */
export async function startTargets(
  opts: BenchOptions,
  names: TargetName[],
  denoArgs: Partial<Record<TargetName, string[]>> = {},
): Promise<Running> {
  const services: Service[] = [];
  const upstream = await startFakeUpstreamProcess(opts);
  services.push(upstream);
  const targets: Target[] = [];
  let gateway: PreparedGateway | undefined;
  const stop = async () => {
    for (const s of services.reverse()) await s.stop();
    await gateway?.cleanup();
  };
  try {
    for (const name of names) {
      const label = TARGET_LABELS[name];
      if (name === "direct") {
        targets.push({
          name,
          label,
          baseUrl: upstream.url,
          key: "sk-fake-upstream-bench",
          pid: upstream.pid,
        });
      } else if (name === "peer") {
        targets.push({ name, label, baseUrl: opts.peer!.url, key: opts.peer!.key });
      } else if (name === "gateway") {
        const started = await startGateway(opts, upstream.url, denoArgs.gateway ?? []);
        gateway = started.prepared;
        services.push(started.service);
        targets.push({
          name,
          label: `${label} (${STORE_NAMES[gateway.store]})`,
          baseUrl: started.service.url,
          key: gateway.tokenKey,
          pid: started.service.pid,
        });
      } else {
        const client = name === "bare-fetch" ? "fetch" : "undici";
        const service = await startBareProxy(
          upstream.url,
          client,
          name === "bare-undici-x2",
          denoArgs[name] ?? [],
        );
        services.push(service);
        targets.push({ name, label, baseUrl: service.url, key: "sk-fake-upstream-bench", pid: service.pid });
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { upstream, targets, gateway, stop };
}

export function requestHeaders(target: Target): Record<string, string> {
  return { "content-type": "application/json", authorization: `Bearer ${target.key}` };
}

/**
 * Whether the target serves the scenario: undefined when it does, else why not. A 404 from the gateway
 * means its relay routes are not there (yet); any other failure is reported with its status and message.
 */
export async function probe(target: Target, scenario: Scenario): Promise<string | undefined> {
  try {
    const res = await fetch(target.baseUrl + scenario.path, {
      method: "POST",
      headers: requestHeaders(target),
      body: scenario.body(),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.ok) return undefined;
    if (res.status === 404 && target.name === "gateway") return "unavailable (relay not present)";
    return `unavailable (HTTP ${res.status}: ${text.slice(0, 160).replace(/\s+/g, " ")})`;
  } catch (err) {
    return `unavailable (${(err as Error).message})`;
  }
}
