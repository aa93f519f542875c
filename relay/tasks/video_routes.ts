/**
 * OpenAI's video API (`POST /v1/videos`, `GET /v1/videos/{id}`, `GET /v1/videos/{id}/content`) on OpenAI
 * channels serving a video model (Sora), as New API's sora task adaptor: priced `ModelPrice[model]` ×
 * seconds (4 when absent) × 1.666667 for the 1792-pixel sizes, charged once when the upstream accepts, a
 * `tasks` row (platform = the channel type, as New API) the poller keeps current; retrieve and content
 * answer only the owner. JSON and multipart bodies are forwarded as sent. Errors in OpenAI's shape.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { insertTask, type Task, TASK_COLUMNS, taskFromRow, TaskStatus } from "../../store/tasks.ts";
import { refundSettled } from "../../store/refunds.ts";
import { log } from "../../server/logger.ts";
import { RelayError } from "../formats/errors.ts";
import { errorResponse, toRelayError } from "../pipeline/errors.ts";
import { newRequestId } from "../pipeline/request_id.ts";
import type { Caller } from "../pipeline/key_auth.ts";
import { billingQuantities } from "../billing/request_bounds.ts";
import { BillingInputError } from "../billing/errors.ts";
import { parseJsonObject } from "../providers/spec.ts";
import {
  checkTaskModel,
  holdTaskPrice,
  originChannel,
  settleTaskPrice,
  taskCaller,
  type TaskChannel,
  taskChannel,
  TaskRejection,
  withTaskLimits,
} from "./task_relay.ts";
import { queryOne } from "../../store/db.ts";
import { taskView } from "../../routes/api/views.ts";

/** Channel types whose upstream speaks OpenAI's `/v1/videos` (OpenAI; New API's Sora type). */
export const VIDEO_CHANNEL_TYPES: ReadonlySet<number> = new Set([1, 55]);

const SUBMIT_TIMEOUT_MS = 60_000;
const MAX_ANSWER_BYTES = 1 << 20;

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

const OPENAI_STATUS: Record<string, string> = {
  [TaskStatus.notStart]: "queued",
  [TaskStatus.submitted]: "queued",
  [TaskStatus.queued]: "queued",
  [TaskStatus.inProgress]: "in_progress",
  [TaskStatus.success]: "completed",
  [TaskStatus.failure]: "failed",
};

/** The OpenAI video object of a row: the upstream's last object, with our state over it. */
export function videoObject(t: Task): Record<string, unknown> {
  let last: Record<string, unknown> = {};
  try {
    const v = JSON.parse(t.data || "{}");
    if (v && typeof v === "object" && !Array.isArray(v)) last = v;
  } catch { /* no object yet */ }
  const out: Record<string, unknown> = {
    ...last,
    id: t.taskId,
    object: "video",
    status: OPENAI_STATUS[t.status] ?? "queued",
    progress: Number.parseInt(t.progress, 10) || 0,
  };
  if (t.status === TaskStatus.failure) {
    out.error = { code: "video_generation_failed", message: t.failReason || "video generation failed" };
  }
  return out;
}

async function readBytes(c: Context, deps: AppDeps): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > deps.config.maxRequestBodyBytes) throw new RelayError(413, "Request body too large");
  const bytes = new Uint8Array(await c.req.raw.arrayBuffer()) as Uint8Array<ArrayBuffer>;
  if (bytes.byteLength > deps.config.maxRequestBodyBytes) throw new RelayError(413, "Request body too large");
  return bytes;
}

/** The fields that price and route a create: from JSON, or from the multipart form. */
async function createFields(c: Context, bytes: Uint8Array<ArrayBuffer>): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await new Request("http://body", {
      method: "POST",
      headers: { "content-type": type },
      body: bytes,
    })
      .formData().catch(() => undefined);
    if (!form) throw new RelayError(400, "Invalid multipart body", { code: "invalid_request" });
    const out: Record<string, unknown> = {};
    for (const k of ["model", "prompt", "seconds", "size"]) {
      const v = form.get(k);
      if (typeof v === "string") out[k] = v;
    }
    return out;
  }
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes));
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch { /* below */ }
  throw new RelayError(400, "Invalid JSON body", { code: "invalid_request" });
}

/**
 * New API's `/v1/video/generations` body (`prompt`, `model`, `duration` or `seconds`, `size`, `image`) as
 * the JSON body of OpenAI's `/v1/videos`.
 */
function generationsBody(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { model: fields.model, prompt: fields.prompt };
  const seconds = fields.seconds ?? fields.duration;
  if (seconds !== undefined && seconds !== null) out.seconds = String(seconds);
  if (fields.size !== undefined) out.size = fields.size;
  const image = fields.input_reference ?? fields.image;
  if (typeof image === "string" && image) out.input_reference = image;
  return out;
}

