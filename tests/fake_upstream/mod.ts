/**
 * A fake LLM upstream for tests and the benchmark: a real HTTP server on a loopback port that speaks
 * OpenAI (incl. Azure paths and Responses), Anthropic Messages and Gemini, answers deterministically from
 * the request, injects faults on demand and records every request. See `docs/architecture.md`.
 */

import type { CallContext, FakeSettings } from "./context.ts";
import { defaultErrorMessage, type Dialect, errorResponse } from "./errors.ts";
import {
  type Fault,
  faultFromDirectives,
  faultFromModel,
  parseDirectives,
  parseFaultHeader,
  type ScriptedFault,
  scriptMatches,
} from "./faults.ts";
import { RecordedRequest } from "./recording.ts";
import { keyEcho } from "./key_echo.ts";
import { type AuthStyle, callerKey, matchRoute } from "./routes.ts";
import { sleep } from "./sse_response.ts";
import { newRealtimeState, type RealtimeFakeState, realtimeRoute, realtimeSession } from "./realtime.ts";

export type { Fault, ScriptedFault } from "./faults.ts";
export type { FakeSettings } from "./context.ts";
export type { RealtimeFakeState } from "./realtime.ts";
export { RecordedRequest } from "./recording.ts";

export interface FakeUpstreamOptions extends Partial<FakeSettings> {
  port?: number;
  hostname?: string;
  /** Accepted API keys; any other key gets the provider's 401 (by default every key is accepted). */
  keys?: string[];
  /** Keep every request in `requests` (default true; the benchmark turns it off). */
  record?: boolean;
  /** Serve HTTPS with this PEM certificate and key (`tests/fixtures/tls/` has one for 127.0.0.1). */
  tls?: { cert: string; key: string };
}

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>` (the listening host; `https://` with `tls`) */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order (when recording). */
  readonly requests: RecordedRequest[];
  /** Requests received, counted even when not recording. */
  readonly requestCount: number;
  /** Live settings: change them between requests. */
  readonly settings: FakeSettings;
  /** The realtime WebSocket sessions (`realtime.ts`). */
  readonly realtime: RealtimeFakeState;
  /** Queues faults for the next matching requests, consumed in order. */
  script(...faults: ScriptedFault[]): void;
  /** Every request made with `key` gets `fault` (until set to undefined). */
  setKeyFault(key: string, fault: Fault | undefined): void;
  /** Recorded requests whose path ends with `path`. */
  requestsTo(path: string): RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Forgets recorded requests and scripted/key faults. */
  reset(): void;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_MODELS = [
  "gpt-4o-mini",
  "gpt-4.1",
  "o4-mini",
  "text-embedding-3-small",
  "claude-sonnet-4-6",
  "gemini-2.5-flash",
  "gemini-embedding-001",
];

