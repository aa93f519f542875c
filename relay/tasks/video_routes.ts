/**
 * The video task routes: OpenAI's video API (`POST /v1/videos`, retrieve, content, remix), New API's
 * `/v1/video/generations` (+ `/{task_id}` in the task envelope) and Kling's `/kling/v1/videos/*`, on every
 * channel type a video adaptor serves (`video/registry.ts`). A create is priced by the adaptor
 * (`ModelPrice[model]` × its multiplier), charged once when the upstream accepts, and recorded as a `tasks`
 * row (platform = the channel type, as New API) the poller keeps current; reads answer only the owner.
 * OpenAI's create on an OpenAI/Sora channel is forwarded as sent (multipart too). Errors in OpenAI's shape.
 */
import { Buffer } from "node:buffer";
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import {
  completeTaskIntent,
  dropTaskIntent,
  insertTask,
  type Task,
  TASK_COLUMNS,
  taskFromRow,
  TaskStatus,
} from "../../store/tasks.ts";
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
  originChannel,
  submitTask,
  TASK_NOT_RECORDED,
  taskCaller,
  type TaskChannel,
  taskChannel,
  TaskRejection,
  taskRowOf,
  withTaskLimits,
} from "./task_relay.ts";
import { queryOne } from "../../store/db.ts";
import { taskView } from "../../routes/api/views.ts";
import { guardedFetch } from "../../net/ssrf_fetch.ts";
import { fetchSetting } from "../../notify/settings.ts";
import { obj, type RawBody, type VideoAdapter, VideoInputError, type VideoRequest } from "./video/adapter.ts";
import { VIDEO_CHANNEL_TYPES, videoAdapterFor } from "./video/registry.ts";
import { openAiVideoAdapter } from "./video/openai.ts";

const SUBMIT_TIMEOUT_MS = 60_000;
const MAX_ANSWER_BYTES = 1 << 20;
/** A finished video fetched from a non-OpenAI upstream's result address is buffered up to this. */
const MAX_VIDEO_BYTES = 256 << 20;

const OPENAI_STATUS: Record<string, string> = {
  [TaskStatus.notStart]: "queued",
  [TaskStatus.submitted]: "queued",
  [TaskStatus.queued]: "queued",
  [TaskStatus.inProgress]: "in_progress",
  [TaskStatus.success]: "completed",
  [TaskStatus.failure]: "failed",
};

function lastObject(t: Task): Record<string, unknown> {
  try {
    return obj(JSON.parse(t.data || "{}"));
  } catch {
    return {};
  }
}

/**
 * The OpenAI video object of a row: on OpenAI/Sora channels the upstream's last object with our state over
 * it; elsewhere New API's conversion (id, model, status, progress, times, `metadata.url`).
 */
