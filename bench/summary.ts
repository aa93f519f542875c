/**
 * Turns the rounds a run measured into the JSON summary: per scenario and target the closed-model
 * throughput and latency, the open-model latency with the added latency over direct (paired per round),
 * stream timing, CPU per request, the ratios between targets and the goals marked met or missed.
 */
import type { TargetRounds } from "./measure.ts";
import { median, pairedAdded, ratio, round } from "./stats.ts";
import type { OpenResult } from "./load_open.ts";

type N = number | null;

export interface ClosedSummary {
  rps: N;
  p50: N;
  p99: N;
  requests: number;
  non2xx: number;
  errors: number;
  cpuUsPerRequest: { target: N; upstream: N; loadGenerator: N };
  /** Busy share of the whole machine (all cores) during the runs, 0..1. */
  machineBusy: N;
}

export interface OpenSummary {
  rate: number;
  achievedRate: N;
  p50: N;
  p99: N;
  /** Over direct, median of per-round differences. */
  addedP50: N;
  addedP99: N;
  ttftP50?: N;
  ttftP99?: N;
  addedTtftP50?: N;
  addedTtftP99?: N;
  gapP50?: N;
  gapP99?: N;
  addedGapP99?: N;
  failed: number;
  schedulerLatenessP99: N;
  /** Share of one core used by each process at this rate. */
  coreShare: { target: N; upstream: N; loadGenerator: N };
  machineBusy: N;
}

export interface TargetSummary {
  status: "ok" | "unavailable";
  reason?: string;
  closed?: ClosedSummary;
  open?: OpenSummary;
  /** The gateway's own `X-NewAPI-Overhead-Ms`, when it sends one. */
  overheadMs?: { p50: N; p99: N };
}

export interface ScenarioSummary {
  label: string;
  targets: Record<string, TargetSummary>;
  ratios: Record<string, N>;
}

export interface Goal {
  goal: string;
  status: "met" | "missed" | "not measured";
  value: N;
  limit: number;
  note?: string;
}

const med = (xs: number[]) => round(median(xs));

function closedSummary(rounds: TargetRounds): ClosedSummary {
  const c = rounds.closed;
  const ok = c.reduce((n, r) => n + r.ok, 0);
  const seconds = c.reduce((n, r) => n + r.seconds, 0);
  return {
    rps: round(ok / seconds),
    p50: med(c.map((r) => r.latency.p50)),
    p99: med(c.map((r) => r.latency.p99)),
    requests: ok,
    non2xx: c.reduce((n, r) => n + r.non2xx, 0),
    errors: c.reduce((n, r) => n + r.errors, 0),
    cpuUsPerRequest: {
      target: med(c.map((r) => r.cpu.target)),
      upstream: med(c.map((r) => r.cpu.upstream)),
      loadGenerator: med(c.map((r) => r.cpu.loadGenerator)),
    },
    machineBusy: med(c.map((r) => r.machineBusy)),
  };
}

function openSummary(rounds: TargetRounds, direct: TargetRounds | undefined, rate: number): OpenSummary {
  const o = rounds.open;
  const d = direct?.open ?? [];
  const pick = (rs: OpenResult[], f: (r: OpenResult) => number | undefined) => rs.map((r) => f(r) ?? NaN);
  const added = (f: (r: OpenResult) => number | undefined) => round(pairedAdded(pick(o, f), pick(d, f)));
  const stream = o.some((r) => r.ttft);
  return {
    rate,
    achievedRate: med(o.map((r) => r.achievedRate)),
    p50: med(o.map((r) => r.latency.p50)),
    p99: med(o.map((r) => r.latency.p99)),
    addedP50: added((r) => r.latency.p50),
    addedP99: added((r) => r.latency.p99),
    ...(stream
      ? {
        ttftP50: med(pick(o, (r) => r.ttft?.p50)),
        ttftP99: med(pick(o, (r) => r.ttft?.p99)),
        addedTtftP50: added((r) => r.ttft?.p50),
        addedTtftP99: added((r) => r.ttft?.p99),
        gapP50: med(pick(o, (r) => r.gap?.p50)),
        gapP99: med(pick(o, (r) => r.gap?.p99)),
        addedGapP99: added((r) => r.gap?.p99),
      }
      : {}),
    failed: o.reduce((n, r) => n + r.failed, 0),
    schedulerLatenessP99: med(o.map((r) => r.lateness.p99)),
    coreShare: {
      target: med(o.map((r) => r.coreShare.target)),
      upstream: med(o.map((r) => r.coreShare.upstream)),
      loadGenerator: med(o.map((r) => r.coreShare.loadGenerator)),
    },
    machineBusy: med(o.map((r) => r.machineBusy)),
  };
}

