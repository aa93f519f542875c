/**
 * Turns a planned event sequence into a paced `text/event-stream` response, applying stream faults (cut,
 * stall, in-stream error, malformed, raw junk or oversized events) and recording when the client goes away.
 */

import type { Fault } from "./faults.ts";
import type { RecordedRequest } from "./recording.ts";

export interface Frame {
  event?: string;
  data: string;
}

export interface StreamPlan {
  /** The whole successful stream, terminal events included. */
  frames: Frame[];
  /** The dialect's in-stream error after `sent` events (the HTTP status is already 200). */
  errorFrames(sent: number): Frame[];
}

const encoder = new TextEncoder();

export function frameText(frame: Frame): string {
  return (frame.event !== undefined ? `event: ${frame.event}\n` : "") + `data: ${frame.data}\n\n`;
}

/** Resolves after `ms`, or early (false) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function sseResponse(
  plan: StreamPlan,
  fault: Fault,
  intervalMs: number,
  record: RecordedRequest | undefined,
  serverClosing: AbortSignal,
): Response {
  const stop = new AbortController();
  const onServerClose = () => stop.abort();
  serverClosing.addEventListener("abort", onServerClose, { once: true });
  const frames = plan.frames;
  let i = 0;
  let extrasDone = false;
  const finish = () => {
    serverClosing.removeEventListener("abort", onServerClose);
    if (record) record.finishedAt ??= performance.now();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!extrasDone) {
        extrasDone = true;
        if (fault.malformedAfter === i) controller.enqueue(encoder.encode('data: {"choices":[{"delta":\n\n'));
        if (fault.junk !== undefined && (fault.junkAfter ?? 1) === i) {
          controller.enqueue(
            typeof fault.junk === "string" ? encoder.encode(fault.junk) : fault.junk.slice(),
          );
        }
        if (fault.oversizedLineBytes !== undefined && (fault.oversizedAfter ?? 1) === i) {
          enqueueOversized(controller, fault.oversizedLineBytes);
        }
      }
      if (fault.cutAfter === i) {
        finish();
        // Erroring the body makes Deno drop the connection without the chunked terminator: a real cut.
        controller.error(new Error(`fake upstream: stream cut on purpose after ${i} events`));
        return;
      }
      if (fault.stallAfter === i) {
        await sleep(2 ** 31 - 1, stop.signal);
        if (!stop.signal.aborted) return;
        finish();
        controller.close();
        return;
      }
      if (fault.errorAfter === i) {
        controller.enqueue(encoder.encode(plan.errorFrames(i).map(frameText).join("")));
        finish();
        controller.close();
        return;
      }
      if (i >= frames.length) {
        finish();
        controller.close();
        return;
      }
      if (i > 0 && intervalMs > 0 && !(await sleep(intervalMs, stop.signal))) {
        finish();
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(frameText(frames[i])));
      i++;
      extrasDone = false;
    },
    cancel() {
      record?.markClientClosed();
      stop.abort();
      serverClosing.removeEventListener("abort", onServerClose);
    },
  }, { highWaterMark: 0 });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

function enqueueOversized(controller: ReadableStreamDefaultController<Uint8Array>, bytes: number): void {
  controller.enqueue(encoder.encode("data: "));
  const piece = new Uint8Array(65536).fill(0x78); // "x"
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, piece.length);
    controller.enqueue(n === piece.length ? piece : piece.subarray(0, n));
    left -= n;
  }
  controller.enqueue(encoder.encode("\n\n"));
}
