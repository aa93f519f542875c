/**
 * Gemini's native routes: `POST /v1beta/models/{model}:{action}` and the same under `/v1/models/` (New
 * API serves both; `@google/genai` calls `/v1/...` by default), where the model is the path before the
 * `:` and the action picks the endpoint (`generateContent`, `streamGenerateContent` with `?alt=sse` for
 * SSE or else one JSON array, `countTokens`, `embedContent`, `batchEmbedContents`); and Gemini's model
 * list (`GET /v1beta/models[/{model}]`). Claude's `/v1/messages` routes are plain endpoint entries.
 */
import type { Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import type { AuthEnv } from "../../auth/middleware.ts";
import { geminiEndpoint } from "../endpoints.ts";
import { RelayError } from "../formats/errors.ts";
import { handleRelay, type RelayEntry } from "../pipeline/run.ts";
import type { Caller } from "../pipeline/key_auth.ts";
import { errorResponse } from "../pipeline/errors.ts";
import { newRequestId } from "../pipeline/request_id.ts";
import { geminiModel, geminiModelList, visibleModels } from "../models.ts";
import { handleCountTokens } from "./count_tokens.ts";

type KeyCaller = (c: Context) => Caller;
type WithKey = (fn: (c: Context, caller: Caller, id: string) => Response) => (c: Context) => Response;

function notFound(message: string, id = newRequestId()): Response {
  return errorResponse("gemini", new RelayError(404, message, { code: "not_found" }), id);
}

/** `models/{model}:{action}` after the version prefix, or undefined when the path is not one. */
function parseModelAction(pathname: string): { model: string; action: string } | undefined {
  const rest = pathname.replace(/^\/v1(beta)?\/models\//, "");
  const at = rest.lastIndexOf(":");
  if (at <= 0 || rest.includes("/")) return undefined;
  try {
    return { model: decodeURIComponent(rest.slice(0, at)), action: rest.slice(at + 1) };
  } catch {
    return undefined;
  }
}

export function mountGeminiRoutes(
  app: Hono<AuthEnv>,
  deps: AppDeps,
  keyCaller: KeyCaller,
  withKey: (dialect: "gemini") => WithKey,
): void {
  const generate = (c: Context) => {
    const url = new URL(c.req.url);
    const target = parseModelAction(url.pathname);
    if (!target) return notFound(`Invalid URL (POST ${url.pathname}): expected models/{model}:{method}`);
    const ep = geminiEndpoint(target.action);
    if (!ep) return notFound(`Method ${target.action} is not supported on models/${target.model}`);
    const stream = target.action === "streamGenerateContent";
    const entry: RelayEntry = {
      endpoint: ep,
      authenticate: (_ctx, c) => keyCaller(c),
      context: () => ({ model: target.model, stream }),
      framing: () => (stream && url.searchParams.get("alt") !== "sse" ? "json_array" : "sse"),
    };
    return ep.countOnly ? handleCountTokens(deps, c, entry) : handleRelay(deps, c, entry);
  };
  app.post("/v1beta/models/*", generate);
  app.post("/v1/models/*", generate);

  const gemini = withKey("gemini");
  app.get(
    "/v1beta/models",
    gemini((c, caller) => c.json(geminiModelList(visibleModels(deps.catalog, caller)))),
  );
  app.get(
    "/v1beta/models/:model{.+}",
    gemini((c, caller, id) => {
      const name = (c.req.param("model") ?? "").replace(/^models\//, "");
      const found = visibleModels(deps.catalog, caller).find((m) => m.id === name);
      return found ? c.json(geminiModel(found)) : notFound(`models/${name} is not found`, id);
    }),
  );
}
