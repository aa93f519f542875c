/**
 * `deno task bench`: the side-by-side benchmark of issue #8. Starts the fake upstream, bare proxies and
 * the gateway (configured as in production) as separate processes, drives them from a load-generator
 * process in alternating rounds, and prints a table plus a JSON summary (`bench/results/latest.json`).
 * `--streams N --minutes M` runs the long memory test instead. `--help` lists the flags.
 */
import { type BenchOptions, parseOptions, USAGE } from "./options.ts";
import { LoadAgent } from "./load_client.ts";
import { measureScenario } from "./measure.ts";
import { MemorySampler, readMemory } from "./processes.ts";
import { scenarios } from "./scenarios.ts";
import { evaluateGoals, lastLongRun, type ScenarioSummary, summarizeScenario } from "./summary.ts";
import { renderGoals, renderScenario } from "./table.ts";
import { probe, startTargets, type Target } from "./targets.ts";
import { runLongRun } from "./long_run.ts";
import { round } from "./stats.ts";

const MB = 1024 * 1024;

export function machineNote(): Record<string, unknown> {
  return {
    cpus: navigator.hardwareConcurrency,
    loadAverage: Deno.loadavg().map((v) => Number(v.toFixed(2))),
    deno: Deno.version.deno,
    note: `${navigator.hardwareConcurrency} CPUs shared by the load generator, the fake upstream and the ` +
      "target under test (and whatever else runs on the machine): absolute numbers are this box's; the " +
      "ratios and added latencies, measured side by side in alternating rounds, are the comparable part.",
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || ".", { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}

function settingsOf(opts: BenchOptions): Record<string, unknown> {
  return {
    quick: opts.quick,
    durationSeconds: opts.duration,
    rounds: opts.rounds,
    connections: opts.connections,
    rate: opts.rate,
    warmupSeconds: opts.warmup,
    scenarios: opts.scenarios,
    streamChunks: opts.chunks,
    openModelStreamPaceMs: opts.paceMs,
    upstreamLatencyMs: opts.upstreamLatencyMs,
    embeddingDimensions: opts.embeddingDimensions,
  };
}

async function sideBySide(opts: BenchOptions): Promise<void> {
  const log = (line: string) => console.log(line);
  const startedAt = new Date().toISOString();
  const machine = machineNote();
  log(`side-by-side benchmark: ${opts.targets.join(", ")}; scenarios ${opts.scenarios.join(", ")}`);
  log(`machine: ${machine.note} Load average at start: ${(machine.loadAverage as number[]).join(" ")}.`);
  log(
    `sizing: ${opts.connections} connections (closed), ${opts.rate} req/s (open), ${opts.duration} s per ` +
      `target × ${opts.rounds} round(s) × 2 models — defaults sized for 2 cores; --quick for a short check.`,
  );
  const agent = LoadAgent.start();
  const running = await startTargets(opts, opts.targets).catch(async (err) => {
    await agent.stop();
    throw err;
  });
  const pids = new Map<string, number>();
  for (const t of running.targets) {
    if (t.pid !== undefined) pids.set(t.name === "direct" ? "upstream" : t.name, t.pid);
  }
  const sampler = new MemorySampler(pids);
  sampler.start(250);
  const summaries: Record<string, ScenarioSummary> = {};
  const memory: Record<string, unknown> = {};
  try {
    for (const name of opts.scenarios) {
      const scenario = scenarios[name];
      const unavailable = new Map<string, string>();
      const available: Target[] = [];
      for (const t of running.targets) {
        const why = await probe(t, scenario);
        if (why) unavailable.set(t.name, why);
        else available.push(t);
      }
      if (unavailable.has("direct")) {
        throw new Error(`the fake upstream fails ${name}: ${unavailable.get("direct")}`);
      }
      for (const [t, why] of unavailable) log(`  ${name}: ${t} ${why}`);
      const measured = await measureScenario(
        { agent, upstreamPid: running.upstream.pid, opts, log },
        scenario,
        available,
      );
      summaries[name] = summarizeScenario(
        scenario.label,
        running.targets.map((t) => t.name),
        measured,
        unavailable,
        opts.rate,
      );
      log("");
      log(renderScenario(name, summaries[name], opts.rate, opts.connections));
      log("");
    }
  } finally {
    sampler.stop();
    for (const [name, pid] of pids) {
      const m = readMemory(pid);
      memory[name] = {
        rssAtStartMb: round((sampler.first.get(name) ?? NaN) / MB),
        peakRssMb: round((sampler.peak.get(name) ?? NaN) / MB),
        highWaterMarkMb: m ? round(m.hwm / MB) : null,
      };
    }
    await agent.stop();
    await running.stop();
  }
  const goals = evaluateGoals(
    summaries,
    await lastLongRun(opts.out.replace(/latest\.json$/, "long_run.json")),
  );
  log("memory (RSS, MB; sampled every 250 ms; high-water mark from /proc/<pid>/status VmHWM):");
  for (const [name, m] of Object.entries(memory)) log(`  ${name.padEnd(15)} ${JSON.stringify(m)}`);
  log("");
  log(renderGoals(goals));
  const summary = {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: Deno.loadavg().map((v) => Number(v.toFixed(2))) },
    settings: settingsOf(opts),
    gateway: running.gateway ? { store: running.gateway.store, ...running.gateway.settings } : null,
    targets: Object.fromEntries(running.targets.map((t) => [t.name, { label: t.label }])),
    scenarios: summaries,
    memory,
    goals,
  };
  await writeJson(opts.out, summary);
  log(`\nJSON summary: ${opts.out}`);
}

if (import.meta.main) {
  let opts;
  try {
    opts = parseOptions(Deno.args, Deno.env.toObject());
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    Deno.exit(2);
  }
  if (opts === "help") {
    console.log(USAGE);
  } else if (opts.longRun) {
    await runLongRun(opts, { writeJson, machineNote });
  } else {
    await sideBySide(opts);
  }
}
