/**
 * Runs one scenario against every available target in rounds, alternating the order each round (ABBA),
 * closed model then open model, and keeps every round's numbers so added latency can be paired per round.
 * CPU time of the target, the fake upstream and the load generator is read around each closed run.
 */
import type { BenchOptions } from "./options.ts";
import type { LoadAgent } from "./load_client.ts";
import type { ClosedResult } from "./load_closed.ts";
import type { OpenResult } from "./load_open.ts";
import { busyShare, readCpuMs, readMachineTicks } from "./processes.ts";
import type { Scenario } from "./scenarios.ts";
import { requestHeaders, type Target } from "./targets.ts";

export interface CpuPerRequest {
  /** CPU µs per served request in the target's process (the proxy or gateway; the fake for direct). */
  target: number;
  /** ...in the fake upstream (0 for direct: it is the target). */
  upstream: number;
  loadGenerator: number;
}

export interface ClosedRound extends ClosedResult {
  cpu: CpuPerRequest;
  /** Busy share of all the machine's cores during the run (0..1; other tenants included). */
  machineBusy: number;
}

export interface OpenRound extends OpenResult {
  /** Share of one core each process used during the run. */
  coreShare: CpuPerRequest;
  machineBusy: number;
}

export interface TargetRounds {
  closed: ClosedRound[];
  open: OpenRound[];
}

export interface MeasureContext {
  agent: LoadAgent;
  upstreamPid: number;
  opts: BenchOptions;
  log: (line: string) => void;
}

function cpuNow(pids: (number | undefined)[]): number[] {
  return pids.map((pid) => (pid === undefined ? NaN : readCpuMs(pid)));
}

export async function measureScenario(
  ctx: MeasureContext,
  scenario: Scenario,
  targets: Target[],
): Promise<Map<string, TargetRounds>> {
  const { agent, opts } = ctx;
  const out = new Map<string, TargetRounds>(targets.map((t) => [t.name, { closed: [], open: [] }]));
  const closedJob = (t: Target, seconds: number) => ({
    url: t.baseUrl + scenario.path,
    headers: requestHeaders(t),
    body: scenario.body(),
    connections: opts.connections,
    seconds,
  });
  const pidsOf = (t: Target) => [t.pid, t.name === "direct" ? undefined : ctx.upstreamPid, agent.pid];
  for (const t of targets) {
    if (opts.warmup > 0) await agent.closed(closedJob(t, opts.warmup));
  }
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const pids = pidsOf(t);
      const before = cpuNow(pids), machine = readMachineTicks();
      const r = await agent.closed(closedJob(t, opts.duration));
      const after = cpuNow(pids), machineBusy = busyShare(machine, readMachineTicks());
      const perReq = (i: number) => (r.ok > 0 ? ((after[i] - before[i]) * 1000) / r.ok : NaN);
      out.get(t.name)!.closed.push({
        ...r,
        cpu: { target: perReq(0), upstream: t.name === "direct" ? 0 : perReq(1), loadGenerator: perReq(2) },
        machineBusy,
      });
      ctx.log(
        `  ${scenario.name} closed r${round + 1} ${t.name.padEnd(15)} ${r.rps.toFixed(0).padStart(7)} req/s` +
          `  p50 ${r.latency.p50.toFixed(2)} ms  p99 ${r.latency.p99.toFixed(2)} ms` +
          `  machine ${(machineBusy * 100).toFixed(0)}% busy` +
          (r.non2xx + r.errors ? `  non-2xx ${r.non2xx} errors ${r.errors}` : ""),
      );
    }
    for (const t of order) {
      const pids = pidsOf(t);
      const before = cpuNow(pids), machine = readMachineTicks(), t0 = performance.now();
      const r = await agent.open({
        url: t.baseUrl + scenario.path,
        headers: requestHeaders(t),
        body: scenario.body(scenario.stream ? opts.paceMs : undefined),
        stream: scenario.stream,
        rate: opts.rate,
        seconds: opts.duration,
      });
      const after = cpuNow(pids), machineBusy = busyShare(machine, readMachineTicks());
      const share = (i: number) => (after[i] - before[i]) / (performance.now() - t0);
      out.get(t.name)!.open.push({
        ...r,
        coreShare: {
          target: share(0),
          upstream: t.name === "direct" ? 0 : share(1),
          loadGenerator: share(2),
        },
        machineBusy,
      });
      ctx.log(
        `  ${scenario.name} open   r${round + 1} ${t.name.padEnd(15)} ${
          r.achievedRate.toFixed(0).padStart(5)
        }/s` +
          `  p50 ${r.latency.p50.toFixed(2)} ms  p99 ${r.latency.p99.toFixed(2)} ms` +
          (r.ttft ? `  ttft p50 ${r.ttft.p50.toFixed(2)} ms` : "") +
          `  machine ${(machineBusy * 100).toFixed(0)}% busy` +
          (r.failed ? `  failed ${r.failed} (${r.firstError})` : ""),
      );
    }
  }
  return out;
}
