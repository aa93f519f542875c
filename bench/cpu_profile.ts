/**
 * Where a target's CPU goes under load: starts it with `--inspect`, drives the closed model from the load
 * agent, records a V8 CPU profile through the inspector and prints self time by package (npm packages,
 * Deno's runtime JS, our code, GC, idle) and the hottest functions. Writes the `.cpuprofile` (open it in
 * Chrome DevTools) to `bench/results/`.
 *
 *   deno run -A bench/cpu_profile.ts --target bare-undici --scenario chat --seconds 8
 */
import { parseArgs } from "node:util";
import { parseOptions, TARGET_NAMES, type TargetName } from "./options.ts";
import { LoadAgent } from "./load_client.ts";
import { freePort } from "./processes.ts";
import { parseScenarios, scenarios } from "./scenarios.ts";
import { probe, requestHeaders, startTargets } from "./targets.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const projectRoot = new URL("../", import.meta.url).href;

/** What a frame belongs to: a VM pseudo-frame, an npm package, Deno's runtime, or our own code. */
export function frameOwner(frame: ProfileNode["callFrame"]): string {
  const { functionName: name, url } = frame;
  if (!url) return name.startsWith("(") ? name : `(native) ${name.startsWith("op_") ? "ops" : "builtins"}`;
  const npm = url.match(/registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\//);
  if (npm) return `npm:${npm[1]}`;
  if (url.startsWith("ext:") || url.startsWith("node:")) return `deno runtime (${url.split("/")[0]})`;
  if (url.startsWith(projectRoot)) return `ours: ${url.slice(projectRoot.length).split("/")[0]}/`;
  if (url.startsWith("wasm:")) return "wasm";
  return url;
}

/** Self time by owner and by function, as shares of the sampled time. */
export function profileBreakdown(profile: CpuProfile, top = 20) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, t] of self) {
    const frame = nodes.get(id)!.callFrame;
    total += t;
    const owner = frameOwner(frame);
    owners.set(owner, (owners.get(owner) ?? 0) + t);
    const where = frame.url ? ` ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}` : "";
    const fn = `${frame.functionName || "(anonymous)"}${where}`;
    functions.set(fn, (functions.get(fn) ?? 0) + t);
  }
  const shares = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, t]) => [k, total ? t / total : 0] as const);
  return { owners: shares(owners), functions: shares(functions) };
}

async function inspector(port: number) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  };
  return {
    call: <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve) => {
        const id = ++next;
        pending.set(id, resolve as (v: unknown) => void);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      target: { type: "string", default: "gateway" },
      scenario: { type: "string", default: "chat" },
      seconds: { type: "string", default: "8" },
      connections: { type: "string", default: "32" },
    },
  });
  const target = values.target as TargetName;
  if (!(TARGET_NAMES as readonly string[]).includes(target) || target === "direct" || target === "peer") {
    throw new Error(`--target: one of bare-undici, bare-fetch, bare-undici-x2, gateway`);
  }
  const scenario = scenarios[parseScenarios(values.scenario!)[0]];
  const opts = parseOptions(["--connections", values.connections!], Deno.env.toObject());
  if (opts === "help") Deno.exit(0);
  const port = freePort();
  const agent = LoadAgent.start();
  const running = await startTargets(opts, ["direct", target], { [target]: [`--inspect=127.0.0.1:${port}`] });
  try {
    const t = running.targets.find((x) => x.name === target)!;
    const why = await probe(t, scenario);
    if (why) throw new Error(`${target} ${why}`);
    const job = {
      url: t.baseUrl + scenario.path,
      headers: requestHeaders(t),
      body: scenario.body(),
      connections: opts.connections,
      seconds: 2,
    };
    await agent.closed(job); // warm-up: JIT and connection pools settle before sampling
    const session = await inspector(port);
    await session.call("Profiler.enable");
    await session.call("Profiler.setSamplingInterval", { interval: 250 });
    await session.call("Profiler.start");
    const result = await agent.closed({ ...job, seconds: Number(values.seconds) });
    const { profile } = await session.call<{ profile: CpuProfile }>("Profiler.stop");
    session.close();
    const out = new URL(`./results/${target}-${scenario.name}.cpuprofile`, import.meta.url).pathname;
    await Deno.mkdir(out.slice(0, out.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(out, JSON.stringify(profile));
    const { owners, functions } = profileBreakdown(profile);
    const pct = (s: number) => `${(s * 100).toFixed(1).padStart(5)}%`;
    console.log(
      `${target}, ${scenario.label}: ${result.rps.toFixed(0)} req/s at ${opts.connections} in flight`,
    );
    console.log("self time by owner (main thread; (idle) = waiting for I/O):");
    for (const [k, s] of owners) console.log(`  ${pct(s)}  ${k}`);
    console.log("hottest functions:");
    for (const [k, s] of functions) console.log(`  ${pct(s)}  ${k}`);
    console.log(`profile: ${out}`);
  } finally {
    await agent.stop();
    await running.stop();
  }
}
