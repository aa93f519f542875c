/**
 * The Midjourney-proxy relay, as New API serves it under `/mj` and `/{mode}/mj` (fast, relax, turbo):
 * submits (priced per action as `mj_<action>`, charged once when the upstream accepts, a `midjourneys`
 * row per task), task fetch and list-by-condition from our rows (the poller keeps them current, owner
 * only), and `/mj/image/{id}` (the owner's key or a signed link; fetched through the SSRF guard).
 * Errors are Midjourney-shaped: `{code, description, result, type}`.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { readBodyText } from "../../routes/api/input.ts";
import {
  completeMjIntent,
  insertMjTask,
  mjTaskOf,
  mjTasksOf,
  type NewMjTask,
} from "../../store/midjourneys.ts";
import { optionRegistry } from "../../options/index.ts";
import { fetchSetting } from "../../notify/settings.ts";
import { guardedFetch } from "../../net/ssrf_fetch.ts";
import { log } from "../../server/logger.ts";
import { pollKindNow } from "../../jobs/task_poll.ts";
import { midjourneyTaskKind } from "../../jobs/task_poll_mj.ts";
import { disableChannel } from "../health/channel_state.ts";
import { RelayError } from "../formats/errors.ts";
import { errorResponse, RateLimitedError, toRelayError } from "../pipeline/errors.ts";
import { newRequestId } from "../pipeline/request_id.ts";
import type { Caller } from "../pipeline/key_auth.ts";
import {
  MjCode,
  MjError,
  mjModelName,
  type MjSubmit,
  planSubmit,
  SUBMIT_ROUTES,
  submitAccepted,
} from "./mj_actions.ts";
import { type ImageLink, mjImageSigValid, mjTaskDto } from "./mj_view.ts";
import {
  checkTaskModel,
  originChannel,
  submitTask,
  TASK_NOT_RECORDED,
  taskCaller,
  type TaskChannel,
  taskChannel,
  TaskRejection,
  withTaskLimits,
} from "./task_relay.ts";

/** New API's Midjourney and Midjourney-Plus channel types. */
export const MJ_CHANNEL_TYPES: ReadonlySet<number> = new Set([2, 5]);

/** Midjourney-proxy's "no available account instance". */
const MJ_NO_INSTANCE = 3;

/** How long a submit may take upstream (New API: 60 s). */
const SUBMIT_TIMEOUT_MS = 60_000;
/** The largest upstream answer read (a submit answer is a few hundred bytes). */
const MAX_ANSWER_BYTES = 1 << 20;
/** The largest image proxied. */
const MAX_IMAGE_BYTES = 32 << 20;

const MODES = "fast|relax|turbo|mj-fast|mj-relax|mj-turbo";

function mjError(e: MjError): Response {
  const status = e.code === 30 ? 429 : e.status;
  return Response.json({ code: e.code, description: e.description, result: "", type: "upstream_error" }, {
    status,
  });
}

function asMjError(e: unknown): MjError | undefined {
  if (e instanceof MjError) return e;
  if (e instanceof TaskRejection) {
    return new MjError(MjCode.requestError, e.reason === "quota_not_enough" ? e.reason : e.message);
  }
  return undefined;
}

/** The path sent upstream: the client's, with a `/mj-<mode>` prefix dropped (New API's getMjRequestPath). */
export function upstreamPath(path: string): string {
  if (!path.includes("/mj-")) return path;
  const at = path.indexOf("/mj/");
  return at < 0 ? path : path.slice(at);
}

function imageLink(deps: AppDeps, c: Context): ImageLink {
  if (!optionRegistry.bool(deps.catalog, "MjForwardUrlEnabled")) {
    return { cryptoSecret: deps.secrets.cryptoSecret };
  }
  const base = (optionRegistry.string(deps.catalog, "ServerAddress") || new URL(c.req.url).origin).replace(
    /\/+$/,
    "",
  );
  return { forwardBase: base, cryptoSecret: deps.secrets.cryptoSecret };
}

