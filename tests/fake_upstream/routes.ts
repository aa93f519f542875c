/** The fake upstream's route table: path pattern → dialect, auth style, handler. */

import { claudeModels, countMessageTokens, messages } from "./anthropic.ts";
import type { CallContext } from "./context.ts";
import type { Dialect } from "./errors.ts";
import {
  batchEmbedContents,
  countGeminiTokens,
  embedContent,
  generateContent,
  getModel,
  listModels,
  predict,
} from "./gemini.ts";
import { chatCompletions, completions } from "./openai_chat.ts";
import {
  audioSpeech,
  audioTranscription,
  embeddings,
  imageEdits,
  imageGenerations,
  imageVariations,
  model,
  models,
  moderations,
  rerank,
} from "./openai_misc.ts";
import { responses } from "./openai_responses.ts";
import { alphaSearch, edits, responsesCompact } from "./openai_codex.ts";

export type AuthStyle = "openai" | "azure" | "anthropic" | "gemini";

export interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  dialect: Dialect;
  auth: AuthStyle;
  /** JSON bodies are parsed (400 on bad JSON); multipart/binary ones are left to the handler. */
  json: boolean;
  handle(ctx: CallContext): Response | Promise<Response>;
}

const OPENAI_POST: [string, (ctx: CallContext) => Response | Promise<Response>, boolean][] = [
  ["chat/completions", chatCompletions, true],
  ["completions", completions, true],
  ["embeddings", embeddings, true],
  ["moderations", moderations, true],
  ["images/generations", imageGenerations, true],
  ["images/edits", imageEdits, false],
  ["images/variations", imageVariations, false],
  ["audio/speech", audioSpeech, true],
  ["audio/transcriptions", (ctx) => audioTranscription(ctx, "transcribe"), false],
  ["audio/translations", (ctx) => audioTranscription(ctx, "translate"), false],
  ["rerank", rerank, true],
  ["responses", responses, true],
  ["responses/compact", responsesCompact, true],
  ["alpha/search", alphaSearch, true],
  ["edits", edits, true],
];

const GEMINI_METHODS: Record<string, (ctx: CallContext) => Response> = {
  generateContent: (ctx) => generateContent(ctx, false),
  streamGenerateContent: (ctx) => generateContent(ctx, true),
  countTokens: countGeminiTokens,
  embedContent,
  batchEmbedContents,
  predict,
};

