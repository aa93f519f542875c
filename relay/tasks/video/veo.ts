/**
 * Veo on Gemini channels (type 24), as New API's gemini task adaptor: `POST
 * /v1beta/models/{model}:predictLongRunning` under `x-goog-api-key`, `{instances: [{prompt}], parameters}`
 * with the caller's metadata as parameters; the answer is a long-running operation whose name, base64url
 * encoded, is the task id; fetched at `GET /v1beta/{name}` until `done`. Priced `ModelPrice[model]` (per
 * second) × seconds (`durationSeconds`, else duration/seconds, else 8) × the 4K ratio (3.1: 1.5, 3.1
 * fast: 2.333333, else 1); the billed length is the one sent.
 */
import { Buffer } from "node:buffer";
import { TaskStatus } from "../../../store/tasks.ts";
import { num, obj, text, type VideoAdapter, VideoInputError, type VideoRequest } from "./adapter.ts";

const VERSION = "v1beta";

/** "WxH" → Veo's resolution label (by the longer side). */
export function veoResolutionOfSize(size: string): string {
  const [w, h] = size.toLowerCase().split("x").map((p) => Number.parseInt(p, 10) || 0);
  const longer = Math.max(w ?? 0, h ?? 0);
  return longer >= 3840 ? "4k" : longer >= 1920 ? "1080p" : "720p";
}

/** New API's Veo 4K ratios (Vertex list prices, 4K ÷ standard). */
export function veoResolutionRatio(model: string, resolution: string): number {
  if (resolution !== "4k") return 1;
  if (model.includes("3.1-fast-generate")) return 2.333333;
  if (model.includes("3.1")) return 1.5;
  return 1;
}

export function veoSeconds(req: VideoRequest): number {
  const meta = num(req.metadata.durationSeconds);
  if (meta !== undefined && meta > 0) return Math.trunc(meta);
  return req.seconds && req.seconds > 0 ? Math.trunc(req.seconds) : 8;
}

export function veoResolution(req: VideoRequest): string {
  const meta = text(req.metadata.resolution).toLowerCase();
  if (meta) return meta;
  return req.size ? veoResolutionOfSize(req.size) : "720p";
}

export const encodeName = (name: string) => Buffer.from(name, "utf8").toString("base64url");
export function decodeName(id: string): string {
  const name = Buffer.from(id, "base64url").toString("utf8");
  if (!name.includes("/operations/")) throw new VideoInputError("not a Veo task id");
  return name;
}

export const veoAdapter: VideoAdapter = {
  name: "veo",
  types: [24],
  price: (req) => {
    const seconds = veoSeconds(req);
    return {
      multiplier: seconds * veoResolutionRatio(req.model, veoResolution(req)),
      seconds,
      size: veoResolution(req),
    };
  },
  action: () => "textGenerate",
  submit: (ch, req) => {
    const parameters: Record<string, unknown> = { ...req.metadata, durationSeconds: veoSeconds(req) };
    if (req.size && parameters.aspectRatio === undefined) {
      const [w, h] = req.size.split("x").map((p) => Number.parseInt(p, 10) || 0);
      parameters.aspectRatio = h > w ? "9:16" : "16:9";
    }
    if (req.size && parameters.resolution === undefined) parameters.resolution = veoResolution(req);
    return Promise.resolve({
      method: "POST",
      url: `${ch.baseUrl}/${VERSION}/models/${encodeURIComponent(req.model)}:predictLongRunning`,
      headers: { "content-type": "application/json", "x-goog-api-key": ch.key },
      body: JSON.stringify({ instances: [{ prompt: req.prompt }], parameters }),
    });
  },
  accepted: (answer) => {
    const name = text(obj(answer).name).trim();
    return name ? { taskId: encodeName(name) } : { error: "missing operation name" };
  },
  fetch: (ch, t) =>
    Promise.resolve({
      method: "GET",
      // The name is the upstream's own path (models/…/operations/…); its slashes stay.
      url: `${ch.baseUrl}/${VERSION}/${decodeName(t.taskId).split("/").map(encodeURIComponent).join("/")}`,
      headers: { "x-goog-api-key": ch.key },
    }),
  result: (op) => {
    const message = text(obj(op.error).message);
    if (message) return { status: TaskStatus.failure, progress: 100, failReason: message };
    if (op.done !== true) return { status: TaskStatus.inProgress, progress: 50, failReason: "" };
    const samples = obj(obj(op.response).generateVideoResponse).generatedSamples;
    const uri = Array.isArray(samples) ? text(obj(obj(samples[0]).video).uri) : "";
    return { status: TaskStatus.success, progress: 100, failReason: "", url: uri || undefined };
  },
  contentHeaders: (ch) => ({ "x-goog-api-key": ch.key }),
};
