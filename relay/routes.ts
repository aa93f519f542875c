/**
 * Mounts the relay: the model lists, every endpoint of `endpoints.ts` behind API key auth (OpenAI's,
 * Claude's `/v1/messages` and count_tokens, Gemini's in `native/routes.ts`), the console playground
 * (`/pg/chat/completions`, session auth, billed without a token) and New API's 501s for what it does not
 * implement. Unknown `/v1/*` paths fall to the app's OpenAI-shaped 404.
 */
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import type { AppDeps } from "../server/deps.ts";
import { type AuthEnv, requireUser } from "../auth/middleware.ts";
import { ApiError } from "../routes/api/errors.ts";
import { RelayError } from "./formats/errors.ts";
import type { Dialect } from "./formats/ir.ts";
import { endpoint, ENDPOINTS } from "./endpoints.ts";
import { handleRelay, type RelayEntry } from "./pipeline/run.ts";
import { authenticateKey, type Caller, enabledUser, groupUsable, presentedKey } from "./pipeline/key_auth.ts";
import {
  errorResponse,
  forbidden,
  REQUEST_ID_HEADER,
  requestIdHeaders,
  toRelayError,
} from "./pipeline/errors.ts";
import { newRequestId } from "./pipeline/request_id.ts";
import { editTopLevel } from "./pipeline/json_edit.ts";
import { claudeModel, claudeModelList, geminiModelList, visibleModels } from "./models.ts";
import { handleCountTokens } from "./native/count_tokens.ts";
import { mountGeminiRoutes } from "./native/routes.ts";
import { midjourneyRoutes } from "./tasks/mj_routes.ts";
import { sunoRoutes } from "./tasks/suno_routes.ts";
import { videoRoutes } from "./tasks/video_routes.ts";
import { handleRealtime, REALTIME_MAX_MESSAGE_BYTES } from "./realtime/route.ts";

/** The caller of the key presented (the relay context has it already: `presented`). */
function keyCaller(deps: AppDeps, c: Context, presented?: string): Caller {
  if (presented === undefined) {
    const url = new URL(c.req.url);
    presented = presentedKey(url.pathname, c.req.raw.headers, url);
  }
  return authenticateKey(
    deps.catalog,
    deps.secrets.cryptoSecret,
    presented,
    c.get("clientIp") ?? "",
  );
}

function notImplemented(): Response {
  return errorResponse(
    "openai_chat",
    new RelayError(501, "API not implemented", { code: "api_not_implemented" }),
    newRequestId(),
  );
}

/**
 * The shape of `/v1/models`: Claude's for an Anthropic client, Gemini's for a Google-style key, else
 * OpenAI's. New API asks for `x-api-key` + `anthropic-version`; `anthropic-version` alone is enough here,
 * because the current Anthropic SDK sends its key as a Bearer token (and OpenAI clients never send it).
 */
function listDialect(c: Context): Dialect {
  if (c.req.header("anthropic-version")) return "claude";
  if (c.req.header("x-goog-api-key") || new URL(c.req.url).searchParams.get("key")) return "gemini";
  return "openai_chat";
}

