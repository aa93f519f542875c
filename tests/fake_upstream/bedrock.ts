/**
 * A fake Amazon Bedrock runtime: `POST /model/{modelId}/converse` and `/converse-stream`, speaking the
 * Converse wire format (Bedrock API reference) with the shared deterministic answers (`generate.ts`: the
 * same question gets the same words as from the other fakes). Every request must carry a valid SigV4
 * signature for the configured access key, recomputed here from the AWS spec (canonical request, string
 * to sign, HMAC key derivation) independently of the signer the gateway uses; or, for Bedrock API keys,
 * `Authorization: Bearer <key>`. Streams are `application/vnd.amazon.eventstream`, each message encoded
 * with `@smithy/eventstream-codec`.
 *
 * Directives in the prompt: `[fake:cache_read=N]`, `[fake:cache_write=N]` (usage), `[fake:calls=N]`,
 * `[fake:reasoning]`, `[fake:exception=<type>]` (a stream exception after the first text delta, e.g.
 * `throttlingException`). A model named `fault-<status>` answers that HTTP error with Bedrock's body and
 * `x-amzn-ErrorType` header.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { allText, countTokens, hexId, splitInTwo } from "./content.ts";
import { parseDirectives } from "./faults.ts";
import { generate } from "./generate.ts";
import { RecordedRequest } from "./recording.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

export interface FakeBedrockOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** A Bedrock API key accepted as a bearer token. */
  apiKey?: string;
}

export interface FakeBedrock extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  /** Signatures that failed verification (with why). */
  rejected: string[];
  close(): Promise<void>;
}

const enc = new TextEncoder();
const codec = new EventStreamCodec(toUtf8, fromUtf8);

const hex = (buf: ArrayBuffer) =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
}

async function hmac(key: Uint8Array | ArrayBuffer, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Checks `Authorization: AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request,
 * SignedHeaders=..., Signature=...` against the request. Non-S3 services encode each path segment twice
 * (the path as sent, already encoded once, is encoded again).
 */
export async function verifySigV4(
  req: { method: string; url: URL; headers: Headers; body: Uint8Array },
  secrets: Map<string, string>,
): Promise<string | undefined> {
  const auth = req.headers.get("authorization") ?? "";
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/
      .exec(auth);
  if (!m) return "missing or malformed SigV4 Authorization header";
  const [, ak, date, region, service, signedHeaders, signature] = m;
  const secret = secrets.get(ak);
  if (!secret) return `unknown access key ${ak}`;
  const amzDate = req.headers.get("x-amz-date") ?? "";
  if (!amzDate.startsWith(date)) return "x-amz-date does not match the credential scope";
  const names = signedHeaders.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) return "host and x-amz-date must be signed";
  const canonicalHeaders = names.map((n) => {
    const v = n === "host" ? req.url.host : req.headers.get(n);
    if (v === null) throw new Error(`signed header ${n} missing`);
    return `${n}:${v.trim().replace(/\s+/g, " ")}\n`;
  }).join("");
  const path = req.url.pathname.split("/").map((seg) => uriEncode(seg)).join("/");
  const query = [...req.url.searchParams].map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : 1).map(([k, v]) => `${k}=${v}`).join("&");
  const payloadHash = req.headers.get("x-amz-content-sha256") ?? await sha256Hex(req.body);
  const canonical = [req.method, path, query, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, await sha256Hex(canonical)].join("\n");
  let key: ArrayBuffer = await hmac(enc.encode(`AWS4${secret}`), date);
  for (const part of [region, service, "aws4_request"]) key = await hmac(key, part);
  const expected = hex(await hmac(key, toSign));
  if (expected !== signature) {
    return "The request signature we calculated does not match the signature you provided.";
  }
  if (service !== "bedrock") return `credential scope names service ${service}, not bedrock`;
  return undefined;
}

function awsError(status: number, type: string, message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": `${type}:http://internal.amazon.com/`,
    },
  });
}

const ERROR_TYPES: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

function textOf(content: Json): string {
  return (Array.isArray(content) ? content : []).map((b: Json) => typeof b?.text === "string" ? b.text : "")
    .filter(Boolean).join(" ");
}

