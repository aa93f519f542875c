/**
 * Hailuo on MiniMax channels (type 35), as New API's hailuo adaptor: `POST /v1/video_generation` under a
 * Bearer key (`model`, `prompt`, `duration` 6 by default, `resolution` from the size, metadata merged),
 * accepted when `base_resp.status_code` is 0; fetched at `GET /v1/query/video_generation?task_id=`; a
 * finished task names a `file_id` whose download address `GET /v1/files/retrieve` gives (the follow-up
 * call). One flat `ModelPrice[model]` per task, as New API prices Hailuo.
 */
import { TaskStatus } from "../../../store/tasks.ts";
import { num, obj, text, type VideoAdapter, type VideoRequest } from "./adapter.ts";

function resolutionOf(req: VideoRequest): string {
  const size = req.size ?? "";
  if (size.includes("1080")) return "1080P";
  if (size.includes("768")) return "768P";
  if (size.includes("720")) return "720P";
  if (size.includes("512")) return "512P";
  return req.model.includes("Hailuo-02") ? "768P" : "720P";
}

export const hailuoAdapter: VideoAdapter = {
  name: "hailuo",
  types: [35],
  price: (req) => ({ multiplier: 1, seconds: req.seconds ?? 6, size: resolutionOf(req) }),
  action: () => "generate",
  submit: (ch, req) => {
    const body: Record<string, unknown> = {
      model: req.model,
      prompt: req.prompt,
      duration: req.seconds && req.seconds > 0 ? Math.trunc(req.seconds) : 6,
      resolution: resolutionOf(req),
      ...(req.images[0] ? { first_frame_image: req.images[0] } : {}),
      ...req.metadata,
    };
    return Promise.resolve({
      method: "POST",
      url: `${ch.baseUrl}/v1/video_generation`,
      headers: { "content-type": "application/json", authorization: `Bearer ${ch.key}` },
      body: JSON.stringify(body),
    });
  },
  accepted: (answer) => {
    const a = obj(answer);
    const base = obj(a.base_resp);
    if (num(base.status_code) !== 0) return { error: `hailuo api error: ${text(base.status_msg)}` };
    const id = text(a.task_id);
    return id ? { taskId: id } : { error: "the upstream gave no task id" };
  },
  fetch: (ch, t) =>
    Promise.resolve({
      method: "GET",
      url: `${ch.baseUrl}/v1/query/video_generation?task_id=${encodeURIComponent(t.taskId)}`,
      headers: { authorization: `Bearer ${ch.key}` },
    }),
  followUp: (ch, item) =>
    item.status === "Success" && text(item.file_id) && !item.file
      ? {
        method: "GET",
        url: `${ch.baseUrl}/v1/files/retrieve?file_id=${encodeURIComponent(text(item.file_id))}`,
        headers: { authorization: `Bearer ${ch.key}` },
      }
      : undefined,
  result: (item) => {
    const base = obj(item.base_resp);
    const code = num(base.status_code) ?? 0;
    if (code !== 0) {
      return {
        status: TaskStatus.failure,
        progress: 100,
        failReason: text(base.status_msg) || "task failed",
      };
    }
    switch (text(item.status)) {
      case "Preparing":
      case "Queueing":
        return { status: TaskStatus.inProgress, progress: 30, failReason: "" };
      case "Processing":
        return { status: TaskStatus.inProgress, progress: 50, failReason: "" };
      case "Success":
        return {
          status: TaskStatus.success,
          progress: 100,
          failReason: "",
          url: text(obj(item.file).download_url) || undefined,
        };
      case "Fail":
        return { status: TaskStatus.failure, progress: 100, failReason: "task failed" };
      default:
        return { status: TaskStatus.inProgress, progress: 30, failReason: "" };
    }
  },
};
