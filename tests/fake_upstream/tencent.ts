/**
 * A fake Tencent Hunyuan endpoint (`POST /`, `X-TC-Action: ChatCompletions`, version 2023-09-01): every
 * request's TC3-HMAC-SHA256 signature is recomputed from Tencent Cloud's "Signature v3" rules over the
 * headers it names in `SignedHeaders` and the timestamp checked; errors come as `Response.Error` with HTTP
 * 200, as Tencent Cloud sends them; answers from the shared generator (`generate.ts`), streams as SSE chunks
 * with a running `Usage`. A model named `fault-limit` answers `LimitExceeded`.
 */
import { allText, countTokens, splitInTwo } from "./content.ts";
import { parseDirectives } from "./faults.ts";
import { generate } from "./generate.ts";
import { RecordedRequest } from "./recording.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

export interface FakeTencent extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  refused: string[];
  close(): Promise<void>;
}

const enc = new TextEncoder();
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const sha = async (d: Uint8Array | string) =>
  hex(await crypto.subtle.digest("SHA-256", (typeof d === "string" ? enc.encode(d) : d) as BufferSource));
async function mac(key: Uint8Array | ArrayBuffer, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

async function verify(
  req: Request,
  url: URL,
  body: Uint8Array,
  secrets: Map<string, string>,
): Promise<string | undefined> {
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/
      .exec(req.headers.get("authorization") ?? "");
  if (!m) return "AuthFailure.SignatureFailure";
  const [, id, date, service, signed, signature] = m;
  const secret = secrets.get(id);
  if (!secret) return "AuthFailure.SecretIdNotFound";
  const ts = Number(req.headers.get("x-tc-timestamp"));
  if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return "AuthFailure.SignatureExpire";
  if (new Date(ts * 1000).toISOString().slice(0, 10) !== date) return "AuthFailure.SignatureFailure";
  const names = signed.split(";");
  const headers = names.map((n) =>
    `${n}:${(n === "host" ? url.host : req.headers.get(n) ?? "").trim().toLowerCase()}\n`
  )
    .join("");
  const canonical = [req.method, url.pathname, url.search.slice(1), headers, signed, await sha(body)].join(
    "\n",
  );
  const scope = `${date}/${service}/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${ts}\n${scope}\n${await sha(canonical)}`;
  let k = await mac(enc.encode(`TC3${secret}`), date);
  for (const part of [service, "tc3_request"]) k = await mac(k, part);
  return hex(await mac(k, toSign)) === signature ? undefined : "AuthFailure.SignatureFailure";
}

const errorBody = (code: string, message: string) =>
  Response.json({ Response: { Error: { Code: code, Message: message }, RequestId: crypto.randomUUID() } });

function chat(body: Json, directives: Map<string, string>): Response {
  const msgs: Json[] = Array.isArray(body?.Messages) ? body.Messages : [];
  if (!msgs.length || typeof body.Model !== "string") {
    return errorBody("InvalidParameter", "Messages and Model are required");
  }
  const lastUser = [...msgs].reverse().find((m) => m?.Role === "user");
  const tools = (body.Tools ?? []).map((t: Json) => ({
    name: t.Function?.Name,
    schema: JSON.parse(t.Function?.Parameters ?? "{}"),
  }));
  const g = generate({
    prompt: String(lastUser?.Content ?? ""),
    promptTokens: countTokens(allText([msgs.map((m) => m.Content), body.Tools ?? []])),
    tools,
    toolChoiceNone: body.ToolChoice === "none",
    lastIsToolResult: msgs.at(-1)?.Role === "tool",
    reasoning: false,
    chunks: 8,
    directives,
  });
  const usage = {
    PromptTokens: g.usage.input,
    CompletionTokens: g.usage.output,
    TotalTokens: g.usage.input + g.usage.output,
  };
  const id = `${g.hex.slice(0, 16)}`;
  const calls = g.toolCalls.map((c) => ({
    Id: `call_${c.id}`,
    Type: "function",
    Index: c.index,
    Function: { Name: c.name, Arguments: c.argsJson },
  }));
  const finish = g.finish;
  if (!body.Stream) {
    return Response.json({
      Response: {
        Id: id,
        Created: 1760000000,
        Choices: [{
          Index: 0,
          FinishReason: finish,
          Message: { Role: "assistant", Content: g.text, ...(calls.length ? { ToolCalls: calls } : {}) },
        }],
        Usage: usage,
        RequestId: crypto.randomUUID(),
      },
    });
  }
  const chunks: Json[] = [];
  const chunk = (delta: Json, last = false) =>
    chunks.push({
      Id: id,
      Created: 1760000000,
      Choices: [{ Index: 0, FinishReason: last ? finish : "", Delta: { Role: "assistant", ...delta } }],
      Usage: usage,
    });
  for (const text of g.textPieces) chunk({ Content: text });
  for (const c of calls) {
    const [a, b] = splitInTwo(c.Function.Arguments);
    chunk({ Content: "", ToolCalls: [{ ...c, Function: { Name: c.Function.Name, Arguments: a } }] });
    chunk({ Content: "", ToolCalls: [{ Index: c.Index, Function: { Arguments: b } }] });
  }
  chunk({ Content: "" }, true);
  return new Response(chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join(""), {
    headers: { "content-type": "text/event-stream" },
  });
}

export function startFakeTencent(opts: { secretId: string; secretKey: string }): Promise<FakeTencent> {
  const requests: RecordedRequest[] = [];
  const refused: string[] = [];
  const secrets = new Map([[opts.secretId, opts.secretKey]]);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.bytes();
    requests.push(
      new RecordedRequest(requests.length + 1, req.method, url, req.headers, body, performance.now()),
    );
    if (req.method !== "POST" || url.pathname !== "/") return errorBody("InvalidAction", "unknown path");
    if (
      req.headers.get("x-tc-action") !== "ChatCompletions" || req.headers.get("x-tc-version") !== "2023-09-01"
    ) {
      return errorBody("InvalidAction", "The action or version is not valid");
    }
    const problem = await verify(req, url, body, secrets);
    if (problem) {
      refused.push(problem);
      return errorBody(problem, "The provided credentials could not be validated.");
    }
    let json: Json;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return errorBody("InvalidParameter", "the body is not JSON");
    }
    if (json.Model === "fault-limit") return errorBody("LimitExceeded", "Request limit exceeded (fake).");
    const text = new TextDecoder().decode(body);
    return chat(json, text.includes("[fake:") ? parseDirectives(text) : new Map());
  });
  const fake: FakeTencent = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    refused,
    lastRequest: () => requests.at(-1),
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return Promise.resolve(fake);
}