async function create(
  deps: AppDeps,
  c: Context,
  caller: Caller,
  requestId: string,
  generations = false,
): Promise<Response> {
  let bytes = await readBytes(c, deps);
  let fields = await createFields(c, bytes);
  if (generations) {
    fields = generationsBody(fields);
    bytes = new TextEncoder().encode(JSON.stringify(fields)) as Uint8Array<ArrayBuffer>;
  }
  const model = typeof fields.model === "string" && fields.model ? fields.model : "sora-2";
  if (typeof fields.prompt !== "string" || !fields.prompt) {
    throw new RelayError(400, "prompt is required", { code: "invalid_request", param: "prompt" });
  }
  let q;
  try {
    q = billingQuantities(fields);
  } catch (e) {
    if (e instanceof BillingInputError) throw new RelayError(400, e.message, { code: "invalid_request" });
    throw e;
  }
  const target = taskChannel(deps, caller, model, VIDEO_CHANNEL_TYPES);
  const video = await submitVideo(deps, c, caller, requestId, {
    target,
    model,
    seconds: q.seconds ?? 4,
    size: q.size ?? "",
    path: "/v1/videos",
    contentType: generations ? "application/json" : c.req.header("content-type") ?? "application/json",
    body: bytes,
    action: "generate",
  });
  return Response.json(generations ? { ...video, task_id: video.id } : video);
}

interface VideoSubmit {
  target: TaskChannel;
  model: string;
  seconds: number;
  size: string;
  /** The upstream path (`/v1/videos`, `/v1/videos/{id}/remix`). */
  path: string;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  action: string;
}

/** Holds the price, submits, charges once the upstream accepted and records the task; the video object. */
async function submitVideo(
  deps: AppDeps,
  c: Context,
  caller: Caller,
  requestId: string,
  v: VideoSubmit,
): Promise<Record<string, unknown>> {
  const { target, model } = v;
  const multiplier = videoPriceMultiplier(v.seconds, v.size);
  const session = await holdTaskPrice(deps, c, caller, model, requestId, multiplier);
  session.useChannel({ id: target.channel.id, setting: target.channel.setting });
  let video: Record<string, unknown>;
  try {
    const res = await deps.upstream.request({
      method: "POST",
      url: `${target.baseUrl}${v.path}`,
      headers: { "content-type": v.contentType, authorization: `Bearer ${target.key}` },
      body: v.body,
      proxy: target.proxy,
      firstByteTimeoutMs: SUBMIT_TIMEOUT_MS,
      totalTimeoutMs: SUBMIT_TIMEOUT_MS,
    });
    const text = new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch { /* below */ }
    const answer = parsed as Record<string, unknown> | undefined;
    if (res.status !== 200 || !answer || typeof answer.id !== "string" || !answer.id) {
      const message = (answer?.error as { message?: unknown } | undefined)?.message;
      throw new RelayError(
        res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403 ? res.status : 502,
        typeof message === "string" && res.status < 500 ? message : `upstream status ${res.status}`,
        { code: "upstream_error" },
      );
    }
    video = answer;
  } catch (e) {
    await session.release();
    if (e instanceof RelayError) throw e;
    throw new RelayError(502, "the upstream could not be reached", { code: "do_request_failed" });
  }
  const taskId = video.id as string;
  const charged = await settleTaskPrice(
    deps,
    session,
    target.channel,
    `Video ${model}, task ${taskId}`,
    true,
    multiplier,
  );
  const status = videoStatus(video.status);
  try {
    await insertTask(deps.db, {
      taskId,
      platform: String(target.channel.type),
      userId: caller.user.id,
      group: caller.usingGroup,
      channelId: target.channel.id,
      quota: charged,
      action: v.action,
      status: status === TaskStatus.unknown ? TaskStatus.submitted : status,
      failReason: "",
      submitTime: Math.floor(Date.now() / 1000),
      startTime: 0,
      finishTime: 0,
      progress: `${Number(video.progress) || 0}%`,
      properties: JSON.stringify({ origin_model_name: model, seconds: v.seconds, size: v.size }),
      data: JSON.stringify(video),
      requestId,
      tokenId: caller.token?.id ?? 0,
    });
  } catch (e) {
    log.error("video task not recorded; charge refunded", { requestId, error: String(e) });
    if (charged > 0) {
      await refundSettled(deps.db, { requestId, quota: charged, content: "task not recorded" }, deps.logDb);
    }
    throw new RelayError(500, "the task could not be recorded", { code: "insert_task_failed" });
  }
  return video;
}

