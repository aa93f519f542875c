/**
 * A fake Cohere API: `POST /v2/chat` (JSON, or SSE with Cohere's named events when `stream` is true),
 * `POST /v2/rerank`, `GET /v1/models`, bearer keys, errors as Cohere sends them (`{"id", "message"}`),
 * answers from the shared generator (`generate.ts`), so the same question gets the same words as from the
 * other fakes. Directives: `[fake:calls=N]`, `[fake:cache_read=N]`, `[fake:reasoning]` (a tool plan or
 * thinking), `[fake:stream_error]` (an error event after the first delta). A model named `fault-<status>`
 * answers that status.
 */
import { allText, countTokens, splitInTwo } from "./content.ts";
import { parseDirectives } from "./faults.ts";
import { generate } from "./generate.ts";
import { RecordedRequest } from "./recording.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

export interface FakeCohere extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  close(): Promise<void>;
}

const FINISH = { stop: "COMPLETE", length: "MAX_TOKENS", tool_calls: "TOOL_CALL" } as const;

function cohereError(status: number, message: string): Response {
  return Response.json({ id: crypto.randomUUID(), message }, { status });
}

function userText(content: Json): string {
  if (typeof content === "string") return content;
  return (Array.isArray(content) ? content : []).map((c: Json) => c?.type === "text" ? c.text : "").join(" ");
}

function chat(body: Json, directives: Map<string, string>): Response {
  if (typeof body?.model !== "string") return cohereError(400, "invalid request: model must be a string");
  if (!Array.isArray(body.messages) || !body.messages.length) {
    return cohereError(400, "invalid request: messages must be a non-empty list");
  }
  if (body.safety_mode !== undefined && !["CONTEXTUAL", "STRICT", "OFF"].includes(body.safety_mode)) {
    return cohereError(400, "invalid request: safety_mode must be one of CONTEXTUAL, STRICT, OFF");
  }
  const msgs: Json[] = body.messages;
  const lastUser = [...msgs].reverse().find((m) => m?.role === "user");
  const tools = (body.tools ?? []).map((t: Json) => ({
    name: t.function?.name,
    schema: t.function?.parameters,
  }));
  const g = generate({
    prompt: userText(lastUser?.content),
    promptTokens: countTokens(allText([msgs, body.tools ?? []])),
    tools,
    toolChoiceNone: body.tool_choice === "NONE",
    lastIsToolResult: msgs.at(-1)?.role === "tool",
    reasoning: body.thinking?.type === "enabled",
    maxTokens: body.max_tokens,
    chunks: 8,
    directives,
  });
  const id = `${g.hex.slice(0, 8)}-cohere`;
  const usage = {
    billed_units: { input_tokens: g.usage.input - g.usage.cacheRead, output_tokens: g.usage.output },
    tokens: { input_tokens: g.usage.input, output_tokens: g.usage.output },
    cached_tokens: g.usage.cacheRead,
  };
  const calls = g.toolCalls.map((c) => ({
    id: `call_${c.id}`,
    type: "function",
    function: { name: c.name, arguments: c.argsJson },
  }));
  const plan = g.reasoningText;
  if (!body.stream) {
    const content: Json[] = [];
    if (plan && !calls.length) content.push({ type: "thinking", thinking: plan });
    if (!calls.length) content.push({ type: "text", text: g.text });
    return Response.json({
      id,
      finish_reason: FINISH[g.finish],
      message: {
        role: "assistant",
        content,
        ...(calls.length ? { tool_calls: calls, ...(plan ? { tool_plan: plan } : {}) } : {}),
      },
      usage,
    });
  }
  const events: [string, Json][] = [];
  const ev = (type: string, fields: Json) => events.push([type, { type, ...fields }]);
  ev("message-start", {
    id,
    delta: { message: { role: "assistant", content: [], tool_plan: "", tool_calls: [] } },
  });
  let broke = false;
  if (calls.length) {
    for (const piece of g.reasoningPieces) {
      ev("tool-plan-delta", { delta: { message: { tool_plan: piece } } });
    }
    calls.forEach((c, index) => {
      ev("tool-call-start", {
        index,
        delta: { message: { tool_calls: { ...c, function: { name: c.function.name, arguments: "" } } } },
      });
      for (const arguments_ of splitInTwo(c.function.arguments)) {
        ev("tool-call-delta", {
          index,
          delta: { message: { tool_calls: { function: { arguments: arguments_ } } } },
        });
      }
      ev("tool-call-end", { index });
    });
  } else {
    let index = 0;
    if (g.reasoningPieces.length) {
      ev("content-start", { index, delta: { message: { content: { type: "thinking", thinking: "" } } } });
      for (const thinking of g.reasoningPieces) {
        ev("content-delta", { index, delta: { message: { content: { thinking } } } });
      }
      ev("content-end", { index: index++ });
    }
    ev("content-start", { index, delta: { message: { content: { type: "text", text: "" } } } });
    for (const text of g.textPieces) {
      ev("content-delta", { index, delta: { message: { content: { text } } } });
      if (directives.has("stream_error")) {
        events.push(["error", { type: "error", message: "internal server error (fake)" }]);
        broke = true;
        break;
      }
    }
    if (!broke) ev("content-end", { index });
  }
  if (!broke) ev("message-end", { delta: { finish_reason: FINISH[g.finish], usage } });
  const text = events.map(([type, data]) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`).join("");
  return new Response(text, { headers: { "content-type": "text/event-stream" } });
}

export function startFakeCohere(opts: { key: string; models?: string[] }): Promise<FakeCohere> {
  const requests: RecordedRequest[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.bytes();
    const record = new RecordedRequest(
      requests.length + 1,
      req.method,
      url,
      req.headers,
      body,
      performance.now(),
    );
    requests.push(record);
    if (req.headers.get("authorization") !== `Bearer ${opts.key}`) {
      return cohereError(401, "invalid api token");
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return Response.json({
        models: (opts.models ?? ["command-a-03-2025"]).map((name) => ({ name, endpoints: ["chat"] })),
      });
    }
    let json: Json;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return cohereError(400, "invalid request: could not parse the body");
    }
    const fault = /^fault-(\d{3})$/.exec(String(json?.model));
    if (fault) return cohereError(Number(fault[1]), `fake ${fault[1]} from Cohere`);
    if (req.method === "POST" && url.pathname === "/v2/chat") {
      const text = new TextDecoder().decode(body);
      return chat(json, text.includes("[fake:") ? parseDirectives(text) : new Map());
    }
    if (req.method === "POST" && url.pathname === "/v2/rerank") {
      const docs: string[] = Array.isArray(json.documents) ? json.documents : [];
      const results = docs.map((d, index) => ({
        index,
        relevance_score: 1 / (1 + Math.abs(d.length - String(json.query).length)),
      }))
        .sort((a, b) => b.relevance_score - a.relevance_score).slice(0, json.top_n ?? docs.length);
      return Response.json({ id: crypto.randomUUID(), results, meta: { billed_units: { search_units: 1 } } });
    }
    return cohereError(404, `no route for ${req.method} ${url.pathname}`);
  });
  const fake: FakeCohere = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    lastRequest: () => requests.at(-1),
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return Promise.resolve(fake);
}
