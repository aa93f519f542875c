/** The human-readable report of a benchmark run (the JSON summary says the same, for machines). */
import type { Goal, ScenarioSummary } from "./summary.ts";

type N = number | null | undefined;

const f = (v: N, digits = 2) => (v === null || v === undefined ? "-" : v.toFixed(digits));
const pct = (v: N) => (v === null || v === undefined ? "-" : (v * 100).toFixed(0));
const signed = (v: N) => (v === null || v === undefined ? "-" : (v >= 0 ? "+" : "") + v.toFixed(2));

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" ");
}

export function renderScenario(name: string, s: ScenarioSummary, rate: number, connections: number): string {
  const stream = Object.values(s.targets).some((t) => t.open?.ttftP50 !== undefined);
  const head = [
    "target",
    "req/s",
    "p50",
    "p99",
    "cpu µs/req",
    "busy c/o",
    `p50@${rate}/s`,
    "p99",
    "+p50",
    "+p99",
    ...(stream ? ["ttft p50", "ttft p99", "+ttft p50", "gap p50", "gap p99"] : []),
    "overhead hdr",
  ];
  const widths = head.map((h, i) => Math.max(i === 0 ? 15 : 8, h.length));
  const lines = [
    `${name}: ${s.label}  (closed: ${connections} in flight; open: ${rate} req/s; ms unless noted)`,
    row(head, widths),
  ];
  for (const [target, t] of Object.entries(s.targets)) {
    if (t.status !== "ok") {
      lines.push(`${target.padEnd(widths[0])} ${t.reason}`);
      continue;
    }
    const c = t.closed!, o = t.open!;
    lines.push(row([
      target,
      f(c.rps, 0),
      f(c.p50),
      f(c.p99),
      f(c.cpuUsPerRequest.target, 0),
      `${pct(c.machineBusy)}/${pct(o.machineBusy)}%`,
      f(o.p50),
      f(o.p99),
      signed(o.addedP50),
      signed(o.addedP99),
      ...(stream ? [f(o.ttftP50), f(o.ttftP99), signed(o.addedTtftP50), f(o.gapP50), f(o.gapP99)] : []),
      t.overheadMs ? `${f(t.overheadMs.p50)}/${f(t.overheadMs.p99)}` : "-",
    ], widths));
    const notes = [
      c.non2xx ? `${c.non2xx} non-2xx` : "",
      c.errors ? `${c.errors} errors` : "",
      o.failed ? `${o.failed} failed at the fixed rate` : "",
      (o.schedulerLatenessP99 ?? 0) > 5 ? `load generator late (p99 ${f(o.schedulerLatenessP99)} ms)` : "",
    ].filter(Boolean);
    if (notes.length) lines.push(`${"".padEnd(widths[0])}   ! ${notes.join(", ")}`);
  }
  const ratios = Object.entries(s.ratios).map(([k, v]) => `${k} ${v === null ? "-" : v.toFixed(2)}`);
  lines.push(`ratios (closed-model req/s, median of per-round ratios): ${ratios.join("  ·  ")}`);
  lines.push(
    "cpu µs/req: the target's own process (the fake upstream for direct); busy c/o: the whole machine's CPU " +
      "busy share during the closed / open runs (every process on the box counts).",
  );
  return lines.join("\n");
}

export function renderGoals(goals: Goal[]): string {
  const lines = ["issue #8 targets (gateway):"];
  for (const g of goals) {
    const mark = g.status === "met" ? "met    " : g.status === "missed" ? "MISSED " : "pending";
    const value = g.value === null ? "" : `  (measured ${g.value})`;
    lines.push(`  [${mark}] ${g.goal}${value}${g.note ? `  — ${g.note}` : ""}`);
  }
  return lines.join("\n");
}