async function readObject(
  c: Context,
  deps: AppDeps,
): Promise<{ text: string; body: Record<string, unknown> }> {
  let text: string;
  try {
    text = await readBodyText(c.req.raw, deps.config.maxRequestBodyBytes);
  } catch {
    throw new MjError(MjCode.requestError, "bind_request_body_failed");
  }
  try {
    const body = JSON.parse(text);
    if (body && typeof body === "object" && !Array.isArray(body)) return { text, body };
  } catch { /* below */ }
  throw new MjError(MjCode.requestError, "bind_request_body_failed");
}

const strField = (v: unknown) => (typeof v === "string" ? v : undefined);

const mjIdOf = (a: Record<string, unknown>) =>
  typeof a.result === "string" ? a.result : String(a.result ?? "");

/** The upstream's submit answer (any code; a channel without an account instance is disabled here). */
async function callMidjourney(
  deps: AppDeps,
  c: Context,
  target: TaskChannel,
  text: string,
): Promise<Record<string, unknown>> {
  const res = await deps.upstream.request({
    method: "POST",
    url: target.baseUrl + upstreamPath(new URL(c.req.url).pathname),
    headers: { "content-type": "application/json", "mj-api-secret": target.key },
    body: text,
    proxy: target.proxy,
    firstByteTimeoutMs: SUBMIT_TIMEOUT_MS,
    totalTimeoutMs: SUBMIT_TIMEOUT_MS,
  });
  if (res.status !== 200) {
    await res.cancel();
    throw new MjError(MjCode.unknown, `fail_to_fetch_midjourney status_code: ${res.status}`);
  }
  const answer = JSON.parse(new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES)));
  if (!answer || typeof answer !== "object" || typeof answer.code !== "number") {
    throw new MjError(MjCode.unknown, "unmarshal_response_body_failed");
  }
  if (
    answer.code === MJ_NO_INSTANCE && target.channel.autoBan === 1 &&
    optionRegistry.bool(deps.catalog, "AutomaticDisableChannelEnabled")
  ) {
    // New API: a Midjourney-proxy without a usable account instance takes its channel (or key) out.
    await disableChannel(
      deps,
      target.channel.id,
      target.keyIndex,
      target.channel.keys.length,
      "No available account instance",
    )
      .catch((e) => log.error("midjourney channel not disabled", { error: String(e) }));
  }
  return answer;
}

/** The intent row as the upstream's answer leaves it (a refused submit is written finished). */
function answeredRow(
  row: NewMjTask,
  plan: { action: string },
  answer: Record<string, unknown>,
  accepted: boolean,
): NewMjTask {
  const code = answer.code as number;
  const now = Date.now();
  Object.assign(row, {
    code,
    mjId: mjIdOf(answer),
    description: String(answer.description ?? ""),
    submitTime: now,
  });
  if (!accepted) {
    // Nothing to follow: written as finished so the poller leaves it alone (New API reaches this state later).
    Object.assign(row, { failReason: row.description, status: "FAILURE", progress: "100%" });
  }
  const props = answer.properties as Record<string, unknown> | undefined;
  if (code === MjCode.exists && typeof props?.imageUrl === "string" && typeof props?.status === "string") {
    Object.assign(row, { imageUrl: props.imageUrl, status: props.status });
    if (props.status === "SUCCESS") {
      Object.assign(row, { progress: "100%", startTime: now, finishTime: now, code: 1 });
    }
  }
  if (code === MjCode.ok && plan.action === "UPLOAD") {
    Object.assign(row, { progress: "100%", status: "SUCCESS" });
  }
  return row;
}