function overhead(rounds: TargetRounds): TargetSummary["overheadMs"] {
  const all = [...rounds.closed.map((r) => r.overheadMs), ...rounds.open.map((r) => r.overheadMs)]
    .filter((s) => s !== undefined);
  if (all.length === 0) return undefined;
  return { p50: med(all.map((s) => s!.p50)), p99: med(all.map((s) => s!.p99)) };
}

/** `order` lists the targets as the table shows them; each is in `measured` or in `unavailable`. */
export function summarizeScenario(
  label: string,
  order: string[],
  measured: Map<string, TargetRounds>,
  unavailable: Map<string, string>,
  rate: number,
): ScenarioSummary {
  const targets: Record<string, TargetSummary> = {};
  const direct = measured.get("direct");
  for (const name of order) {
    const reason = unavailable.get(name);
    if (reason !== undefined) {
      targets[name] = { status: "unavailable", reason };
      continue;
    }
    const rounds = measured.get(name);
    if (!rounds) continue;
    const oh = overhead(rounds);
    targets[name] = {
      status: "ok",
      closed: closedSummary(rounds),
      open: openSummary(rounds, name === "direct" ? undefined : direct, rate),
      ...(oh ? { overheadMs: oh } : {}),
    };
    if (name === "direct") {
      targets[name].open!.addedP50 = 0;
      targets[name].open!.addedP99 = 0;
    }
  }
  // Paired per round (same round, back to back), then the median: robust to the shared machine's slow spells.
  const r = (a: string, b: string) => {
    const ra = measured.get(a)?.closed, rb = measured.get(b)?.closed;
    if (!ra || !rb) return null;
    const perRound = ra.map((x, i) => ratio(x.rps, rb[i]?.rps)).filter((v) => v !== null);
    return perRound.length ? round(median(perRound)) : null;
  };
  const cpu = (a: string, b: string) => {
    const v = ratio(
      targets[a]?.closed?.cpuUsPerRequest.target ?? undefined,
      targets[b]?.closed?.cpuUsPerRequest.target ?? undefined,
    );
    return v === null ? null : round(v);
  };
  const ratios: Record<string, N> = {
    "bare-undici/direct": r("bare-undici", "direct"),
    "bare-fetch/direct": r("bare-fetch", "direct"),
    "gateway/bare-undici": r("gateway", "bare-undici"),
    "gateway/direct": r("gateway", "direct"),
  };
  // CPU per request is the steadier number on a shared box: if the target is CPU-bound, throughput follows it.
  ratios["cpu gateway/bare-undici"] = cpu("gateway", "bare-undici");
  if (targets["bare-undici-x2"]) ratios["bare-undici-x2/bare-undici"] = r("bare-undici-x2", "bare-undici");
  if (targets["peer"]) ratios["peer/gateway"] = r("peer", "gateway");
  return { label, targets, ratios };
}

function goal(text: string, value: N, limit: number, atLeast: boolean, missingNote: string): Goal {
  if (value === null) return { goal: text, status: "not measured", value, limit, note: missingNote };
  return { goal: text, status: (atLeast ? value >= limit : value <= limit) ? "met" : "missed", value, limit };
}

