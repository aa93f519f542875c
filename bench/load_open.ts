/**
 * Open-model load: requests start on a fixed schedule (`rate` per second) whether or not earlier ones
 * finished, as independent users would send them. autocannon's `overallRate` is not this: it lets each
 * connection send its per-second quota back to back at the top of every second, a burst, not a rate.
 * Each request is timed by `timedRequest` (time to first event and gaps for streams).
 */
import { Agent } from "undici";
import { summarize, type Summary } from "./stats.ts";
import { timedRequest, type Timing } from "./timed_request.ts";

export interface OpenJob {
  kind: "open";
  url: string;
  headers: Record<string, string>;
  body: string;
  stream: boolean;
  rate: number;
  seconds: number;
}

export interface OpenResult {
  sent: number;
  ok: number;
  failed: number;
  /** Requests started per second, as achieved (below `rate` means the generator could not keep up). */
  achievedRate: number;
  /** How late requests started against their schedule, ms (p99 above a few ms taints the numbers). */
  lateness: Summary;
  latency: Summary;
  ttfb: Summary;
  ttft?: Summary;
  gap?: Summary;
  overheadMs?: Summary;
  firstError?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runOpen(job: OpenJob): Promise<OpenResult> {
  const dispatcher = new Agent({ connections: null, keepAliveTimeout: 30_000, pipelining: 1 });
  const total = Math.max(1, Math.round(job.rate * job.seconds));
  const interval = 1000 / job.rate;
  const lateness: number[] = [];
  const inFlight: Promise<Timing>[] = [];
  const start = performance.now() + 5;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
    lateness.push(Math.max(0, performance.now() - due));
    inFlight.push(timedRequest({ ...job, dispatcher }));
  }
  const sentFor = (performance.now() - start) / 1000;
  const timings = await Promise.all(inFlight);
  await dispatcher.close();
  const good = timings.filter((t) => t.status >= 200 && t.status < 300 && !t.error);
  const bad = timings.find((t) => !(t.status >= 200 && t.status < 300) || t.error);
  const overheads = good.flatMap((t) => t.overheadMs === undefined ? [] : [t.overheadMs]);
  return {
    sent: total,
    ok: good.length,
    failed: total - good.length,
    achievedRate: total > 1 && sentFor > 0 ? (total - 1) / sentFor : job.rate,
    lateness: summarize(lateness),
    latency: summarize(good.map((t) => t.total)),
    ttfb: summarize(good.map((t) => t.ttfb)),
    ...(job.stream
      ? {
        ttft: summarize(good.flatMap((t) => t.ttft === undefined ? [] : [t.ttft])),
        gap: summarize(good.flatMap((t) => t.gaps ?? [])),
      }
      : {}),
    ...(overheads.length ? { overheadMs: summarize(overheads) } : {}),
    ...(bad ? { firstError: bad.error ?? `HTTP ${bad.status}` } : {}),
  };
}
