/**
 * OpenAI's `/v1/videos` (OpenAI and New API's Sora channel types), as New API's sora adaptor: priced
 * seconds (4 when absent) × 1.666667 for the 1792-pixel sizes; an OpenAI create is forwarded as sent
 * (the SDK's multipart included), the unified request becomes its JSON body.
 */
import { TaskStatus } from "../../../store/tasks.ts";
import { num, obj, text, type VideoAdapter } from "./adapter.ts";

/** New API's sora billing ratios: seconds (default 4) × size (1.666667 for 1792x1024 / 1024x1792). */
export function videoPriceMultiplier(seconds: number | undefined, size: string | undefined): number {
  const s = seconds && seconds > 0 ? seconds : 4;
  return s * (size === "1792x1024" || size === "1024x1792" ? 1.666667 : 1);
}

/** Our status of an OpenAI video status. */
export function videoStatus(status: unknown): string {
  switch (status) {
    case "queued":
      return TaskStatus.queued;
    case "in_progress":
      return TaskStatus.inProgress;
    case "completed":
      return TaskStatus.success;
    case "failed":
      return TaskStatus.failure;
    default:
      return TaskStatus.unknown;
  }
}

export const openAiVideoAdapter: VideoAdapter = {
  name: "sora",
  types: [1, 55],
  price: (req) => ({
    multiplier: videoPriceMultiplier(req.seconds, req.size),
    seconds: req.seconds && req.seconds > 0 ? req.seconds : 4,
    size: req.size ?? "",
  }),
  action: () => "generate",
  submit: (ch, req, _action, raw) => {
    const body: Record<string, unknown> = { model: req.model, prompt: req.prompt };
    if (req.seconds !== undefined) body.seconds = String(req.seconds);
    if (req.size) body.size = req.size;
    if (req.images[0]) body.input_reference = req.images[0];
    return Promise.resolve({
      method: "POST",
      url: `${ch.baseUrl}/v1/videos`,
      headers: {
        "content-type": raw?.contentType ?? "application/json",
        authorization: `Bearer ${ch.key}`,
      },
      body: raw?.bytes ?? JSON.stringify(body),
    });
  },
  accepted: (answer) => {
    const id = obj(answer).id;
    return typeof id === "string" && id ? { taskId: id } : { error: "the upstream gave no video id" };
  },
  fetch: (ch, t) =>
    Promise.resolve({
      method: "GET",
      url: `${ch.baseUrl}/v1/videos/${encodeURIComponent(t.taskId)}`,
      headers: { authorization: `Bearer ${ch.key}` },
    }),
  result: (v) => {
    const status = videoStatus(v.status);
    if (status === TaskStatus.unknown) return undefined;
    const done = status === TaskStatus.success || status === TaskStatus.failure;
    const message = text(obj(v.error).message);
    return {
      status,
      progress: done ? 100 : Math.max(0, Math.min(99, Math.trunc(num(v.progress) ?? 0))),
      failReason: status === TaskStatus.failure ? message || "video generation failed" : "",
      finishedAt: done ? num(v.completed_at) : undefined,
    };
  },
};
