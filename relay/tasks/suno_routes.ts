/**
 * The Suno relay as New API serves it: `POST /suno/submit/{music|lyrics}` (priced `suno_music` /
 * `suno_lyrics`, charged once when the upstream accepts, a `tasks` row per task), `POST /suno/fetch` and
 * `GET /suno/fetch/{id}` from our rows (the poller keeps them current; owner only). Answers and errors are
 * New API's task envelope: `{code: "success", message, data}` / `{code, message, data: null}`.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { readBodyText } from "../../routes/api/input.ts";
import {
  completeTaskIntent,
  dropTaskIntent,
  insertTask,
  type Task,
  taskOf,
  tasksOf,
} from "../../store/tasks.ts";
import { log } from "../../server/logger.ts";
import { errorResponse, toRelayError } from "../pipeline/errors.ts";
import { RelayError } from "../formats/errors.ts";
import { newRequestId } from "../pipeline/request_id.ts";
import type { Caller } from "../pipeline/key_auth.ts";
import {
  submitTask,
  TASK_NOT_RECORDED,
  taskCaller,
  type TaskChannel,
  taskChannel,
  TaskRejection,
  taskRowOf,
  withTaskLimits,
} from "./task_relay.ts";

/** New API's Suno channel type. */
export const SUNO_CHANNEL_TYPES: ReadonlySet<number> = new Set([36]);

const SUBMIT_TIMEOUT_MS = 60_000;
const MAX_ANSWER_BYTES = 1 << 20;

const taskError = (status: number, code: string, message = code) =>
  Response.json({ code, message, data: null }, { status });

function parsed(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** New API's `TaskDto` of a Suno task. */
export function sunoTaskDto(t: Task): Record<string, unknown> {
  return {
    task_id: t.taskId,
    action: t.action,
    status: t.status,
    fail_reason: t.failReason,
    submit_time: t.submitTime,
    start_time: t.startTime,
    finish_time: t.finishTime,
    progress: t.progress,
    data: parsed(t.data),
  };
}

async function readObject(c: Context, deps: AppDeps): Promise<Record<string, unknown>> {
  try {
    const body = JSON.parse(await readBodyText(c.req.raw, deps.config.maxRequestBodyBytes));
    if (body && typeof body === "object" && !Array.isArray(body)) return body;
  } catch { /* below */ }
  throw new TaskRejection(400, "invalid_request", "invalid request body");
}

/** The upstream's task id for an accepted submit; TaskRejection in Suno's shape otherwise. */
async function callSuno(
  deps: AppDeps,
  target: TaskChannel,
  action: string,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await deps.upstream.request({
    method: "POST",
    url: `${target.baseUrl}/suno/submit/${action.toLowerCase()}`,
    headers: { "content-type": "application/json", authorization: `Bearer ${target.key}` },
    body: JSON.stringify(body),
    proxy: target.proxy,
    firstByteTimeoutMs: SUBMIT_TIMEOUT_MS,
    totalTimeoutMs: SUBMIT_TIMEOUT_MS,
  });
  const text = new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES));
  const answer = parsed(text) as { code?: unknown; message?: unknown; data?: unknown } | null;
  if (
    res.status !== 200 || !answer || answer.code !== "success" || typeof answer.data !== "string" ||
    !answer.data
  ) {
    const code = typeof answer?.code === "string" && answer.code ? answer.code : "fail_to_fetch_task";
    const message = typeof answer?.message === "string" && answer.message
      ? answer.message
      : `upstream status ${res.status}`;
    throw new TaskRejection(res.status === 200 ? 500 : res.status >= 500 ? 502 : 400, code, message);
  }
  return answer.data;
}

async function submit(deps: AppDeps, c: Context, caller: Caller, requestId: string): Promise<Response> {
  const action = (c.req.param("action") ?? "").toUpperCase();
  if (action !== "MUSIC" && action !== "LYRICS") {
    throw new TaskRejection(400, "invalid_request", "invalid_action");
  }
  const body = await readObject(c, deps);
  if (action === "MUSIC" && !body.mv) body.mv = "chirp-v3-0";
  if (action === "LYRICS" && !body.prompt) throw new TaskRejection(400, "invalid_request", "prompt_empty");
  if (body.continue_clip_id && !body.task_id) {
    throw new TaskRejection(400, "invalid_request", "task id is empty");
  }
  const model = `suno_${action.toLowerCase()}`;
  const target = taskChannel(deps, caller, model, SUNO_CHANNEL_TYPES);
  const row = taskRowOf(caller, target, requestId, { platform: "suno", action });
  const { answer: taskId } = await submitTask(deps, c, caller, requestId, {
    kind: "suno",
    model,
    target,
    recordIntent: (reserved) => insertTask(deps.db, row(reserved)),
    dropIntent: (id) => dropTaskIntent(deps.db, id),
    call: () => callSuno(deps, target, action, body),
    charge: (id) => `Suno ${action}, task ${id}`,
    complete: (id, taskId, charged) => completeTaskIntent(deps.db, id, row(charged, taskId)),
    failed: (e) =>
      e instanceof TaskRejection
        ? e
        : e === TASK_NOT_RECORDED
        ? new TaskRejection(500, "insert_task_failed")
        : new TaskRejection(502, "do_request_failed", "the upstream could not be reached"),
  });
  return Response.json({ code: "success", message: "", data: taskId });
}

export function sunoRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const keyed =
    (fn: (c: Context, caller: Caller, requestId: string) => Promise<Response>) => async (c: Context) => {
      const requestId = newRequestId();
      let caller: Caller;
      try {
        caller = taskCaller(deps, c);
      } catch (e) {
        return errorResponse("openai_chat", toRelayError(e), requestId);
      }
      try {
        return await fn(c, caller, requestId);
      } catch (e) {
        if (e instanceof TaskRejection) return taskError(e.status, e.reason, e.message);
        if (e instanceof RelayError) return errorResponse("openai_chat", e, requestId);
        log.error("suno relay failed", { requestId, error: String(e) });
        return taskError(500, "internal_error");
      }
    };

  app.post(
    "/suno/submit/:action",
    keyed((c, caller, id) => withTaskLimits(deps, caller, () => submit(deps, c, caller, id))),
  );
  app.post(
    "/suno/fetch",
    keyed(async (c, caller) => {
      const body = await readObject(c, deps);
      const ids = Array.isArray(body.ids) ? body.ids.filter((v): v is string => typeof v === "string") : [];
      const tasks = await tasksOf(deps.db, caller.user.id, "suno", ids);
      return Response.json({ code: "success", message: "", data: tasks.map(sunoTaskDto) });
    }),
  );
  app.get(
    "/suno/fetch/:id",
    keyed(async (c, caller) => {
      const task = await taskOf(deps.db, caller.user.id, "suno", c.req.param("id") ?? "");
      if (!task) throw new TaskRejection(400, "task_not_exist");
      return Response.json({ code: "success", message: "", data: sunoTaskDto(task) });
    }),
  );
  return app;
}
