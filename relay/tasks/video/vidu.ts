/**
 * Vidu (channel type 52), as New API's vidu adaptor: `POST /ent/v2/{text2video,img2video,start-end2video,
 * reference2video}` (by the number of images, or metadata `action`) under `Authorization: Token {key}`,
 * body `{model (viduq1), images, prompt, duration (5), resolution (the size, else 1080p),
 * movement_amplitude: auto}` with metadata merged; fetched at `GET /ent/v2/tasks/{id}/creations`. One
 * flat `ModelPrice[model]` per task: New API bills Vidu per call unless a per-second price table is set.
 */
import { TaskStatus } from "../../../store/tasks.ts";
import { obj, text, type VideoAdapter, type VideoRequest } from "./adapter.ts";

const PATHS: Record<string, string> = {
  generate: "/img2video",
  firstTailGenerate: "/start-end2video",
  referenceGenerate: "/reference2video",
  textGenerate: "/text2video",
};

function viduAction(req: VideoRequest): string {
  const meta = text(req.metadata.action);
  if (meta) return meta;
  if (req.images.length === 0) return "textGenerate";
  return req.images.length === 2
    ? "firstTailGenerate"
    : req.images.length > 2
    ? "referenceGenerate"
    : "generate";
}

export const viduAdapter: VideoAdapter = {
  name: "vidu",
  types: [52],
  price: (req) => ({ multiplier: 1, seconds: req.seconds ?? 5, size: req.size ?? "1080p" }),
  action: viduAction,
  submit: (ch, req, action) => {
    const { action: _action, ...metadata } = req.metadata;
    const body: Record<string, unknown> = {
      model: req.model || "viduq1",
      images: req.images,
      prompt: req.prompt,
      duration: req.seconds && req.seconds > 0 ? Math.trunc(req.seconds) : 5,
      resolution: req.size || "1080p",
      movement_amplitude: "auto",
      ...metadata,
    };
    // Reference-to-video takes only the bare viduq2 model.
    if (action === "referenceGenerate" && String(body.model).includes("viduq2")) body.model = "viduq2";
    return Promise.resolve({
      method: "POST",
      url: `${ch.baseUrl}/ent/v2${PATHS[action] ?? PATHS.textGenerate}`,
      headers: { "content-type": "application/json", authorization: `Token ${ch.key}` },
      body: JSON.stringify(body),
    });
  },
  accepted: (answer) => {
    const a = obj(answer);
    if (a.state === "failed") return { error: "task failed" };
    const id = text(a.task_id);
    return id ? { taskId: id } : { error: "the upstream gave no task id" };
  },
  fetch: (ch, t) =>
    Promise.resolve({
      method: "GET",
      url: `${ch.baseUrl}/ent/v2/tasks/${encodeURIComponent(t.taskId)}/creations`,
      headers: { authorization: `Token ${ch.key}` },
    }),
  result: (item) => {
    switch (text(item.state)) {
      case "created":
      case "queueing":
        return { status: TaskStatus.submitted, progress: 10, failReason: "" };
      case "processing":
        return { status: TaskStatus.inProgress, progress: 50, failReason: "" };
      case "success": {
        const first = Array.isArray(item.creations) ? obj(item.creations[0]) : {};
        return {
          status: TaskStatus.success,
          progress: 100,
          failReason: "",
          url: text(first.url) || undefined,
        };
      }
      case "failed":
        return {
          status: TaskStatus.failure,
          progress: 100,
          failReason: text(item.err_code) || "task failed",
        };
      default:
        return undefined;
    }
  },
};