/** A long run's result (`--streams N --minutes M`, or its `long_run.json` read back by a later run). */
export interface LongRunResult {
  peakRssMb: number;
  flat: boolean;
  streams: number;
  minutes?: number;
  slopeMbPerMinute?: number;
  finishedAt?: string;
}

/**
 * The last long run's file, when it measured the gateway: `deno task bench` shows it as the memory row
 * (the run itself takes minutes, so it stays a separate command).
 */
export async function lastLongRun(path: string): Promise<LongRunResult | undefined> {
  let j;
  try {
    j = JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
  if (j?.target !== "gateway" || typeof j.peakRssMb !== "number") return undefined;
  return {
    peakRssMb: j.peakRssMb,
    flat: j.trend === "flat",
    streams: j.streams,
    minutes: j.minutes,
    slopeMbPerMinute: j.slopeMbPerMinute,
    finishedAt: j.finishedAt,
  };
}

/** The targets for the gateway, as far as this run measured them. */
export function evaluateGoals(
  scenarios: Record<string, ScenarioSummary>,
  longRun?: LongRunResult,
): Goal[] {
  const gw = (s: string) => scenarios[s]?.targets.gateway;
  const why = (s: string) => {
    if (!scenarios[s]) return `scenario ${s} not in this run`;
    if (!gw(s)) return "gateway not in this run";
    return gw(s)!.reason ?? "bare-undici not in this run";
  };
  const goals = [
    goal(
      "non-stream chat throughput >= 0.85 x bare proxy",
      scenarios.chat?.ratios["gateway/bare-undici"] ?? null,
      0.85,
      true,
      why("chat"),
    ),
    goal(
      "stream chat throughput >= 0.85 x bare proxy",
      scenarios.stream?.ratios["gateway/bare-undici"] ?? null,
      0.85,
      true,
      why("stream"),
    ),
    goal(
      "added latency p50 <= 1 ms at a fixed rate (chat)",
      gw("chat")?.open?.addedP50 ?? null,
      1,
      false,
      why("chat"),
    ),
    goal(
      "added latency p99 <= 3 ms at a fixed rate (chat)",
      gw("chat")?.open?.addedP99 ?? null,
      3,
      false,
      why("chat"),
    ),
    goal(
      "added time to first token p50 <= 2 ms at a fixed rate",
      gw("stream")?.open?.addedTtftP50 ?? null,
      2,
      false,
      why("stream"),
    ),
  ];
  const peerRatio = scenarios.chat?.ratios["peer/gateway"];
  if (peerRatio !== undefined) {
    goals.push(
      goal(
        "non-stream throughput >= 10 x the peer's",
        peerRatio === null || peerRatio === 0 ? null : round(1 / peerRatio),
        10,
        true,
        "peer or gateway not measured",
      ),
    );
  }
  if (longRun && longRun.streams >= 1000) {
    const from = longRun.finishedAt
      ? `from the long run of ${longRun.finishedAt.slice(0, 16)}Z (${longRun.minutes ?? "?"} min)`
      : undefined;
    goals.push({
      ...goal("RSS <= 250 MB with 1,000 open streams", round(longRun.peakRssMb), 250, false, ""),
      ...(from ? { note: from } : {}),
    });
    goals.push({
      goal: "RSS flat over the long run",
      status: longRun.flat ? "met" : "missed",
      value: longRun.slopeMbPerMinute === undefined ? null : round(longRun.slopeMbPerMinute),
      limit: 0,
      ...(from ? { note: `MB/min after warm-up, ${from}` } : {}),
    });
  } else {
    goals.push({
      goal: "RSS <= 250 MB and flat with 1,000 open streams for 10 minutes",
      status: "not measured",
      value: null,
      limit: 250,
      note: "run: deno task bench --streams 1000 --minutes 10",
    });
  }
  return goals;
}
