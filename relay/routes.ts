/**
 * Mounts the OpenAI-compatible relay: the model list, every endpoint of `endpoints.ts` behind API key
 * auth, the console playground (`/pg/chat/completions`, session auth, billed without a token) and New
 * API's 501s for what it does not implement. Unknown `/v1/*` paths fall to the app's OpenAI-shaped 404.
 */
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import type { AppDeps } from "../server/deps.ts";
import { type AuthEnv, requireUser } from "../auth/middleware.ts";
import { ApiError } from "../routes/api/errors.ts";
import { RelayError } from "./formats/errors.ts";
import { endpoint, ENDPOINTS } from "./endpoints.ts";
import { handleRelay, type RelayEntry } from "./pipeline/run.ts";
import { authenticateKey, enabledUser, groupUsable, presentedKey } from "./pipeline/key_auth.ts";
import { errorResponse, forbidden, REQUEST_ID_HEADER, toRelayError } from "./pipeline/errors.ts";
import { newRequestId } from "./pipeline/request_id.ts";
import { editTopLevel } from "./pipeline/json_edit.ts";
import { visibleModels } from "./models.ts";

function keyCaller(deps: AppDeps, c: Context) {
  const url = new URL(c.req.url);
  return authenticateKey(
    deps.catalog,
    deps.secrets.cryptoSecret,
    presentedKey(url.pathname, c.req.raw.headers, url),
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

export function relayRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use("/v1/*", cors({ origin: "*", allowHeaders: [], exposeHeaders: [REQUEST_ID_HEADER] }));

  /** Runs `fn` with the key's caller, answering auth failures in OpenAI's shape. */
  const withKey =
    (fn: (c: Context, caller: ReturnType<typeof keyCaller>, id: string) => Response) => (c: Context) => {
      const id = newRequestId();
      try {
        const res = fn(c, keyCaller(deps, c), id);
        res.headers.set(REQUEST_ID_HEADER, id);
        return res;
      } catch (e) {
        return errorResponse("openai_chat", toRelayError(e), id);
      }
    };

  app.get(
    "/v1/models",
    withKey((c, caller) =>
      c.json({ object: "list", data: visibleModels(deps.catalog, caller), success: true })
    ),
  );
  app.get(
    "/v1/models/:model{.+}",
    withKey((c, caller, id) => {
      const name = c.req.param("model");
      const found = visibleModels(deps.catalog, caller).find((m) => m.id === name);
      if (found) return c.json(found);
      const err = new RelayError(404, `The model '${name}' does not exist`, {
        code: "model_not_found",
        param: "model",
      });
      return errorResponse("openai_chat", err, id);
    }),
  );
  app.delete("/v1/models/:model{.+}", notImplemented);
  app.post("/v1/images/variations", notImplemented);
  app.all("/v1/files", notImplemented);
  app.all("/v1/files/*", notImplemented);
  app.all("/v1/fine-tunes", notImplemented);
  app.all("/v1/fine-tunes/*", notImplemented);

  for (const ep of ENDPOINTS) {
    const entry: RelayEntry = { endpoint: ep, authenticate: (_ctx, c) => keyCaller(deps, c) };
    app.post(ep.path, (c) => handleRelay(deps, c, entry));
  }

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