export function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const settings: FakeSettings = {
    latencyMs: options.latencyMs ?? 0,
    jitterMs: options.jitterMs ?? 0,
    chunks: options.chunks ?? 5,
    chunkIntervalMs: options.chunkIntervalMs ?? 0,
    embeddingDimensions: options.embeddingDimensions ?? 16,
    models: options.models ?? DEFAULT_MODELS,
  };
  const recordAll = options.record ?? true;
  const keys = options.keys ? new Set(options.keys) : undefined;
  const requests: RecordedRequest[] = [];
  let scripted: ScriptedFault[] = [];
  const keyFaults = new Map<string, Fault>();
  const closing = new AbortController();
  let count = 0;
  let waiters: (() => void)[] = [];
  const realtime = newRealtimeState();

  const takeScripted = (path: string): Fault => {
    const i = scripted.findIndex((s) => scriptMatches(s, path));
    if (i < 0) return {};
    const entry = scripted[i];
    const times = (entry.times ?? 1) - 1;
    if (times <= 0) scripted.splice(i, 1);
    else scripted[i] = { ...entry, times };
    const { path: _p, times: _t, ...fault } = entry;
    return fault;
  };

  const control = async (req: Request, url: URL): Promise<Response> => {
    if (url.pathname === "/__fake/requests") return Response.json(requests.map((r) => r.toJSON()));
    if (url.pathname === "/__fake/reset") {
      fake.reset();
      return Response.json({ ok: true });
    }
    if (url.pathname === "/__fake/script" && req.method === "POST") {
      const body = await req.json();
      fake.script(...(Array.isArray(body) ? body : [body]));
      return Response.json({ ok: true });
    }
    return Response.json({ ok: true, requests: count });
  };

  const handle = async (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Promise<Response> => {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/__fake/")) return await control(req, url);
    const rt = realtimeRoute(url);
    if (rt && req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      count++;
      const key = callerKey(rt, url, req.headers);
      if (!key || (keys && !keys.has(key))) {
        return errorResponse("openai", 401, defaultErrorMessage(401, key));
      }
      if (rt === "azure" && !url.searchParams.get("api-version")) {
        return errorResponse("openai", 404, "Resource not found");
      }
      return realtimeSession(req, url, realtime);
    }
    const body = await req.bytes();
    count++;
    const record = recordAll
      ? new RecordedRequest(count, req.method, url, req.headers, body, performance.now())
      : undefined;
    if (record) {
      record.remotePort = info.remoteAddr.port;
      requests.push(record);
    }
    for (const wake of waiters) wake();
    const clientGone = new AbortController();
    req.signal.addEventListener("abort", () => {
      record?.markClientClosed();
      clientGone.abort();
    }, { once: true });
    const response = await answer(req, url, body, record, clientGone.signal);
    if (record) {
      record.status = response.status;
      record.respondedAt = performance.now();
      if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
        record.finishedAt = record.respondedAt;
      }
    }
    return response;
  };

  const answer = async (
    req: Request,
    url: URL,
    body: Uint8Array<ArrayBuffer>,
    record: RecordedRequest | undefined,
    clientGone: AbortSignal,
  ): Promise<Response> => {
    const found = matchRoute(req.method, url, req.headers);
    if (!found) {
      return errorResponse("openai", 404, `Unknown path ${req.method} ${url.pathname} (fake upstream).`);
    }
    const { route, params } = found;
    const key = callerKey(route.auth, url, req.headers);
    const authProblem = checkAuth(route.auth, route.dialect, key, keys, url, req.headers);
    if (authProblem) return authProblem;

    let json: unknown;
    if (route.json && body.length > 0) {
      try {
        json = JSON.parse(new TextDecoder().decode(body));
      } catch {
        return errorResponse(route.dialect, 400, "We could not parse the JSON body of your request.");
      }
    }
    if (params.deployment && json && typeof json === "object") {
      (json as Record<string, unknown>).model ||= params.deployment;
    }
    const text = body.length > 0 && body.length < 4 << 20 ? new TextDecoder().decode(body) : "";
    const directives = text.includes("[fake:") ? parseDirectives(text) : new Map<string, string>();
    const modelName = params.model ?? params.deployment ?? (json as { model?: string } | undefined)?.model;
    const fault: Fault = {
      ...faultFromModel(typeof modelName === "string" ? modelName : undefined),
      ...faultFromDirectives(directives),
      ...parseFaultHeader(req.headers.get("x-fake-fault")),
      ...(key ? keyFaults.get(key) : undefined),
      ...takeScripted(url.pathname),
    };
    if (fault.echoKey && key) fault.message ??= keyEcho(fault.echoKey, key);
    if (record) record.fault = fault;

    const delay = (fault.latencyMs ?? settings.latencyMs) + Math.random() * settings.jitterMs +
      (fault.headerDelayMs ?? 0);
    const stop = AbortSignal.any([clientGone, closing.signal]);
    if (delay > 0 && !(await sleep(delay, stop))) return gone();
    if (fault.hang) {
      await sleep(2 ** 31 - 1, stop);
      return gone();
    }
    if (fault.status !== undefined && fault.status >= 400) {
      const retryAfter = fault.retryAfter ?? (fault.status === 429 ? "1" : undefined);
      return errorResponse(
        route.dialect,
        fault.status,
        fault.message ?? defaultErrorMessage(fault.status, key),
        retryAfter,
      );
    }
    const ctx: CallContext = {
      req,
      url,
      params,
      body,
      json,
      fault,
      directives,
      settings,
      record,
      serverClosing: closing.signal,
    };
    return await route.handle(ctx);
  };

  const server = Deno.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    ...(options.tls ?? {}),
    onListen() {},
    onError(err) {
      return errorResponse("openai", 500, `fake upstream crashed: ${(err as Error)?.stack ?? err}`);
    },
  }, handle);
  const port = server.addr.port;

  const fake: FakeUpstream = {
    url: `${options.tls ? "https" : "http"}://${urlHost(options.hostname)}:${port}`,
    port,
    requests,
    get requestCount() {
      return count;
    },
    settings,
    realtime,
    script(...faults) {
      scripted.push(...faults);
    },
    setKeyFault(key, fault) {
      if (fault) keyFaults.set(key, fault);
      else keyFaults.delete(key);
    },
    requestsTo(path) {
      return requests.filter((r) => r.path.endsWith(path));
    },
    lastRequest() {
      return requests[requests.length - 1];
    },
    async waitForRequests(n, timeoutMs = 2000) {
      const deadline = performance.now() + timeoutMs;
      while (count < n) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`fake upstream saw ${count} requests, expected ${n}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, left);
          function done() {
            clearTimeout(timer);
            waiters = waiters.filter((w) => w !== done);
            resolve();
          }
          waiters.push(done);
        });
      }
    },
    reset() {
      requests.length = 0;
      scripted = [];
      keyFaults.clear();
    },
    async close() {
      closing.abort();
      await server.shutdown();
    },
    [Symbol.asyncDispose]() {
      return fake.close();
    },
  };
  return Promise.resolve(fake);
}

function urlHost(hostname = "127.0.0.1"): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/** A response nobody will read: the client left or the server is closing. */
function gone(): Response {
  return new Response(null, { status: 499 });
}

function checkAuth(
  auth: AuthStyle,
  dialect: Dialect,
  key: string | undefined,
  keys: Set<string> | undefined,
  url: URL,
  headers: Headers,
): Response | undefined {
  if (auth === "azure" && !url.searchParams.get("api-version")) {
    return errorResponse("openai", 404, "Resource not found");
  }
  if (!key) {
    switch (dialect) {
      case "anthropic":
        return errorResponse("anthropic", 401, "x-api-key header is required");
      case "gemini":
        return errorResponse(
          "gemini",
          403,
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        );
      default:
        return errorResponse(
          "openai",
          401,
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        );
    }
  }
  if (dialect === "anthropic" && !headers.get("anthropic-version")) {
    return errorResponse("anthropic", 400, "anthropic-version: header is required");
  }
  if (keys && !keys.has(key)) {
    return dialect === "gemini"
      ? errorResponse("gemini", 400, "API key not valid. Please pass a valid API key.")
      : errorResponse(dialect, 401, defaultErrorMessage(401, key));
  }
  return undefined;
}
