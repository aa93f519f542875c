/** What a fake-upstream route handler gets for one request, and small response builders they share. */

import type { Fault } from "./faults.ts";
import type { RecordedRequest } from "./recording.ts";
import { sseResponse, type StreamPlan } from "./sse_response.ts";

export interface FakeSettings {
  /** Fixed delay before response headers. */
  latencyMs: number;
  /** Random extra delay in [0, jitterMs) before response headers. */
  jitterMs: number;
  /** Words in a text answer (= content events in a stream). */
  chunks: number;
  /** Pause between stream events. */
  chunkIntervalMs: number;
  embeddingDimensions: number;
  models: string[];
}

export interface CallContext {
  req: Request;
  url: URL;
  /** Path parameters from the route pattern (e.g. `model`, `method`). */
  params: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
  // deno-lint-ignore no-explicit-any
  json: any;
  fault: Fault;
  directives: Map<string, string>;
  settings: FakeSettings;
  record?: RecordedRequest;
  serverClosing: AbortSignal;
}

export function chunkCount(ctx: CallContext): number {
  return ctx.fault.chunks ?? ctx.settings.chunks;
}

export function jsonResponse(value: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(value), { status, headers: h });
}

export function streamResponse(ctx: CallContext, plan: StreamPlan): Response {
  return sseResponse(
    plan,
    ctx.fault,
    ctx.fault.chunkIntervalMs ?? ctx.settings.chunkIntervalMs,
    ctx.record,
    ctx.serverClosing,
  );
}

/** Text of an OpenAI/Claude-style content value: a string or an array of parts with `text`. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p) => (p && typeof p === "object" && typeof p.text === "string" ? p.text : ""))
    .filter((t) => t !== "")
    .join(" ");
}

export async function formFromBody(ctx: CallContext): Promise<FormData> {
  const type = ctx.req.headers.get("content-type") ?? "";
  return await new Response(ctx.body, { headers: { "content-type": type } }).formData();
}
