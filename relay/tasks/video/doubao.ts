/**
 * Doubao Seedance (channel type 54, and VolcEngine 45), as New API's doubao adaptor: Ark's
 * `POST /api/v3/contents/generations/tasks` under a Bearer key, the images as `image_url` content and the
 * prompt as the last `text` item, the caller's metadata (resolution, ratio, content, …) merged in;
 * fetched at `GET …/tasks/{id}`. Priced `ModelPrice[model]` × New API's seedance-2.0 tier ratio (output
 * resolution × whether a video is among the inputs); other models one flat price; a tier the upstream
 * does not offer (2.0 fast at 1080p) is refused before anything is held.
 */
import { TaskStatus } from "../../../store/tasks.ts";
import { obj, text, type VideoAdapter, VideoInputError, type VideoRequest } from "./adapter.ts";

/** Tier price ÷ the model's 480p/720p no-video price (Ark's 2026-01-28 list, as New API). */
const TIERS: Record<string, Record<string, number>> = {
  "doubao-seedance-2-0-260128": {
    "720p": 1,
    "720p+video": 28 / 46,
    "1080p": 51 / 46,
    "1080p+video": 31 / 46,
  },
  "doubao-seedance-2-0-fast-260128": { "720p": 1, "720p+video": 22 / 37 },
};

function resolutionOf(v: unknown): string {
  const r = text(v).trim().toLowerCase();
  return r === "1080p" ? "1080p" : "720p"; // 480p prices as 720p; unknown is Ark's 720p default
}

function hasVideoInput(metadata: Record<string, unknown>): boolean {
  const content = metadata.content;
  return Array.isArray(content) &&
    content.some((i) => obj(i).type === "video_url" || obj(i).video_url !== undefined);
}

/** The price multiplier of a Seedance request (1 for models without tiers). */
export function seedanceMultiplier(req: VideoRequest): number {
  const tiers = TIERS[req.model];
  if (!tiers) return 1;
  const key = `${resolutionOf(req.metadata.resolution)}${hasVideoInput(req.metadata) ? "+video" : ""}`;
  const ratio = tiers[key];
  if (ratio === undefined) {
    throw new VideoInputError(`${req.model} does not offer ${key.replace("+video", " with a video input")}`);
  }
  return ratio;
}

export function seedanceBody(req: VideoRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: req.model, ...req.metadata };
  const content = (Array.isArray(body.content) ? body.content : []).filter((i) => obj(i).type !== "text");
  for (const url of req.images) content.unshift({ type: "image_url", image_url: { url } });
  content.push({ type: "text", text: req.prompt });
  body.content = content;
  if (req.seconds && req.seconds > 0) body.duration = Math.trunc(req.seconds);
  return body;
}

export const doubaoAdapter: VideoAdapter = {
  name: "doubao",
  types: [54, 45],
  price: (req) => ({
    multiplier: seedanceMultiplier(req),
    seconds: req.seconds ?? 5,
    size: resolutionOf(req.metadata.resolution),
  }),
  action: () => "generate",
  submit: (ch, req) =>
    Promise.resolve({
      method: "POST",
      url: `${ch.baseUrl}/api/v3/contents/generations/tasks`,
      headers: { "content-type": "application/json", authorization: `Bearer ${ch.key}` },
      body: JSON.stringify(seedanceBody(req)),
    }),
  accepted: (answer) => {
    const id = text(obj(answer).id);
    return id ? { taskId: id } : { error: "task_id is empty" };
  },
  fetch: (ch, t) =>
    Promise.resolve({
      method: "GET",
      url: `${ch.baseUrl}/api/v3/contents/generations/tasks/${encodeURIComponent(t.taskId)}`,
      headers: { authorization: `Bearer ${ch.key}` },
    }),
  result: (item) => {
    switch (text(item.status)) {
      case "pending":
      case "queued":
        return { status: TaskStatus.queued, progress: 10, failReason: "" };
      case "processing":
      case "running":
        return { status: TaskStatus.inProgress, progress: 50, failReason: "" };
      case "succeeded":
        return {
          status: TaskStatus.success,
          progress: 100,
          failReason: "",
          url: text(obj(item.content).video_url) || undefined,
        };
      case "failed":
        return {
          status: TaskStatus.failure,
          progress: 100,
          failReason: text(obj(item.error).message) || "video generation failed",
        };
      default:
        return { status: TaskStatus.inProgress, progress: 30, failReason: "" };
    }
  },
};
