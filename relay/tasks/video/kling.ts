/**
 * Kling (channel type 50), as New API's kling adaptor: the key is `access_key|secret_key`, each call
 * carries a 30-minute HS256 JWT (iss = access key) made from it, or the key itself when it is another
 * New API's `sk-` key (then paths gain a `/kling` prefix). An image makes it `image2video`, otherwise
 * `text2video`; the task is fetched on the same path. One flat `ModelPrice[model]` per task, as New API
 * (its kling adaptor prices no seconds or mode).
 */
import { SignJWT } from "jose";
import { TaskStatus } from "../../../store/tasks.ts";
import type { TaskChannel } from "../task_relay.ts";
import { obj, text, type VideoAdapter, VideoInputError, type VideoRequest } from "./adapter.ts";

const isRelayKey = (key: string) => key.startsWith("sk-");

/** The bearer token of a Kling key. */
export async function klingToken(key: string, nowS = Math.floor(Date.now() / 1000)): Promise<string> {
  if (isRelayKey(key)) return key;
  const parts = key.split("|");
  if (parts.length !== 2) {
    throw new VideoInputError("invalid Kling key, required format is accessKey|secretKey");
  }
  const [access, secret] = parts.map((p) => p.trim());
  return await new SignJWT({ iss: access, exp: nowS + 1800, nbf: nowS - 5 })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

const path = (action: string) => action === "generate" ? "/v1/videos/image2video" : "/v1/videos/text2video";
const root = (ch: TaskChannel) => `${ch.baseUrl}${isRelayKey(ch.key) ? "/kling" : ""}`;

function aspectRatio(size: string | undefined): string {
  switch (size) {
    case "1280x720":
    case "1920x1080":
      return "16:9";
    case "720x1280":
    case "1080x1920":
      return "9:16";
    default:
      return "1:1";
  }
}

/** New API's kling payload: defaults, then the caller's metadata (its native body) over them. */
export function klingBody(req: VideoRequest): Record<string, unknown> {
  const model = req.model || "kling-v1";
  return {
    prompt: req.prompt,
    ...(req.images[0] ? { image: req.images[0] } : {}),
    mode: "std",
    duration: String(req.seconds && req.seconds > 0 ? Math.trunc(req.seconds) : 5),
    aspect_ratio: aspectRatio(req.size),
    model_name: model,
    model,
    cfg_scale: 0.5,
    ...req.metadata,
  };
}

const STATUS: Record<string, string> = {
  submitted: TaskStatus.submitted,
  processing: TaskStatus.inProgress,
  succeed: TaskStatus.success,
  failed: TaskStatus.failure,
};

export const klingAdapter: VideoAdapter = {
  name: "kling",
  types: [50],
  price: (req) => ({ multiplier: 1, seconds: req.seconds ?? 5, size: req.size ?? "" }),
  action: (req) =>
    req.images.length > 0 || text(req.metadata.image) || text(req.metadata.image_tail)
      ? "generate"
      : "textGenerate",
  submit: async (ch, req, action) => ({
    method: "POST",
    url: `${root(ch)}${path(action)}`,
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      authorization: `Bearer ${await klingToken(ch.key)}`,
    },
    body: JSON.stringify(klingBody(req)),
  }),
  accepted: (answer) => {
    const a = obj(answer);
    if (a.code !== 0) return { error: text(a.message) || "the upstream refused the task" };
    const id = text(obj(a.data).task_id);
    return id ? { taskId: id } : { error: "the upstream gave no task id" };
  },
  fetch: async (ch, t) => ({
    method: "GET",
    url: `${root(ch)}${path(t.action)}/${encodeURIComponent(t.taskId)}`,
    headers: { accept: "application/json", authorization: `Bearer ${await klingToken(ch.key)}` },
  }),
  result: (item) => {
    const data = obj(item.data);
    const status = STATUS[text(data.task_status)];
    if (!status) return undefined;
    const videos = obj(data.task_result).videos;
    const first = Array.isArray(videos) ? obj(videos[0]) : {};
    const done = status === TaskStatus.success || status === TaskStatus.failure;
    return {
      status,
      progress: done ? 100 : status === TaskStatus.inProgress ? 50 : 10,
      failReason: status === TaskStatus.failure
        ? text(data.task_status_msg) || "video generation failed"
        : "",
      url: text(first.url) || undefined,
    };
  },
};
