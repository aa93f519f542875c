/**
 * A video task adaptor (New API's `relay/channel/task/*`): how one family of channel types takes a video
 * request (the unified `/v1/video/generations` fields), what it costs relative to `ModelPrice[model]`,
 * how the upstream's accept and task objects read, and how a task is fetched. The routes
 * (`video_routes.ts`) and the poller (`jobs/task_poll_video.ts`) do the rest the same way for all.
 */
import type { TaskChannel } from "../task_relay.ts";
import type { Task } from "../../../store/tasks.ts";
import type { UpstreamClient } from "../../http/upstream_client.ts";

/** New API's `TaskSubmitReq`: the fields every video route is read into. */
export interface VideoRequest {
  model: string;
  prompt: string;
  /** `duration` or `seconds` as sent (undefined when absent). */
  seconds?: number;
  size?: string;
  images: string[];
  /** Upstream-specific fields, merged over the adaptor's body (New API's `metadata`). */
  metadata: Record<string, unknown>;
}

/** A raw request body to forward as sent (OpenAI's multipart create). */
export interface RawBody {
  contentType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export interface UpstreamCall {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** What a request is priced at: ModelPrice × multiplier; seconds and size kept on the row. */
export interface VideoPrice {
  multiplier: number;
  /** The length the upstream renders (0 when it cannot be known). */
  seconds: number;
  size: string;
  /**
   * The billing dimensions New API's `VideoPriceRules` match on (`resolution`, `has_video`, `mode`, …);
   * what the adaptor can tell of the request.
   */
  dims?: Record<string, string>;
}

/** Our reading of one upstream task object. */
export interface VideoResult {
  /** A `TaskStatus` value. */
  status: string;
  /** 0–100. */
  progress: number;
  failReason: string;
  /** The finished video's address, when the upstream gives one. */
  url?: string;
  /** Unix seconds the upstream says it finished. */
  finishedAt?: number;
}

export interface VideoAdapter {
  name: string;
  types: readonly number[];
  /** Throws VideoInputError when the request cannot be priced or is malformed. */
  price(req: VideoRequest): VideoPrice;
  /** `generate` (an image is given) or `textGenerate`, as New API stores the action. */
  action(req: VideoRequest): string;
  /** What the task row's `properties` keep for later fetches, beside the model, seconds and size. */
  rowProperties?(req: VideoRequest): Record<string, unknown>;
  /** `http` is the gateway's client, for a call the request needs first (Vertex's token exchange). */
  submit(
    ch: TaskChannel,
    req: VideoRequest,
    action: string,
    raw?: RawBody,
    http?: UpstreamClient,
  ): Promise<UpstreamCall>;
  /** The upstream's task id from a 200 answer, or an error message to show the caller. */
  accepted(answer: unknown): { taskId: string } | { error: string };
  fetch(ch: TaskChannel, t: Task, http?: UpstreamClient): Promise<UpstreamCall>;
  /**
   * A second call a fetched object needs before it can be read (Hailuo's file address); its answer's
   * `file` (or the whole answer) is kept on the object as `file`.
   */
  followUp?(ch: TaskChannel, item: Record<string, unknown>): UpstreamCall | undefined;
  /** undefined for an object it cannot read (left for the next pass). */
  result(item: Record<string, unknown>): VideoResult | undefined;
  /** Headers the result address needs (Gemini's key); none when absent. */
  contentHeaders?(ch: TaskChannel, url: string): Record<string, string>;
}

/** Bad video input: a 400 in the caller's dialect, before anything is held. */
export class VideoInputError extends Error {
  override name = "VideoInputError";
}

export const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};
export const text = (v: unknown): string => (typeof v === "string" ? v : "");
export const num = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
};