export function relayRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const exposeHeaders = [REQUEST_ID_HEADER, "request-id"];
  app.use("/v1/*", cors({ origin: "*", allowHeaders: [], exposeHeaders }));
  app.use("/v1beta/*", cors({ origin: "*", allowHeaders: [], exposeHeaders }));

  /** Runs `fn` with the key's caller, answering auth failures in the dialect's shape. */
  const withKey = (dialect: Dialect | ((c: Context) => Dialect)) =>
  (
    fn: (c: Context, caller: Caller, id: string) => Response,
  ) =>
  (c: Context) => {
    const id = newRequestId();
    const d = typeof dialect === "function" ? dialect(c) : dialect;
    try {
      const res = fn(c, keyCaller(deps, c), id);
      for (const [k, v] of Object.entries(requestIdHeaders(d, id))) res.headers.set(k, v);
      return res;
    } catch (e) {
      return errorResponse(d, toRelayError(e), id);
    }
  };

  app.get(
    "/v1/models",
    withKey(listDialect)((c, caller) => {
      const models = visibleModels(deps.catalog, caller);
      switch (listDialect(c)) {
        case "claude":
          return c.json(claudeModelList(models));
        case "gemini":
          return c.json(geminiModelList(models));
        default:
          return c.json({ object: "list", data: models, success: true });
      }
    }),
  );
  app.get(
    "/v1beta/openai/models",
    withKey("openai_chat")((c, caller) =>
      c.json({ object: "list", data: visibleModels(deps.catalog, caller), success: true })
    ),
  );
  const retrieveDialect = (c: Context): Dialect => listDialect(c) === "claude" ? "claude" : "openai_chat";
  app.get(
    "/v1/models/:model{.+}",
    withKey(retrieveDialect)((c, caller, id) => {
      const name = c.req.param("model");
      const found = visibleModels(deps.catalog, caller).find((m) => m.id === name);
      if (found) return c.json(retrieveDialect(c) === "claude" ? claudeModel(found) : found);
      const err = new RelayError(404, `The model '${name}' does not exist`, {
        code: "model_not_found",
        param: "model",
      });
      return errorResponse(retrieveDialect(c), err, id);
    }),
  );
  app.delete("/v1/models/:model{.+}", notImplemented);
  app.all("/v1/files", notImplemented);
  app.all("/v1/files/*", notImplemented);
  app.all("/v1/fine-tunes", notImplemented);
  app.all("/v1/fine-tunes/*", notImplemented);

  for (const ep of ENDPOINTS) {
    if (ep.gemini) continue;
    const entry: RelayEntry = {
      endpoint: ep,
      authenticate: (ctx, c) => keyCaller(deps, c, ctx.clientKey ?? ""),
    };
    app.post(ep.path, (c) => ep.countOnly ? handleCountTokens(deps, c, entry) : handleRelay(deps, c, entry));
  }
  // New API's legacy engines route: OpenAI embeddings, the model from the path unless the body names one.
  const enginesEmbeddings: RelayEntry = {
    endpoint: endpoint("embeddings"),
    context: (c) => ({ pathModel: c.req.param("model") }),
    authenticate: (ctx, c) => keyCaller(deps, c, ctx.clientKey ?? ""),
  };
  app.post("/v1/engines/:model/embeddings", (c) => handleRelay(deps, c, enginesEmbeddings));
  app.get("/v1/realtime", (c) =>
    handleRealtime(deps, c, {
      idleMs: deps.config.streamingTimeoutSeconds * 1000,
      maxBufferedBytes: REALTIME_MAX_MESSAGE_BYTES,
      maxMessageBytes: REALTIME_MAX_MESSAGE_BYTES,
    }));
  mountGeminiRoutes(app, deps, (c) => keyCaller(deps, c), (d) => withKey(d));
  app.route("/", midjourneyRoutes(deps));
  app.route("/", sunoRoutes(deps));
  app.route("/", videoRoutes(deps));

  // The console playground: the signed-in user, the group chosen in the body (else their own), no token.
  const playground: RelayEntry = {
    endpoint: endpoint("chat_completions"),
    afterBody: true,
    authenticate: (ctx, c) => {
      const auth = c.get("auth");
      if (!auth) throw new RelayError(401, "Not signed in", { code: "unauthorized" });
      const user = enabledUser(deps.catalog, auth.user.id);
      const parsed = ctx.parsed!;
      const group = typeof parsed.json?.group === "string" && parsed.json.group
        ? parsed.json.group
        : user.group;
      if (group !== user.group && !groupUsable(deps.catalog, user, group)) {
        throw forbidden(`The group "${group}" is not available to you`, "group_unavailable");
      }
      if (parsed.json && "group" in parsed.json) {
        // Not an upstream parameter: drop it from what is forwarded.
        parsed.bytes = new TextEncoder().encode(
          editTopLevel(new TextDecoder().decode(parsed.bytes), { group: undefined }),
        );
        delete parsed.json.group;
      }
      return { user, token: null, usingGroup: group === "auto" ? user.group : group };
    },
  };
  const userAuth = requireUser(deps);
  app.post("/pg/chat/completions", async (c, next) => {
    try {
      return await userAuth(c, next);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return errorResponse(
        "openai_chat",
        new RelayError(e.status, e.message, { code: "unauthorized" }),
        newRequestId(),
      );
    }
  }, (c) => handleRelay(deps, c, playground));

  return app;
}
