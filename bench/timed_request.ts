/**
 * One HTTP request timed the way a streaming client feels it: time to headers, to the first SSE event
 * (time to first token) and between events (inter-chunk gaps), plus the gateway's own
 * `X-NewAPI-Overhead-Ms` header when it sends one. autocannon sees whole responses only; this sees chunks.
 */
import { type Dispatcher, request } from "undici";

export interface Timing {
  status: number;
  /** Request sent → response headers, ms. */
  ttfb: number;
  /** Request sent → first complete SSE event (streams only), ms. */
  ttft?: number;
  /** Request sent → last byte, ms. */
  total: number;
  /** Gaps between consecutive SSE events, ms (events that arrive together have a 0 gap). */
  gaps?: number[];
  events?: number;
  overheadMs?: number;
  error?: string;
}

export const OVERHEAD_HEADER = "x-newapi-overhead-ms";

export interface TimedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  stream: boolean;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
}

const LF = 10;
const CR = 13;

export async function timedRequest(req: TimedRequest): Promise<Timing> {
  const t0 = performance.now();
  let res;
  try {
    res = await request(req.url, {
      method: "POST",
      headers: req.headers,
      body: req.body,
      dispatcher: req.dispatcher,
      signal: req.signal,
    });
  } catch (err) {
    const now = performance.now() - t0;
    return { status: 0, ttfb: now, total: now, error: (err as Error).message };
  }
  const ttfb = performance.now() - t0;
  const header = res.headers[OVERHEAD_HEADER];
  const overhead = header === undefined ? undefined : Number(Array.isArray(header) ? header[0] : header);
  const timing: Timing = { status: res.statusCode, ttfb, total: ttfb };
  if (overhead !== undefined && Number.isFinite(overhead)) timing.overheadMs = overhead;
  try {
    if (!req.stream || res.statusCode !== 200) {
      for await (const _ of res.body) { /* drain */ }
    } else {
      const gaps: number[] = [];
      let events = 0;
      let last = 0;
      let prevLf = false;
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        const now = performance.now() - t0;
        // An SSE event ends at a blank line: count "\n\n" across chunk boundaries.
        for (let i = 0; i < chunk.length; i++) {
          if (chunk[i] === CR) continue;
          const lf = chunk[i] === LF;
          if (lf && prevLf) {
            if (events === 0) timing.ttft = now;
            else gaps.push(now - last);
            last = now;
            events++;
            prevLf = false;
          } else {
            prevLf = lf;
          }
        }
      }
      timing.gaps = gaps;
      timing.events = events;
    }
  } catch (err) {
    timing.error = (err as Error).message;
  }
  timing.total = performance.now() - t0;
  return timing;
}
