/**
 * Jimeng (channel type 51) on Volcengine's visual API, as New API's jimeng adaptor: `POST
 * {base}/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31` with `{req_key, prompt, frames, seed,
 * aspect_ratio, image_urls | binary_data_base64}` (the caller's metadata over it), signed with the key
 * `access_key|secret_key` (`relay/providers/volcengine_sign.ts`), or another New API's `sk-` key as a Bearer under `/jimeng/`.
 * Jimeng 3.0 `req_key`s are rewritten by image count (t2v, i2v first frame, first-tail). The task is
 * fetched with `CVSync2AsyncGetResult {req_key, task_id}`; answers carry `code` 10000 on success. One flat
 * `ModelPrice[model]` per task (New API prices Jimeng per call); 241 frames (`duration` 10) is 10 s, else
 * 121 frames, 5 s.
 */
import { TaskStatus } from "../../../store/tasks.ts";
import type { TaskChannel } from "../task_relay.ts";
import { parseJsonObject } from "../../providers/spec.ts";
import {
  num,
  obj,
  text,
  type UpstreamCall,
  type VideoAdapter,
  VideoInputError,
  type VideoRequest,
} from "./adapter.ts";
import { volcengineHeaders } from "../../providers/volcengine_sign.ts";

const VERSION = "2022-08-31";
const OK = 10000;
const isRelayKey = (key: string) => key.startsWith("sk-");

/** New API's Jimeng 3.0 `req_key` by image count (others are sent as given). */
export function jimengReqKey(reqKey: string, images: number): string {
  if (!reqKey.includes("jimeng_v30")) return reqKey;
  if (reqKey === "jimeng_v30_pro") return "jimeng_ti2v_v30_pro";
  if (images > 1) return reqKey.replace("jimeng_v30", "jimeng_i2v_first_tail_v30").replace(/p$/, "");
  if (images === 1) return reqKey.replace("jimeng_v30", "jimeng_i2v_first_v30").replace(/p$/, "");
  return reqKey.replace("jimeng_v30", "jimeng_t2v_v30");
}

/** The submit body: New API's defaults, then the known fields of the caller's metadata over them. */
export function jimengBody(req: VideoRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    req_key: req.model,
    prompt: req.prompt,
    seed: 0,
    aspect_ratio: "",
    frames: req.seconds === 10 ? 241 : 121,
  };
  if (req.images.length > 0) {
    body[req.images[0].startsWith("http") ? "image_urls" : "binary_data_base64"] = req.images;
  }
  for (
    const k of ["req_key", "binary_data_base64", "image_urls", "prompt", "seed", "aspect_ratio", "frames"]
  ) {
    if (req.metadata[k] !== undefined) body[k] = req.metadata[k];
  }
  const images = Math.max(
    req.images.length,
    Array.isArray(body.image_urls) ? body.image_urls.length : 0,
    Array.isArray(body.binary_data_base64) ? body.binary_data_base64.length : 0,
  );
  body.req_key = jimengReqKey(text(body.req_key), images);
  for (const k of ["image_urls", "binary_data_base64"]) if (!Array.isArray(body[k])) delete body[k];
  return body;
}

/** The length the upstream renders (24 fps: 121 frames 5 s, 241 frames 10 s); undefined for other counts. */
export function jimengSeconds(frames: unknown): number | undefined {
  return frames === 121 ? 5 : frames === 241 ? 10 : undefined;
}

async function call(ch: TaskChannel, action: string, body: Record<string, unknown>): Promise<UpstreamCall> {
  const relay = isRelayKey(ch.key);
  const url = `${ch.baseUrl}${relay ? "/jimeng" : ""}/?Action=${action}&Version=${VERSION}`;
  const json = JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (relay) {
    headers.authorization = `Bearer ${ch.key}`;
  } else {
    const parts = ch.key.split("|").map((p) => p.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new VideoInputError("invalid Jimeng key, required format is accessKey|secretKey");
    }
    Object.assign(
      headers,
      await volcengineHeaders({
        method: "POST",
        region: "cn-north-1",
        service: "cv",
        url,
        contentType: headers["content-type"],
        body: json,
        accessKey: parts[0],
        secretKey: parts[1],
      }),
    );
  }
  return { method: "POST", url, headers, body: json };
}

export const jimengAdapter: VideoAdapter = {
  name: "jimeng",
  types: [51],
  price: (req) => {
    const seconds = jimengSeconds(jimengBody(req).frames);
    return { multiplier: 1, seconds: seconds ?? 0, size: "", dims: { has_video: "false" } };
  },
  action: (req) => {
    const n = jimengImageCount(req);
    return n > 1 ? "firstTailGenerate" : n === 1 ? "generate" : "textGenerate";
  },
  rowProperties: (req) => ({ upstream_request_key: text(jimengBody(req).req_key) }),
  submit: (ch, req) => call(ch, "CVSync2AsyncSubmitTask", jimengBody(req)),
  accepted: (answer) => {
    const a = obj(answer);
    if (a.code !== OK) {
      return { error: text(a.message) || `the upstream refused the task (${String(a.code)})` };
    }
    const id = text(obj(a.data).task_id);
    return id ? { taskId: id } : { error: "the upstream gave no task id" };
  },
  fetch: (ch, t) => {
    const props = parseJsonObject(t.properties);
    const reqKey = text(props.upstream_request_key) ||
      jimengReqKey(
        text(props.origin_model_name) || "jimeng_vgfm_t2v_l20",
        t.action === "firstTailGenerate" ? 2 : 0,
      );
    return call(ch, "CVSync2AsyncGetResult", { req_key: reqKey, task_id: t.taskId });
  },
  result: (item) => {
    const data = obj(item.data);
    const code = num(item.code);
    if (code !== undefined && code !== OK) {
      return { status: TaskStatus.failure, progress: 100, failReason: text(item.message) || `code ${code}` };
    }
    switch (text(data.status)) {
      case "in_queue":
        return { status: TaskStatus.queued, progress: 10, failReason: "" };
      case "generating":
        return { status: TaskStatus.inProgress, progress: 50, failReason: "" };
      case "done":
        return {
          status: TaskStatus.success,
          progress: 100,
          failReason: "",
          url: text(data.video_url) || undefined,
        };
      default:
        return undefined;
    }
  },
};

function jimengImageCount(req: VideoRequest): number {
  const b = jimengBody(req);
  return Math.max(
    req.images.length,
    Array.isArray(b.image_urls) ? b.image_urls.length : 0,
    Array.isArray(b.binary_data_base64) ? b.binary_data_base64.length : 0,
  );
}