async function submit(
  deps: AppDeps,
  c: Context,
  caller: Caller,
  requestId: string,
  route = c.req.param("route") ?? "",
): Promise<Response> {
  if (!(route in SUBMIT_ROUTES)) throw new MjError(MjCode.requestError, "unknown_relay_action");
  const { text, body } = await readObject(c, deps);
  const fields: MjSubmit = {
    prompt: strField(body.prompt),
    taskId: strField(body.taskId),
    action: strField(body.action),
    index: typeof body.index === "number" ? body.index : undefined,
    content: strField(body.content),
    customId: strField(body.customId),
    sourceBase64: strField(body.sourceBase64),
    targetBase64: strField(body.targetBase64),
  };
  const plan = planSubmit(route, fields);
  const model = mjModelName(plan.action);
  let target: TaskChannel;
  let prompt = plan.action === "SWAP_FACE" ? "InsightFace" : fields.prompt ?? "";
  if (plan.originId) {
    const origin = await mjTaskOf(deps.db, caller.user.id, plan.originId);
    if (!origin) throw new MjError(MjCode.requestError, "task_not_found");
    if (
      optionRegistry.bool(deps.catalog, "MjActionCheckSuccessEnabled") && origin.status !== "SUCCESS" &&
      route !== "modal"
    ) {
      throw new MjError(MjCode.requestError, "task_status_not_success");
    }
    checkTaskModel(caller, model);
    target = originChannel(deps, origin.channelId, MJ_CHANNEL_TYPES);
    prompt = origin.prompt;
  } else {
    target = taskChannel(deps, caller, model, MJ_CHANNEL_TYPES);
  }
  const row = (quota: number) => ({
    code: 0,
    userId: caller.user.id,
    action: plan.action,
    mjId: "",
    prompt,
    promptEn: "",
    description: "",
    state: "",
    submitTime: Date.now(),
    startTime: 0,
    finishTime: 0,
    imageUrl: "",
    videoUrl: "",
    videoUrls: "",
    status: "",
    progress: "0%",
    failReason: "",
    channelId: target.channel.id,
    quota,
    buttons: "",
    properties: "",
    tokenId: caller.token?.id ?? 0,
    requestId,
  });
  const accepted = (a: Record<string, unknown>) =>
    submitAccepted(a.code as number, plan.action) && mjIdOf(a) !== "";
  const { answer } = await submitTask(deps, c, caller, requestId, {
    kind: "midjourney",
    model,
    target,
    recordIntent: (reserved) => insertMjTask(deps.db, row(plan.charged ? reserved : 0)),
    dropIntent: async (id) => {
      await deps.db.exec("DELETE FROM midjourneys WHERE id = ? AND mj_id = ''", [id]);
    },
    call: () => callMidjourney(deps, c, target, text),
    // INPAINT and CUSTOM_ZOOM are free (New API); a refused action charges nothing.
    charge: (a) => accepted(a) && plan.charged ? `Action ${plan.action}, task ${mjIdOf(a)}` : undefined,
    complete: (id, a, charged) =>
      completeMjIntent(deps.db, id, answeredRow(row(charged), plan, a, accepted(a))),
    failed: (e) =>
      e instanceof MjError
        ? e
        : e === TASK_NOT_RECORDED
        ? new MjError(MjCode.requestError, "insert_midjourney_task_failed")
        : e instanceof SyntaxError
        ? new MjError(MjCode.unknown, "unmarshal_response_body_failed")
        : new MjError(MjCode.unknown, "do_request_failed"),
  });
  const code = answer.code as number;
  // New API tells clients "submitted" for "exists" and "queued" (not for INPAINT/CUSTOM_ZOOM on 21).
  const shown = code === MjCode.queued || (code === MjCode.exists && plan.charged) ? MjCode.ok : code;
  return Response.json({ ...answer, code: shown }, { status: 200 });
}

