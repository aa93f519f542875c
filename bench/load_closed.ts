/**
 * Closed-model load with autocannon: `connections` requests always in flight for `seconds`. Latencies
 * come from autocannon's per-response events (sub-millisecond), not its histogram, which keeps whole
 * milliseconds; the gateway's overhead header is read from each response's headers.
 */
import autocannon from "autocannon";
import { summarize, type Summary } from "./stats.ts";
import { OVERHEAD_HEADER } from "./timed_request.ts";

export interface ClosedJob {
  kind: "closed";
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  seconds: number;
}

export interface ClosedResult {
  /** 2xx responses (the only ones counted as served). */
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  rps: number;
  latency: Summary;
  overheadMs?: Summary;
  statuses: Record<string, number>;
}

interface AutocannonClient {
  on(event: "headers", fn: (h: { statusCode: number; headers: string[] }) => void): void;
}

interface AutocannonInstance extends PromiseLike<{ errors: number; timeouts: number }> {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}

export async function runClosed(job: ClosedJob): Promise<ClosedResult> {
  const latencies: number[] = [];
  const overheads: number[] = [];
  const statuses: Record<string, number> = {};
  let non2xx = 0;
  const started = performance.now();
  const instance = (autocannon as unknown as (o: unknown) => AutocannonInstance)({
    url: job.url,
    method: "POST",
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    duration: job.seconds,
    pipelining: 1,
    timeout: 30,
    setupClient(client: AutocannonClient) {
      client.on("headers", ({ headers }) => {
        for (let i = 0; i < headers.length; i += 2) {
          if (headers[i].toLowerCase() === OVERHEAD_HEADER) {
            const v = Number(headers[i + 1]);
            if (Number.isFinite(v)) overheads.push(v);
          }
        }
      });
    },
  });
  instance.on("response", (_client, status, _bytes, ms) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) latencies.push(ms);
    else non2xx++;
  });
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  return {
    ok: latencies.length,
    non2xx,
    errors: result.errors + result.timeouts,
    seconds,
    rps: latencies.length / seconds,
    latency: summarize(latencies),
    ...(overheads.length ? { overheadMs: summarize(overheads) } : {}),
    statuses,
  };
}
