/**
 * A fake Zhipu v3 model API: `POST /api/paas/v3/model-api/{model}/invoke` and `/sse-invoke`. The
 * `Authorization` header must be a bare HS256 JWT as Zhipu's v3 docs define it (header `alg: HS256`,
 * `sign_type: SIGN`; claims `api_key`, `exp` and `timestamp` in milliseconds), its signature recomputed
 * here with the key's secret; anything else answers code 1002/1003/1004 with `success: false` in an HTTP
 * 200, as v3 does. The body's `prompt` is read; answers come from the shared generator: `invoke` as
 * `{code: 200, msg, success: true, data: {task_id, request_id, task_status, choices: [{role, content}],
 * usage}}` with the content quoted, `sse-invoke` as `event: add` / `id:` / `data:` events (text verbatim
 * after the colon) and a last `event: finish` with the usage on its `meta:` line. Directives:
 * `[fake:zhipu_error=CODE]` answers that error; `[fake:zhipu_stream_error]` sends an `error` event after
 * two pieces.
 */
import { countTokens } from "./content.ts";
import { parseDirectives } from "./faults.ts";
import { generate } from "./generate.ts";
import { RecordedRequest } from "./recording.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

export interface FakeZhipuV3 extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  /** Distinct tokens accepted (one per key while the gateway caches it). */
  tokens: Set<string>;
  refused: string[];
  close(): Promise<void>;
}

const enc = new TextEncoder();

function b64urlDecode(s: string): Uint8Array {
  const b64 = s.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function refusal(auth: string, id: string, secret: string): Promise<[number, string] | undefined> {
  const parts = auth.split(".");
  if (auth.startsWith("Bearer ") || parts.length !== 3) return [1001, "Header中未收到Authorization参数"];
  let header: Json, claims: Json;
  try {
    header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0])));
    claims = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1])));
  } catch {
    return [1002, "Authorization Token非法，请确认Authorization Token正确传递。"];
  }
  if (header.alg !== "HS256" || header.sign_type !== "SIGN") return [1002, "Authorization Token非法"];
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "verify",
    ],
  );
  const ok = await crypto.subtle.verify(
    "HMAC",
    key,
    b64urlDecode(parts[2]) as Uint8Array<ArrayBuffer>,
    enc.encode(`${parts[0]}.${parts[1]}`),
  );
  if (!ok) return [1004, "通过提供的Token验证失败"];
  if (claims.api_key !== id) return [1000, "身份验证失败"];
  const now = Date.now();
  // Milliseconds, not seconds: a token in seconds reads as long expired.
  if (typeof claims.exp !== "number" || claims.exp < now) return [1003, "Authorization Token已过期"];
  if (typeof claims.timestamp !== "number" || Math.abs(now - claims.timestamp) > 25 * 3600_000) {
    return [1002, "timestamp out of range"];
  }
  return undefined;
}

export function startFakeZhipuV3(opts: { id: string; secret: string }): Promise<FakeZhipuV3> {
  const requests: RecordedRequest[] = [];
  const tokens = new Set<string>();
  const refused: string[] = [];
  const fail = (code: number, msg: string) => Response.json({ code, msg, success: false });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.bytes();
    requests.push(
      new RecordedRequest(requests.length + 1, req.method, url, req.headers, body, performance.now()),
    );
    const m = /^\/api\/paas\/v3\/model-api\/([^/]+)\/(invoke|sse-invoke)$/.exec(url.pathname);
    if (!m || req.method !== "POST") return fail(1222, "API 不存在");
    const auth = req.headers.get("authorization") ?? "";
    const problem = await refusal(auth, opts.id, opts.secret);
    if (problem) {
      refused.push(problem[1]);
      return fail(...problem);
    }
    tokens.add(auth);
    let json: Json;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return fail(1214, "prompt参数非法");
    }
    const prompt: Json[] = Array.isArray(json?.prompt) ? json.prompt : [];
    if (!prompt.length || prompt.some((p) => typeof p?.content !== "string")) {
      return fail(1214, "prompt参数非法");
    }
    const last = prompt.at(-1);
    if (last.role !== "user") return fail(1214, "prompt 最后一条须为 user");
    const directives = parseDirectives(JSON.stringify(prompt));
    if (directives.has("zhipu_error")) {
      return fail(Number(directives.get("zhipu_error")), "fake Zhipu error");
    }
    const g = generate({
      prompt: String(last.content),
      promptTokens: countTokens(prompt.map((p) => p.content).join(" ")),
      tools: [],
      toolChoiceNone: true,
      lastIsToolResult: false,
      reasoning: false,
      chunks: 6,
      directives,
    });
    const taskId = `8${g.hex.slice(0, 18).replace(/[a-f]/g, "7")}`;
    const usage = {
      prompt_tokens: g.usage.input,
      completion_tokens: g.usage.output,
      total_tokens: g.usage.input + g.usage.output,
    };
    if (m[2] === "invoke") {
      return Response.json({
        code: 200,
        msg: "操作成功",
        success: true,
        data: {
          task_id: taskId,
          request_id: taskId,
          task_status: "SUCCESS",
          choices: [{ role: "assistant", content: JSON.stringify(g.text) }],
          usage,
        },
      });
    }
    const events: string[] = [];
    const broken = directives.has("zhipu_stream_error");
    for (const [i, piece] of g.textPieces.entries()) {
      if (broken && i === 2) break;
      const data = piece.split("\n").map((l) => `data:${l}`).join("\n");
      events.push(`event:add\nid:${taskId}\n${data}\n\n`);
    }
    if (broken) events.push(`event:error\nid:${taskId}\ndata:fake stream failure\n\n`);
    else {
      const meta = { task_status: "SUCCESS", usage, task_id: taskId, request_id: taskId };
      events.push(`event:finish\nid:${taskId}\ndata:\nmeta:${JSON.stringify(meta)}\n\n`);
    }
    return new Response(events.join(""), { headers: { "content-type": "text/event-stream;charset=UTF-8" } });
  });
  const close = () => server.shutdown();
  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    lastRequest: () => requests.at(-1),
    tokens,
    refused,
    close,
    [Symbol.asyncDispose]: close,
  });
}