export function videoObject(t: Task): Record<string, unknown> {
  const adapter = videoAdapterFor(Number(t.platform));
  const last = lastObject(t);
  const props = parseJsonObject(t.properties);
  const base: Record<string, unknown> = adapter === openAiVideoAdapter ? { ...last } : {
    task_id: t.taskId,
    model: typeof props.origin_model_name === "string" ? props.origin_model_name : "",
    created_at: t.submitTime,
    ...(t.finishTime ? { completed_at: t.finishTime } : {}),
    ...(props.seconds ? { seconds: String(props.seconds) } : {}),
  };
  const url = adapter && adapter !== openAiVideoAdapter ? adapter.result(last)?.url : undefined;
  if (url) base.metadata = { url };
  const out: Record<string, unknown> = {
    ...base,
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

/** The fields of a create: from JSON, or from the multipart form. */
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

const invalid = (message: string, param?: string) =>
  new RelayError(400, message, { code: "invalid_request", param });

/** New API's `TaskSubmitReq` of a create body (`prompt`, `model`, `duration`/`seconds`, `size`, images). */
export function videoRequestOf(fields: Record<string, unknown>, defaultModel = "sora-2"): VideoRequest {
  if (typeof fields.prompt !== "string" || !fields.prompt) throw invalid("prompt is required", "prompt");
  let q;
  try {
    q = billingQuantities(fields);
  } catch (e) {
    if (e instanceof BillingInputError) throw invalid(e.message);
    throw e;
  }
  const images: string[] = [];
  for (const k of ["image", "input_reference"]) {
    if (typeof fields[k] === "string" && fields[k]) images.push(fields[k] as string);
  }
  if (Array.isArray(fields.images)) {
    for (const i of fields.images) if (typeof i === "string" && i) images.push(i);
  }
  return {
    model: typeof fields.model === "string" && fields.model ? fields.model : defaultModel,
    prompt: fields.prompt,
    seconds: q.seconds,
    size: q.size,
    images,
    metadata: obj(fields.metadata),
  };
}

/** Which client shape a create came in: OpenAI's, New API's unified one, Kling's or Jimeng's native body. */
type VideoShape = "openai" | "generations" | "kling" | "jimeng";

/** The route's create: the caller's fields to a channel, its adaptor, a charge and a row. */
async function create(
  deps: AppDeps,
  c: Context,
  caller: Caller,
  requestId: string,
  shape: VideoShape,
): Promise<Response> {
  const bytes = await readBytes(c, deps);
  let fields = await createFields(c, bytes);
  if (shape === "kling") {
    // New API's KlingRequestConvert: the native body becomes the metadata of a unified request.
    fields = {
      model: fields.model_name ?? fields.model ?? "kling-v1",
      prompt: fields.prompt,
      metadata: fields,
    };
  }
  if (shape === "jimeng") {
    // New API's JimengRequestConvert: `req_key` is the model, the native body the metadata.
    fields = { model: fields.req_key || "jimeng_vgfm_t2v_l20", prompt: fields.prompt, metadata: fields };
  }
  const req = videoRequestOf(fields);
  const target = taskChannel(deps, caller, req.model, VIDEO_CHANNEL_TYPES);
  const adapter = videoAdapterFor(target.channel.type)!;
  const raw = shape === "openai" && adapter === openAiVideoAdapter
    ? { contentType: c.req.header("content-type") ?? "application/json", bytes }
    : undefined;
  const { video, taskId } = await submitVideo(deps, c, caller, requestId, { target, adapter, req, raw });
  if (adapter === openAiVideoAdapter) {
    return Response.json(shape === "openai" ? video : { ...video, task_id: taskId });
  }
  // New API answers every other adaptor's create with a fresh OpenAI video object.
  return Response.json({
    id: taskId,
    task_id: taskId,
    object: "video",
    model: req.model,
    status: "queued",
    progress: 0,
    created_at: Math.floor(Date.now() / 1000),
  });
}

interface VideoSubmit {
  target: TaskChannel;
  adapter: VideoAdapter;
  req: VideoRequest;
  raw?: RawBody;
  /** The upstream call, when not the adaptor's create (remix). */
  call?: { path: string; body: string };
  action?: string;
}

function upstreamMessage(answer: unknown): string | undefined {
  const a = obj(answer);
  const m = obj(a.error).message ?? a.message ?? obj(a.base_resp).status_msg;
  return typeof m === "string" && m ? m : undefined;
}

/** Holds the price, submits, charges once the upstream accepted and records the task. */
async function submitVideo(
  deps: AppDeps,
  c: Context,
  caller: Caller,
  requestId: string,
  v: VideoSubmit,
): Promise<{ video: Record<string, unknown>; taskId: string }> {
  const { target, adapter, req } = v;
  let price;
  try {
    price = adapter.price(req);
  } catch (e) {
    if (e instanceof VideoInputError) throw invalid(e.message);
    throw e;
  }
  const action = v.action ?? adapter.action(req);
  const row = taskRowOf(caller, target, requestId, {
    platform: String(target.channel.type),
    action,
    properties: JSON.stringify({
      origin_model_name: req.model,
      seconds: price.seconds,
      size: price.size,
      ...adapter.rowProperties?.(req),
    }),
  });
  const notRecorded = () =>
    new RelayError(500, "the task could not be recorded", { code: "insert_task_failed" });
  const { answer } = await submitTask(deps, c, caller, requestId, {
    kind: "video",
    model: req.model,
    target,
    priceMultiplier: price.multiplier,
    recordIntent: (reserved) => insertTask(deps.db, row(reserved)),
    dropIntent: (id) => dropTaskIntent(deps.db, id),
    call: () => callVideo(deps, v, action),
    charge: (a) => `Video ${req.model}, task ${a.taskId}`,
    complete: (id, a, charged) => {
      const r = adapter === openAiVideoAdapter ? adapter.result(a.answer) : undefined;
      return completeTaskIntent(deps.db, id, {
        ...row(charged, a.taskId),
        status: r?.status ?? TaskStatus.submitted,
        progress: `${r?.progress ?? 0}%`,
        data: JSON.stringify(a.answer),
      });
    },
    failed: (e) => {
      if (e === TASK_NOT_RECORDED) return notRecorded();
      if (e instanceof RelayError) return e;
      log.warn("video submit failed", { requestId, error: String(e) });
      return new RelayError(502, "the upstream could not be reached", { code: "do_request_failed" });
    },
  });
  return { video: answer.answer, taskId: answer.taskId };
}

/** The upstream's accept of a video submit (the adaptor's create, or `v.call`); RelayError otherwise. */
async function callVideo(
  deps: AppDeps,
  v: VideoSubmit,
  action: string,
): Promise<{ answer: Record<string, unknown>; taskId: string }> {
  const { target, adapter, req } = v;
  const call = v.call
    ? {
      method: "POST" as const,
      url: `${target.baseUrl}${v.call.path}`,
      headers: { "content-type": "application/json", authorization: `Bearer ${target.key}` },
      body: v.call.body,
    }
    : await adapter.submit(target, req, action, v.raw, deps.upstream);
  const res = await deps.upstream.request({
    ...call,
    proxy: target.proxy,
    firstByteTimeoutMs: SUBMIT_TIMEOUT_MS,
    totalTimeoutMs: SUBMIT_TIMEOUT_MS,
  });
  const text = new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch { /* below */ }
  const ok = res.status === 200 ? adapter.accepted(parsed) : undefined;
  if (!ok || "error" in ok) {
    const message = ok && "error" in ok ? ok.error : upstreamMessage(parsed);
    const status = res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403
      ? res.status
      : res.status === 200
      ? 400
      : 502;
    throw new RelayError(status, message && res.status < 500 ? message : `upstream status ${res.status}`, {
      code: "upstream_error",
    });
  }
  return { answer: obj(parsed), taskId: ok.taskId };
}

/** OpenAI's remix: a new video from a completed one, on its channel, at the original's model and length. */
async function remix(deps: AppDeps, c: Context, caller: Caller, requestId: string): Promise<Response> {
  const origin = await ownVideo(deps, caller, c.req.param("id") ?? "");
  const bytes = await readBytes(c, deps);
  const fields = await createFields(c, bytes);
  if (typeof fields.prompt !== "string" || !fields.prompt) throw invalid("prompt is required", "prompt");
  if (origin.status !== TaskStatus.success) {
    throw new RelayError(400, `Video ${origin.taskId} is not completed`, { code: "video_not_ready" });
  }
  const props = parseJsonObject(origin.properties);
  const model = typeof props.origin_model_name === "string" ? props.origin_model_name : "sora-2";
  checkTaskModel(caller, model);
  const { video } = await submitVideo(deps, c, caller, requestId, {
    target: originChannel(deps, origin.channelId, new Set(openAiVideoAdapter.types)),
    adapter: openAiVideoAdapter,
    req: {
      model,
      prompt: fields.prompt,
      seconds: Number(props.seconds) || 4,
      size: typeof props.size === "string" ? props.size : "",
      images: [],
      metadata: {},
    },
    call: {
      path: `/v1/videos/${encodeURIComponent(origin.taskId)}/remix`,
      body: JSON.stringify({ prompt: fields.prompt }),
    },
    action: "remix",
  });
  return Response.json(video);
}

/** The owner's video task by its id, any video platform. */
async function ownVideo(deps: AppDeps, caller: Caller, id: string): Promise<Task> {
  const row = await queryOne(
    deps.db,
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE user_id = ? AND task_id = ? AND task_id <> '' AND platform NOT IN ('suno', 'mj')`,
    [caller.user.id, id],
  );
  if (!row) throw new RelayError(404, `Video ${id} not found`, { code: "not_found" });
  return taskFromRow(row);
}

/** The finished video's bytes: OpenAI's content route, or the adaptor's result address (SSRF-guarded). */
async function content(deps: AppDeps, c: Context, t: Task): Promise<Response> {
  if (t.status !== TaskStatus.success) {
    throw new RelayError(400, `Video ${t.taskId} is not completed`, { code: "video_not_ready" });
  }
  const adapter = videoAdapterFor(Number(t.platform));
  if (!adapter) throw new RelayError(404, `Video ${t.taskId} not found`, { code: "not_found" });
  const target = originChannel(deps, t.channelId, new Set(adapter.types));
  if (adapter === openAiVideoAdapter) {
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
  }
  const url = adapter.result(lastObject(t))?.url;
  if (!url) throw new RelayError(404, `Video ${t.taskId} has no content`, { code: "not_found" });
  const inline = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (inline) {
    // Vertex's Veo answers the video inline; the row keeps it as a data: URL.
    return new Response(Buffer.from(inline[2], "base64"), { headers: { "content-type": inline[1] } });
  }
  const res = await guardedFetch(url, {
    setting: fetchSetting(deps.catalog),
    headers: adapter.contentHeaders?.(target, url) ?? {},
    maxBytes: MAX_VIDEO_BYTES,
    timeoutMs: 120_000,
  }).catch((e) => {
    log.warn("video content fetch failed", { error: String(e) });
    throw new RelayError(502, "the video could not be fetched", { code: "upstream_error" });
  });
  if (res.status !== 200) {
    throw new RelayError(502, `upstream status ${res.status}`, { code: "upstream_error" });
  }
  return new Response(res.body as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": res.headers.get("content-type") || "video/mp4" },
  });
}

/** New API's task envelope: `{code: "success", data: TaskDto}`, or `task_not_exist`. */
async function taskEnvelope(deps: AppDeps, caller: Caller, id: string): Promise<Response> {
  const t = await ownVideo(deps, caller, id).catch(() => undefined);
  if (!t) {
    return Response.json({ code: "task_not_exist", message: "task_not_exist", data: null }, { status: 400 });
  }
  const view = taskView(t);
  const url = videoAdapterFor(Number(t.platform))?.result(lastObject(t))?.url;
  if (url) view.result_url = url;
  return Response.json({ code: "success", message: "", data: view });
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
  const submit = (shape: VideoShape) =>
    keyed((c, caller, id) => withTaskLimits(deps, caller, () => create(deps, c, caller, id, shape)));
  app.post("/v1/videos", submit("openai"));
  app.post(
    "/v1/videos/:id/remix",
    keyed((c, caller, id) => withTaskLimits(deps, caller, () => remix(deps, c, caller, id))),
  );
  app.post("/v1/video/generations", submit("generations"));
  app.get(
    "/v1/video/generations/:task_id",
    keyed((c, caller) => taskEnvelope(deps, caller, c.req.param("task_id") ?? "")),
  );
  for (const kind of ["text2video", "image2video"]) {
    app.post(`/kling/v1/videos/${kind}`, submit("kling"));
    app.get(
      `/kling/v1/videos/${kind}/:task_id`,
      keyed((c, caller) => taskEnvelope(deps, caller, c.req.param("task_id") ?? "")),
    );
  }
  // Jimeng's own API (New API's /jimeng group): the Action query says submit or fetch; errors OpenAI-shaped.
  const jimeng = keyed(async (c, caller, id) => {
    const action = c.req.query("Action") ?? "";
    if (!action) throw invalid("Action query parameter is required");
    if (action !== "CVSync2AsyncGetResult") {
      return await withTaskLimits(deps, caller, () => create(deps, c, caller, id, "jimeng"));
    }
    const fields = await createFields(c, await readBytes(c, deps));
    const taskId = typeof fields.task_id === "string" ? fields.task_id : "";
    if (!taskId) throw invalid("task_id is required for CVSync2AsyncGetResult");
    return await taskEnvelope(deps, caller, taskId);
  });
  app.post("/jimeng/", jimeng);
  app.post("/jimeng", jimeng);

  app.get(
    "/v1/videos/:id",
    keyed(async (c, caller) =>
      Response.json(videoObject(await ownVideo(deps, caller, c.req.param("id") ?? "")))
    ),
  );
  app.get(
    "/v1/videos/:id/content",
    keyed(async (c, caller) => content(deps, c, await ownVideo(deps, caller, c.req.param("id") ?? ""))),
  );
  return app;
}
