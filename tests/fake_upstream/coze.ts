/**
 * A fake Coze v3 chat: `POST /v3/chat` with a bearer token and a known `bot_id`, streamed (SSE with Coze's
 * event names: conversation.chat.created, conversation.message.delta pieces, conversation.message.completed,
 * conversation.chat.completed with the usage, done). A non-stream request answers `in_progress` without the
 * reply, as Coze does (a client must poll); errors are `{code, msg}` with HTTP 200. Words from the shared
 * generator (the last user message is the prompt). `[fake:stream_error]` ends with conversation.chat.failed.
 */
import { countTokens } from "./content.ts";
import { parseDirectives } from "./faults.ts";
import { generate } from "./generate.ts";
import { RecordedRequest } from "./recording.ts";

export interface FakeCoze extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  close(): Promise<void>;
}

export function startFakeCoze(opts: { token: string; botId: string }): Promise<FakeCoze> {
  const requests: RecordedRequest[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.bytes();
    requests.push(
      new RecordedRequest(requests.length + 1, req.method, url, req.headers, body, performance.now()),
    );
    if (req.headers.get("authorization") !== `Bearer ${opts.token}`) {
      return Response.json({ code: 4100, msg: "authentication is invalid" });
    }
    if (req.method !== "POST" || url.pathname !== "/v3/chat") {
      return Response.json({ code: 4000, msg: "not found" });
    }
    // deno-lint-ignore no-explicit-any
    const json: any = JSON.parse(new TextDecoder().decode(body));
    if (json.bot_id !== opts.botId) return Response.json({ code: 4200, msg: "bot not found" });
    const msgs = Array.isArray(json.additional_messages) ? json.additional_messages : [];
    const chat = { id: "chat-1", conversation_id: "conv-1", bot_id: json.bot_id, created_at: 1760000000 };
    if (!json.stream) return Response.json({ code: 0, msg: "", data: { ...chat, status: "in_progress" } });
    const prompt = String(
      [...msgs].reverse().find((m: { role: string }) => m.role === "user")?.content ?? "",
    );
    const g = generate({
      prompt,
      promptTokens: countTokens(msgs.map((m: { content: string }) => m.content).join(" ")),
      tools: [],
      toolChoiceNone: true,
      lastIsToolResult: false,
      reasoning: false,
      chunks: 8,
      directives: prompt.includes("[fake:") ? parseDirectives(prompt) : new Map(),
    });
    const usage = {
      token_count: g.usage.input + g.usage.output,
      output_count: g.usage.output,
      input_count: g.usage.input,
    };
    const ev: [string, unknown][] = [["conversation.chat.created", { ...chat, status: "created" }], [
      "conversation.chat.in_progress",
      { ...chat, status: "in_progress" },
    ]];
    const msg = {
      id: "msg-1",
      conversation_id: "conv-1",
      bot_id: json.bot_id,
      chat_id: "chat-1",
      role: "assistant",
      type: "answer",
      content_type: "text",
    };
    for (const content of g.textPieces) ev.push(["conversation.message.delta", { ...msg, content }]);
    if (prompt.includes("[fake:stream_error]")) {
      ev.push(["conversation.chat.failed", {
        ...chat,
        status: "failed",
        last_error: { code: 5000, msg: "fake failure" },
      }]);
    } else {
      ev.push(["conversation.message.completed", { ...msg, content: g.text }]);
      ev.push(["conversation.message.completed", {
        ...msg,
        type: "verbose",
        content: '{"msg_type":"generate_answer_finish"}',
      }]);
      ev.push(["conversation.chat.completed", { ...chat, status: "completed", usage }]);
      ev.push(["done", '"[DONE]"']);
    }
    const text = ev.map(([e, d]) => `event:${e}\ndata:${typeof d === "string" ? d : JSON.stringify(d)}\n\n`)
      .join("");
    return new Response(text, { headers: { "content-type": "text/event-stream" } });
  });
  const fake: FakeCoze = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    lastRequest: () => requests.at(-1),
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return Promise.resolve(fake);
}
