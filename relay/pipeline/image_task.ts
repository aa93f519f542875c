/**
 * Runs one image generation on a provider's own API (`ProviderSpec.images`) as one upstream call for the
 * relay: the request is sent, a task still running is polled (DashScope's async wanx, a Replicate
 * prediction not finished within `Prefer: wait`) until it ends, the client's deadline or ours, and the
 * images come back in OpenAI's `{created, data}` shape, downloaded to base64 through the SSRF guard when
 * the client asked for `b64_json` and the provider gave URLs. A failed task, a refused poll or an
 * unreadable answer is an upstream failure (never charged); only finished images are billed.
 */
import { RelayError } from "../formats/errors.ts";
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from "../http/upstream_client.ts";
import { bufferedResponse } from "../http/buffered_response.ts";
import type { ImageAdapter, ImageState } from "../providers/image_adapter.ts";
import type { UpstreamTarget } from "../providers/spec.ts";
import type { MediaFetcher } from "./inline_media.ts";

/** Largest generation or poll answer read. */
const MAX_TASK_ANSWER_BYTES = 64 * 1024 * 1024;
/** Waits between polls (the last repeats); New API waits 5 s then 10 s, 20 times. */
export const POLL_SCHEDULE_MS = [1_000, 2_000, 3_000, 5_000];
/** How long a task may run before the request fails (New API's 20 polls after 5 s). */
export const TASK_DEADLINE_MS = 210_000;
/** Transient poll failures (429, 5xx, resets) tolerated in a row. */
const MAX_POLL_RETRIES = 3;

export interface ImageTask {
  adapter: ImageAdapter;
  target: UpstreamTarget;
  /** Auth for the poll GETs (the provider's headers). */
  pollHeaders: Record<string, string>;
  http: UpstreamClient;
  /** Downloads a provider's image URL when `b64_json` was asked for. */
  fetchMedia?: MediaFetcher;
  wantB64: boolean;
  schedule?: readonly number[];
  deadlineMs?: number;
}

function failure(status: number, message: string, code = "upstream_error"): UpstreamResponse {
  return bufferedResponse(status, JSON.stringify({ error: { message, type: "upstream_error", code } }));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function readJson(res: UpstreamResponse): Promise<unknown> {
  const bytes = await res.bytes(MAX_TASK_ANSWER_BYTES);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new RelayError(502, "The upstream answered the image request with an unreadable body", {
      code: "bad_response_body",
    });
  }
}

function readState(x: ImageTask, answer: unknown): ImageState {
  return x.adapter.read(answer, x.target);
}

/** The finished images in OpenAI's shape. */
async function openAiImages(x: ImageTask, done: Extract<ImageState, { state: "done" }>): Promise<unknown> {
  const data = [];
  for (const img of done.images) {
    if (img.b64) data.push({ b64_json: img.b64 });
    else if (img.url && x.wantB64 && x.fetchMedia) {
      try {
        data.push({ b64_json: (await x.fetchMedia(img.url)).data });
      } catch {
        throw new RelayError(502, "The generated image could not be downloaded", {
          code: "bad_response_body",
        });
      }
    } else if (img.url) data.push({ url: img.url });
  }
  if (!data.length) {
    throw new RelayError(502, "The upstream finished the image task without an image", {
      code: "bad_response_body",
    });
  }
  return { created: done.created ?? Math.floor(Date.now() / 1000), data };
}

/** The sender the relay calls in place of its upstream client for this plan. */
export function imageTaskSender(x: ImageTask): (req: UpstreamRequest) => Promise<UpstreamResponse> {
  return async (req) => {
    const first = await x.http.request(req);
    if (!first.ok) return first;
    const started = Date.now();
    const schedule = x.schedule ?? POLL_SCHEDULE_MS;
    try {
      let state = readState(x, await readJson(first));
      let polls = 0;
      let retries = 0;
      while (state.state === "pending") {
        if (Date.now() - started > (x.deadlineMs ?? TASK_DEADLINE_MS)) {
          return failure(504, "The image task did not finish in time", "task_timeout");
        }
        await sleep(schedule[Math.min(polls, schedule.length - 1)], req.signal);
        polls++;
        let res: UpstreamResponse;
        try {
          res = await x.http.request({
            method: "GET",
            url: state.pollUrl,
            headers: x.pollHeaders,
            signal: req.signal,
            proxy: req.proxy,
          });
        } catch (e) {
          if (req.signal?.aborted || ++retries > MAX_POLL_RETRIES) throw e;
          continue;
        }
        if (!res.ok) {
          const text = await res.readErrorText().catch(() => "");
          if ((res.status === 429 || res.status >= 500) && ++retries <= MAX_POLL_RETRIES) continue;
          return failure(
            res.status >= 500 ? res.status : 502,
            `polling the image task failed (${res.status}) ${text}`,
          );
        }
        retries = 0;
        state = readState(x, await readJson(res));
      }
      if (state.state === "failed") {
        return failure(502, `the image task failed: ${state.message}`, state.code ?? "task_failed");
      }
      return bufferedResponse(200, JSON.stringify(await openAiImages(x, state)));
    } catch (e) {
      if (e instanceof RelayError) return failure(e.status, e.message, e.code);
      throw e;
    }
  };
}
