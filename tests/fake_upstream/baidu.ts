/**
 * A fake Baidu WENXINWORKSHOP (v1) API: `POST /oauth/2.0/token?grant_type=client_credentials&client_id&
 * client_secret` issues access tokens for the configured key pair (Baidu's error body otherwise), and
 * `POST /rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}?access_token=` answers in ERNIE's shape
 * (`result`, `usage`; errors as `error_code`/`error_msg` with HTTP 200; streams as SSE `data:` chunks
 * ending `is_end: true`), words from the shared generator. A model endpoint `fault-qps` answers error 18.
 */
import { countTokens } from "./content.ts";
import { generate } from "./generate.ts";
import { RecordedRequest } from "./recording.ts";

export interface FakeBaidu extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  tokensIssued: number;
  close(): Promise<void>;
}

export function startFakeBaidu(opts: { apiKey: string; secretKey: string }): Promise<FakeBaidu> {
  const requests: RecordedRequest[] = [];
  const tokens = new Set<string>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.bytes();
    requests.push(
      new RecordedRequest(requests.length + 1, req.method, url, req.headers, body, performance.now()),
    );
    if (url.pathname === "/oauth/2.0/token") {
      const q = url.searchParams;
      if (q.get("grant_type") !== "client_credentials" || q.get("client_id") !== opts.apiKey) {
        return Response.json({ error: "invalid_client", error_description: "unknown client id" }, {
          status: 401,
        });
      }
      if (q.get("client_secret") !== opts.secretKey) {
        return Response.json({ error: "invalid_client", error_description: "Client authentication failed" }, {
          status: 401,
        });
      }
      const token = `24.fake${crypto.randomUUID().replaceAll("-", "")}`;
      tokens.add(token);
      fake.tokensIssued++;
      return Response.json({ access_token: token, expires_in: 2592000, scope: "public" });
    }
    const m = /^\/rpc\/2\.0\/ai_custom\/v1\/wenxinworkshop\/chat\/([^/]+)$/.exec(url.pathname);
    if (!m) return Response.json({ error_code: 3, error_msg: "Unsupported openapi method" });
    if (!tokens.has(url.searchParams.get("access_token") ?? "")) {
      return Response.json({ error_code: 110, error_msg: "Access token invalid or no longer valid" });
    }
    if (m[1] === "fault-qps") {
      return Response.json({ error_code: 18, error_msg: "Open api qps request limit reached" });
    }
    // deno-lint-ignore no-explicit-any
    const json: any = JSON.parse(new TextDecoder().decode(body));
    const msgs = Array.isArray(json.messages) ? json.messages : [];
    if (!msgs.length || msgs.at(-1).role !== "user") {
      return Response.json({ error_code: 336006, error_msg: "the length of messages must be an odd number" });
    }
    const g = generate({
      prompt: String(msgs.at(-1).content),
      promptTokens: countTokens(
        [json.system ?? "", ...msgs.map((x: { content: string }) => x.content)].join(" "),
      ),
      tools: [],
      toolChoiceNone: true,
      lastIsToolResult: false,
      reasoning: false,
      maxTokens: json.max_output_tokens,
      chunks: 8,
      directives: new Map(),
    });
    const usage = {
      prompt_tokens: g.usage.input,
      completion_tokens: g.usage.output,
      total_tokens: g.usage.input + g.usage.output,
    };
    const id = `as-${g.hex.slice(0, 10)}`;
    if (!json.stream) {
      return Response.json({
        id,
        object: "chat.completion",
        created: 1760000000,
        result: g.text,
        is_truncated: g.finish === "length",
        need_clear_history: false,
        usage,
      });
    }
    const chunks = g.textPieces.map((result, i) => ({
      id,
      object: "chat.completion",
      created: 1760000000,
      sentence_id: i,
      is_end: i === g.textPieces.length - 1,
      is_truncated: false,
      result,
      need_clear_history: false,
      usage,
    }));
    return new Response(chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join(""), {
      headers: { "content-type": "text/event-stream" },
    });
  });
  const fake: FakeBaidu = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    tokensIssued: 0,
    lastRequest: () => requests.at(-1),
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return Promise.resolve(fake);
}