function converse(body: Json, modelId: string, stream: boolean, directives: Map<string, string>): Response {
  if (!Array.isArray(body?.messages) || body.messages.length === 0) {
    return awsError(
      400,
      "ValidationException",
      "1 validation error detected: Value at 'messages' failed to satisfy constraint",
    );
  }
  const msgs: Json[] = body.messages;
  const lastUser = [...msgs].reverse().find((m) => m?.role === "user");
  const last = msgs.at(-1);
  const lastIsToolResult = Array.isArray(last?.content) && last.content.some((b: Json) => b?.toolResult);
  const tools = (body.toolConfig?.tools ?? []).filter((t: Json) => t?.toolSpec)
    .map((t: Json) => ({ name: t.toolSpec.name, schema: t.toolSpec.inputSchema?.json }));
  const g = generate({
    prompt: textOf(lastUser?.content),
    promptTokens: countTokens(allText([body.system ?? [], msgs, body.toolConfig ?? {}])),
    tools,
    toolChoiceNone: false,
    lastIsToolResult,
    reasoning: body.additionalModelRequestFields?.thinking?.type === "enabled",
    maxTokens: body.inferenceConfig?.maxTokens,
    chunks: 8,
    directives,
  });
  const usage = {
    inputTokens: g.usage.input - g.usage.cacheRead - g.usage.cacheWrite,
    outputTokens: g.usage.output,
    totalTokens: g.usage.input + g.usage.output,
    cacheReadInputTokens: g.usage.cacheRead,
    cacheWriteInputTokens: g.usage.cacheWrite,
  };
  const stopReason = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use" }[g.finish];
  const signature = `EqQB${hexId(g.seed ^ 0x51, 32)}`;
  if (!stream) {
    const content: Json[] = [];
    if (g.reasoningPieces.length) {
      content.push({ reasoningContent: { reasoningText: { text: g.reasoningText, signature } } });
    }
    if (g.toolCalls.length === 0) content.push({ text: g.text });
    for (const c of g.toolCalls) {
      content.push({ toolUse: { toolUseId: `tooluse_${c.id}`, name: c.name, input: c.args } });
    }
    return new Response(
      JSON.stringify({
        output: { message: { role: "assistant", content } },
        stopReason,
        usage,
        metrics: { latencyMs: 42 },
      }),
      { headers: { "content-type": "application/json", "x-amzn-requestid": crypto.randomUUID() } },
    );
  }
  const frames: Uint8Array[] = [];
  const event = (type: string, payload: Json) =>
    frames.push(codec.encode({
      headers: {
        ":event-type": { type: "string", value: type },
        ":content-type": { type: "string", value: "application/json" },
        ":message-type": { type: "string", value: "event" },
      },
      body: enc.encode(
        JSON.stringify({ ...payload, p: "abcdefghijklmnopqrstuvwxyz".slice(0, (frames.length % 26) + 1) }),
      ),
    }));
  const exception = directives.get("exception");
  event("messageStart", { role: "assistant" });
  let index = 0;
  if (g.reasoningPieces.length) {
    for (const text of g.reasoningPieces) {
      event("contentBlockDelta", { contentBlockIndex: index, delta: { reasoningContent: { text } } });
    }
    event("contentBlockDelta", { contentBlockIndex: index, delta: { reasoningContent: { signature } } });
    event("contentBlockStop", { contentBlockIndex: index++ });
  }
  if (g.toolCalls.length === 0) {
    for (const text of g.textPieces) {
      event("contentBlockDelta", { contentBlockIndex: index, delta: { text } });
      if (exception) {
        frames.push(codec.encode({
          headers: {
            ":message-type": { type: "string", value: "exception" },
            ":exception-type": { type: "string", value: exception },
            ":content-type": { type: "string", value: "application/json" },
          },
          body: enc.encode(JSON.stringify({ message: `fake ${exception}` })),
        }));
        break;
      }
    }
    if (!exception) event("contentBlockStop", { contentBlockIndex: index++ });
  }
  for (const c of g.toolCalls) {
    event("contentBlockStart", {
      contentBlockIndex: index,
      start: { toolUse: { toolUseId: `tooluse_${c.id}`, name: c.name } },
    });
    for (const input of splitInTwo(c.argsJson)) {
      event("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input } } });
    }
    event("contentBlockStop", { contentBlockIndex: index++ });
  }
  if (!exception) {
    event("messageStop", { stopReason });
    event("metadata", { usage, metrics: { latencyMs: 42 } });
  }
  // Frames are cut at odd places so the gateway must reassemble messages across chunks.
  const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    all.set(f, at);
    at += f.length;
  }
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += 37) pieces.push(all.subarray(i, i + 37));
  void modelId;
  return new Response(ReadableStream.from(pieces), {
    headers: {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": crypto.randomUUID(),
    },
  });
}

export function startFakeBedrock(opts: FakeBedrockOptions): Promise<FakeBedrock> {
  const requests: RecordedRequest[] = [];
  const rejected: string[] = [];
  const secrets = new Map([[opts.accessKeyId, opts.secretAccessKey]]);
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
    const m = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(url.pathname);
    if (req.method !== "POST" || !m) return awsError(404, "UnknownOperationException", "Unknown operation");
    const bearer = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    if (bearer !== undefined) {
      if (!opts.apiKey || bearer !== opts.apiKey) {
        rejected.push("bad bearer key");
        return awsError(403, "AccessDeniedException", "Authentication failed: the API key is invalid");
      }
    } else {
      const problem = await verifySigV4({ method: req.method, url, headers: req.headers, body }, secrets)
        .catch((e) => String(e));
      if (problem) {
        rejected.push(problem);
        return awsError(403, "InvalidSignatureException", problem);
      }
    }
    const modelId = decodeURIComponent(m[1]);
    const fault = /^(?:[a-z]+\.)?fault-(\d{3})$/.exec(modelId);
    if (fault) {
      const status = Number(fault[1]);
      return awsError(
        status,
        ERROR_TYPES[status] ?? "InternalServerException",
        `fake ${status} from Bedrock`,
      );
    }
    let json: Json;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return awsError(400, "ValidationException", "Malformed input request");
    }
    const text = new TextDecoder().decode(body);
    return converse(
      json,
      modelId,
      m[2] === "converse-stream",
      text.includes("[fake:") ? parseDirectives(text) : new Map(),
    );
  });
  const fake: FakeBedrock = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    rejected,
    lastRequest: () => requests.at(-1),
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return Promise.resolve(fake);
}
