/**
 * A fake Dify chat app: `POST /v1/chat-messages` with the app key as a bearer token, `blocking` (one JSON
 * answer) or `streaming` (SSE `data:` events: message pieces, a ping, message_end with the usage), errors as
 * Dify sends them (`{code, message, status}`); answers from the shared generator, the prompt being the last
 * `USER:` section of the query. `[fake:stream_error]` sends an `error` event after the first piece.
 */
import { countTokens } from "./content.ts";
import { parseDirectives } from "./faults.ts";
import { generate } from "./generate.ts";
import { RecordedRequest } from "./recording.ts";

export interface FakeDify extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  close(): Promise<void>;
}

const difyError = (status: number, code: string, message: string) =>
  Response.json({ code, message, status }, { status });

export function startFakeDify(opts: { key: string }): Promise<FakeDify> {
  const requests: RecordedRequest[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.bytes();
    requests.push(
      new RecordedRequest(requests.length + 1, req.method, url, req.headers, body, performance.now()),
    );
    if (req.headers.get("authorization") !== `Bearer ${opts.key}`) {
      return difyError(401, "unauthorized", "Access token is invalid");
    }
    if (req.method !== "POST" || url.pathname !== "/v1/chat-messages") {
      return difyError(404, "not_found", "Not found");
    }
    // deno-lint-ignore no-explicit-any
    let json: any;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return difyError(400, "invalid_param", "body is not JSON");
    }
    if (typeof json.query !== "string" || !json.query || typeof json.user !== "string") {
      return difyError(400, "invalid_param", "query and user are required");
    }
    const prompt = (json.query.split("USER: \n").at(-1) ?? "").trim();
    const directives = json.query.includes("[fake:")
      ? parseDirectives(json.query)
      : new Map<string, string>();
    const g = generate({
      prompt,
      promptTokens: countTokens(json.query),
      tools: [],
      toolChoiceNone: true,
      lastIsToolResult: false,
      reasoning: false,
      chunks: 8,
      directives,
    });
    const usage = {
      prompt_tokens: g.usage.input,
      completion_tokens: g.usage.output,
      total_tokens: g.usage.input + g.usage.output,
    };
    const ids = {
      message_id: `msg-${g.hex.slice(0, 12)}`,
      conversation_id: `conv-${g.hex.slice(0, 8)}`,
      task_id: "task-1",
    };
    if (json.response_mode !== "streaming") {
      return Response.json({
        event: "message",
        ...ids,
        mode: "chat",
        answer: g.text,
        metadata: { usage },
        created_at: 1760000000,
      });
    }
    // A chatflow's run as Dify streams it: workflow and node events around the LLM node's messages.
    const run = { workflow_id: "wf-fake-1", id: "run-fake-1" };
    const node = (event: string, node_type: string, status?: string) => ({
      event,
      ...ids,
      data: { node_id: `${node_type}-1`, node_type, title: node_type, ...(status ? { status } : {}) },
    });
    const events: unknown[] = [
      { event: "workflow_started", ...ids, data: { ...run, sequence_number: 1 } },
      node("node_started", "start"),
      node("node_finished", "start", "succeeded"),
      node("node_started", "llm"),
    ];
    for (const answer of g.textPieces) {
      events.push({ event: "message", ...ids, answer, created_at: 1760000000 });
      if (directives.has("stream_error")) {
        events.push({ event: "error", ...ids, status: 500, code: "internal_error", message: "fake failure" });
        break;
      }
    }
    if (!directives.has("stream_error")) {
      events.push(node("node_finished", "llm", "succeeded"));
      events.push({ event: "workflow_finished", ...ids, data: { ...run, status: "succeeded" } });
      events.push({ event: "message_end", ...ids, metadata: { usage } });
    }
    const text = events.map((e, i) => `${i === 1 ? "event: ping\n\n" : ""}data: ${JSON.stringify(e)}\n\n`)
      .join("");
    return new Response(text, { headers: { "content-type": "text/event-stream" } });
  });
  const fake: FakeDify = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    lastRequest: () => requests.at(-1),
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return Promise.resolve(fake);
}
