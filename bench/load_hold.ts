/**
 * Long-run load: keeps `streams` slow streams open at once for `seconds` (each one reopened as soon as
 * it ends), opened at `rampPerSecond` so connects do not arrive as one burst.
 */
import { Agent } from "undici";
import { timedRequest } from "./timed_request.ts";

export interface HoldJob {
  kind: "hold";
  url: string;
  headers: Record<string, string>;
  body: string;
  streams: number;
  seconds: number;
  rampPerSecond: number;
}

export interface HoldResult {
  opened: number;
  completed: number;
  failed: number;
  events: number;
  firstError?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runHold(job: HoldJob): Promise<HoldResult> {
  const dispatcher = new Agent({ connections: null, keepAliveTimeout: 30_000, pipelining: 1 });
  const stop = new AbortController();
  const result: HoldResult = { opened: 0, completed: 0, failed: 0, events: 0 };
  const deadline = performance.now() + job.seconds * 1000;
  const timer = setTimeout(() => stop.abort(), job.seconds * 1000);
  const loop = async (delayMs: number) => {
    await sleep(delayMs);
    while (!stop.signal.aborted && performance.now() < deadline) {
      result.opened++;
      const t = await timedRequest({ ...job, stream: true, dispatcher, signal: stop.signal });
      result.events += t.events ?? 0;
      if (stop.signal.aborted) break;
      if (t.status === 200 && !t.error) result.completed++;
      else {
        result.failed++;
        result.firstError ??= t.error ?? `HTTP ${t.status}`;
        await sleep(1000); // a refusing target must not turn this into a hot loop
      }
    }
  };
  await Promise.all(
    Array.from({ length: job.streams }, (_, i) => loop((i / Math.max(1, job.rampPerSecond)) * 1000)),
  );
  clearTimeout(timer);
  await dispatcher.destroy();
  return result;
}