/** OpenAI's remix: a new video from a completed one, on its channel, at the original's model and length. */
async function remix(deps: AppDeps, c: Context, caller: Caller, requestId: string): Promise<Response> {
  const origin = await ownVideo(deps, caller, c.req.param("id") ?? "");
  const bytes = await readBytes(c, deps);
  const fields = await createFields(c, bytes);
  if (typeof fields.prompt !== "string" || !fields.prompt) {
    throw new RelayError(400, "prompt is required", { code: "invalid_request", param: "prompt" });
  }
  if (origin.status !== TaskStatus.success) {
    throw new RelayError(400, `Video ${origin.taskId} is not completed`, { code: "video_not_ready" });
  }
  const props = parseJsonObject(origin.properties);
  const model = typeof props.origin_model_name === "string" ? props.origin_model_name : "sora-2";
  checkTaskModel(caller, model);
  const video = await submitVideo(deps, c, caller, requestId, {
    target: originChannel(deps, origin.channelId, VIDEO_CHANNEL_TYPES),
    model,
    seconds: Number(props.seconds) || 4,
    size: typeof props.size === "string" ? props.size : "",
    path: `/v1/videos/${encodeURIComponent(origin.taskId)}/remix`,
    contentType: "application/json",
    body: new TextEncoder().encode(JSON.stringify({ prompt: fields.prompt })) as Uint8Array<ArrayBuffer>,
    action: "remix",
  });
  return Response.json(video);
}

/** The owner's video task by its id, any video platform. */
async function ownVideo(deps: AppDeps, caller: Caller, id: string): Promise<Task> {
  const row = await queryOne(
    deps.db,
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE user_id = ? AND task_id = ? AND platform NOT IN ('suno', 'mj')`,
    [caller.user.id, id],
  );
  if (!row) throw new RelayError(404, `Video ${id} not found`, { code: "not_found" });
  return taskFromRow(row);
}

export function videoRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const keyed =
    (fn: (c: Context, caller: Caller, requestId: string) => Promise<Response>) => async (c: Context) => {
      const requestId = newRequestId();
      try {
        return await fn(c, taskCaller(deps, c), requestId);
      } catch (e) {
        if (e instanceof TaskRejection) {
          return errorResponse(
            "openai_chat",
            new RelayError(e.status, e.message, { code: e.reason }),
            requestId,
          );
        }
        if (!(e instanceof RelayError)) log.error("video relay failed", { requestId, error: String(e) });
        return errorResponse("openai_chat", toRelayError(e), requestId);
      }
    };
  app.post(
    "/v1/videos",
    keyed((c, caller, id) => withTaskLimits(deps, caller, () => create(deps, c, caller, id))),
  );
  app.post(
    "/v1/videos/:id/remix",
    keyed((c, caller, id) => withTaskLimits(deps, caller, () => remix(deps, c, caller, id))),
  );
  app.post(
    "/v1/video/generations",
    keyed((c, caller, id) => withTaskLimits(deps, caller, () => create(deps, c, caller, id, true))),
  );
  // New API's task envelope: `{code: "success", data: TaskDto}`, or `task_not_exist`.
  app.get(
    "/v1/video/generations/:task_id",
    keyed(async (c, caller) => {
      const t = await ownVideo(deps, caller, c.req.param("task_id") ?? "").catch(() => undefined);
      if (!t) {
        return Response.json({ code: "task_not_exist", message: "task_not_exist", data: null }, {
          status: 400,
        });
      }
      return Response.json({ code: "success", message: "", data: taskView(t) });
    }),
  );
  app.get(
    "/v1/videos/:id",
    keyed(async (c, caller) =>
      Response.json(videoObject(await ownVideo(deps, caller, c.req.param("id") ?? "")))
    ),
  );
  app.get(
    "/v1/videos/:id/content",
    keyed(async (c, caller) => {
      const t = await ownVideo(deps, caller, c.req.param("id") ?? "");
      if (t.status !== TaskStatus.success) {
        throw new RelayError(400, `Video ${t.taskId} is not completed`, { code: "video_not_ready" });
      }
      const target = originChannel(deps, t.channelId, VIDEO_CHANNEL_TYPES);
      const variant = c.req.query("variant");
      const res = await deps.upstream.request({
        method: "GET",
        url: `${target.baseUrl}/v1/videos/${encodeURIComponent(t.taskId)}/content${
          variant ? `?variant=${encodeURIComponent(variant)}` : ""
        }`,
        headers: { authorization: `Bearer ${target.key}` },
        proxy: target.proxy,
      });
      if (res.status !== 200) {
        await res.cancel();
        throw new RelayError(502, `upstream status ${res.status}`, { code: "upstream_error" });
      }
      return new Response(res.body, {
        headers: { "content-type": res.headers.get("content-type") ?? "video/mp4" },
      });
    }),
  );
  return app;
}
