/**
 * A provider's own image-generation API behind OpenAI's `/v1/images/generations` (New API's image
 * adaptors: DashScope wanx, Zhipu CogView, Jimeng, Replicate): the request in the provider's shape, and
 * its answer read as finished images, a task still running (polled by `pipeline/image_task.ts`) or a
 * failure. Pure data in and out; the runner does the I/O.
 */
import type { UpstreamTarget } from "./spec.ts";

export interface GeneratedImage {
  url?: string;
  b64?: string;
}

export type ImageState =
  | { state: "done"; images: GeneratedImage[]; created?: number }
  | { state: "pending"; pollUrl: string }
  | { state: "failed"; message: string; code?: string };

export interface ImageAdapter {
  /** Where the generation request goes. */
  url(t: UpstreamTarget): string;
  /** Headers beside the provider's auth (DashScope's `X-DashScope-Async`, Replicate's `Prefer`). */
  headers?(t: UpstreamTarget): Record<string, string>;
  /** OpenAI's image body → the provider's; throws a 400 RelayError for what it cannot take. */
  body(json: Record<string, unknown>, model: string): Record<string, unknown>;
  /** Reads a generation or poll answer; throws a 502 RelayError for one that is not one. */
  read(answer: unknown, t: UpstreamTarget): ImageState;
}

/** The images of an answer as strings, dropping empty ones. */
export function imageUrls(values: unknown): string[] {
  const list = Array.isArray(values) ? values : [values];
  return list.filter((v): v is string => typeof v === "string" && v.trim() !== "").map((v) => v.trim());
}