export function midjourneyRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  /** Runs `fn` with the key's caller; auth failures in OpenAI's shape (New API's token middleware). */
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
        const mj = asMjError(e);
        if (mj) return mjError(mj);
        if (e instanceof RateLimitedError) {
          // New API answers a rate-limited Midjourney request with code 30 and 429.
          const res = mjError(new MjError(30, e.message, 429));
          res.headers.set("retry-after", String(e.retryAfterSeconds));
          return res;
        }
        if (e instanceof RelayError) return errorResponse("openai_chat", e, requestId);
        log.error("midjourney relay failed", { requestId, error: String(e) });
        return mjError(new MjError(MjCode.unknown, "internal_error", 500));
      }
    };

  for (const prefix of ["/mj", `/:mode{${MODES}}/mj`]) {
    app.post(
      `${prefix}/submit/:route`,
      keyed((c, caller, id) => withTaskLimits(deps, caller, () => submit(deps, c, caller, id))),
    );
    app.post(
      `${prefix}/insight-face/swap`,
      keyed((c, caller, id) => withTaskLimits(deps, caller, () => submit(deps, c, caller, id, "swap_face"))),
    );

    // The seed of a task's image, asked of the task's own channel (New API's RelayMidjourneyTaskImageSeed).
    app.get(
      `${prefix}/task/:id/image-seed`,
      keyed(async (c, caller) => {
        const task = await mjTaskOf(deps.db, caller.user.id, c.req.param("id") ?? "");
        if (!task) throw new MjError(MjCode.requestError, "task_no_found");
        const target = originChannel(deps, task.channelId, MJ_CHANNEL_TYPES);
        try {
          const res = await deps.upstream.request({
            method: "GET",
            url: target.baseUrl + upstreamPath(new URL(c.req.url).pathname),
            headers: { "mj-api-secret": target.key },
            proxy: target.proxy,
            firstByteTimeoutMs: 30_000,
            totalTimeoutMs: 30_000,
          });
          const answer = JSON.parse(new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES)));
          return Response.json(answer, { status: res.status === 200 ? 200 : 400 });
        } catch {
          throw new MjError(MjCode.unknown, "do_request_failed");
        }
      }),
    );

    app.get(
      `${prefix}/task/:id/fetch`,
      keyed(async (c, caller) => {
        const task = await mjTaskOf(deps.db, caller.user.id, c.req.param("id") ?? "");
        if (!task) throw new MjError(MjCode.requestError, "task_no_found");
        return Response.json(mjTaskDto(task, imageLink(deps, c)));
      }),
    );

    app.post(
      `${prefix}/task/list-by-condition`,
      keyed(async (c, caller) => {
        const { body } = await readObject(c, deps).catch(() => {
          throw new MjError(MjCode.requestError, "do_request_failed");
        });
        const ids = Array.isArray(body.ids) ? body.ids.filter((v): v is string => typeof v === "string") : [];
        const tasks = await mjTasksOf(deps.db, caller.user.id, ids);
        const link = imageLink(deps, c);
        return Response.json(tasks.map((t) => mjTaskDto(t, link)));
      }),
    );

    // New API's RelayMidjourneyNotify: a key's owner says one of its tasks moved. The body is a wake-up
    // hint only (the key authenticates a user, not the upstream): the task is fetched from its channel
    // now, through the poller's loop, so nothing in the body is written and no charge moves on its word.
    app.post(
      `${prefix}/notify`,
      keyed((c, caller) =>
        withTaskLimits(deps, caller, async () => {
          const { body } = await readObject(c, deps).catch(() => {
            throw new MjError(MjCode.requestError, "bind_request_body_failed");
          });
          const id = typeof body.id === "string" ? body.id : "";
          const task = id ? await mjTaskOf(deps.db, caller.user.id, id) : undefined;
          if (!task) throw new MjError(MjCode.requestError, "midjourney_task_not_found");
          if (task.progress !== "100%") await pollKindNow(deps, midjourneyTaskKind(task));
          return new Response(null, { status: 200 });
        })
      ),
    );

    app.get(`${prefix}/image/:id`, async (c) => {
      const mjId = c.req.param("id") ?? "";
      const sig = c.req.query("sig") ?? "";
      let ownerId: number | undefined;
      if (!sig || !mjImageSigValid(deps.secrets.cryptoSecret, mjId, sig)) {
        try {
          ownerId = taskCaller(deps, c).user.id;
        } catch {
          return c.json({ error: "midjourney_task_not_found" }, 400);
        }
      }
      const task = ownerId !== undefined
        ? await mjTaskOf(deps.db, ownerId, mjId)
        : (await deps.db.query<{ image_url: string }>("SELECT image_url FROM midjourneys WHERE mj_id = ?", [
          mjId,
        ]))
          .map((r) => ({ imageUrl: String(r.image_url ?? "") }))[0];
      if (!task || !task.imageUrl) return c.json({ error: "midjourney_task_not_found" }, 400);
      try {
        const res = await guardedFetch(task.imageUrl, {
          setting: fetchSetting(deps.catalog),
          maxBytes: MAX_IMAGE_BYTES,
          timeoutMs: 30_000,
        });
        if (res.status !== 200) return c.json({ error: "http_get_image_failed" }, 502);
        return new Response(res.body as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": res.headers.get("content-type") || "image/jpeg" },
        });
      } catch (e) {
        log.error("midjourney image fetch failed", { error: String(e) });
        return c.json({ error: "request blocked or failed" }, 403);
      }
    });
  }
  return app;
}