export const ROUTES: Route[] = [
  ...OPENAI_POST.map(([path, handle, json]): Route => ({
    method: "POST",
    pattern: new RegExp(`^/v1/${path}$`),
    dialect: "openai",
    auth: "openai",
    json,
    handle,
  })),
  // Azure: the deployment names the model; `api-version` is required.
  ...OPENAI_POST.map(([path, handle, json]): Route => ({
    method: "POST",
    pattern: new RegExp(`^/openai/deployments/(?<deployment>[^/]+)/${path}$`),
    dialect: "openai",
    auth: "azure",
    json,
    handle,
  })),
  // Cohere's OpenAI-compatible API.
  {
    method: "POST",
    pattern: /^\/compatibility\/v1\/chat\/completions$/,
    dialect: "openai",
    auth: "openai",
    json: true,
    handle: chatCompletions,
  },
  // Azure's v1 API (Responses): `/openai/v1/...` with the key in `api-key`.
  ...OPENAI_POST.map(([path, handle, json]): Route => ({
    method: "POST",
    pattern: new RegExp(`^/openai/v1/${path}$`),
    dialect: "openai",
    auth: "azure",
    json,
    handle,
  })),
  {
    method: "POST",
    pattern: /^\/v1\/messages$/,
    dialect: "anthropic",
    auth: "anthropic",
    json: true,
    handle: messages,
  },
  {
    method: "POST",
    pattern: /^\/v1\/messages\/count_tokens$/,
    dialect: "anthropic",
    auth: "anthropic",
    json: true,
    handle: countMessageTokens,
  },
  {
    method: "POST",
    pattern: /^\/v1(?:beta|alpha)?\/(?:models|tunedModels)\/(?<model>[^/:]+):(?<method>[A-Za-z]+)$/,
    dialect: "gemini",
    auth: "gemini",
    json: true,
    handle: (ctx) => {
      const handler = GEMINI_METHODS[ctx.params.method];
      return handler
        ? handler(ctx)
        : new Response(JSON.stringify({ error: { code: 404, message: "Not found", status: "NOT_FOUND" } }), {
          status: 404,
          headers: { "content-type": "application/json" },
        });
    },
  },
  // Providers' OpenAI- and Anthropic-compatible mounts: Ali DashScope's `compatible-mode/v1` and its
  // Messages proxy, MiniMax's chat v2 path and `/anthropic/v1/messages`.
  ...OPENAI_POST.map(([path, handle, json]): Route => ({
    method: "POST",
    pattern: new RegExp(`^/compatible-mode/v1/${path}$`),
    dialect: "openai",
    auth: "openai",
    json,
    handle,
  })),
  {
    method: "POST",
    pattern: /^\/v1\/text\/chatcompletion_v2$/,
    dialect: "openai",
    auth: "openai",
    json: true,
    handle: chatCompletions,
  },
  ...[/^\/api\/v2\/apps\/claude-code-proxy\/v1\/messages$/, /^\/anthropic\/v1\/messages$/].map((
    pattern,
  ): Route => ({
    method: "POST",
    pattern,
    dialect: "anthropic",
    auth: "anthropic",
    json: true,
    handle: messages,
  })),
  // GET /v1/models is OpenAI's list unless the caller authenticates the Gemini way.
  {
    method: "GET",
    pattern: /^\/v1(?:beta|alpha)?\/models$/,
    dialect: "gemini",
    auth: "gemini",
    json: false,
    handle: listModels,
  },
  {
    method: "GET",
    pattern: /^\/v1(?:beta|alpha)?\/models\/(?<model>[^/:]+)$/,
    dialect: "gemini",
    auth: "gemini",
    json: false,
    handle: getModel,
  },
  // ... and Anthropic's when the caller sends `x-api-key`.
  {
    method: "GET",
    pattern: /^\/v1\/models$/,
    dialect: "anthropic",
    auth: "anthropic",
    json: false,
    handle: claudeModels,
  },
  {
    method: "GET",
    pattern: /^\/v1\/models$/,
    dialect: "openai",
    auth: "openai",
    json: false,
    handle: models,
  },
  {
    method: "GET",
    pattern: /^\/v1\/models\/(?<model>[^/]+)$/,
    dialect: "openai",
    auth: "openai",
    json: false,
    handle: model,
  },
];

/**
 * Finds the route; Gemini GET routes only match when the request carries a Gemini-style key, Anthropic's
 * model list only with `x-api-key`.
 */
export function matchRoute(
  method: string,
  url: URL,
  headers: Headers,
): { route: Route; params: Record<string, string> } | undefined {
  const geminiAuth = headers.has("x-goog-api-key") || url.searchParams.has("key");
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    if (method === "GET" && route.auth === "gemini" && !geminiAuth && url.pathname.startsWith("/v1/")) {
      continue;
    }
    if (method === "GET" && route.auth === "anthropic" && !headers.has("x-api-key")) continue;
    const m = route.pattern.exec(url.pathname);
    if (m) return { route, params: { ...(m.groups ?? {}) } };
  }
  return undefined;
}

/** The caller's key as each provider expects it. */
export function callerKey(auth: AuthStyle, url: URL, headers: Headers): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  switch (auth) {
    case "openai":
      return bearer;
    case "azure":
      return headers.get("api-key") ?? undefined;
    case "anthropic":
      return headers.get("x-api-key") ?? bearer;
    case "gemini":
      return headers.get("x-goog-api-key") ?? url.searchParams.get("key") ?? undefined;
  }
}
