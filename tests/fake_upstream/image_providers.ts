/**
 * Fake image-generation APIs on one port, each in its provider's wire format:
 * - DashScope (Ali): `POST /api/v1/services/aigc/text2image/image-synthesis` needs `X-DashScope-Async:
 *   enable` and answers a PENDING task; `GET /api/v1/tasks/{id}` answers RUNNING for `[fake:polls=N]` polls,
 *   then SUCCEEDED with `results[].url` and `usage.image_count` (FAILED with a code for `[fake:fail]`);
 *   `POST …/multimodal-generation/generation` answers qwen-image's synchronous `output.choices`.
 * - Zhipu: `POST /api/paas/v4/images/generations` → `{created, data: [{url}]}`, a 400 `error` object for
 *   `[fake:fail]`; unknown fields are refused as CogView does.
 * - Jimeng: `POST /?Action=CVProcess&Version=2022-08-31`, the Volcengine signature recomputed here from the
 *   request (its own implementation, `cv`/`cn-north-1`), `code: 10000` with `image_urls` or base64.
 * - Replicate: `POST /v1/models/{owner}/{name}/predictions` (Bearer), succeeded at once, or `processing`
 *   for `[fake:slow]` until `GET /v1/predictions/{id}`; `[fake:fail]` fails the prediction.
 * - `GET /img/{name}.png`: the generated images (a 1×1 PNG), for base64 downloads.
 * Every request is recorded; a wrong key or signature is refused and counted in `refused`.
 */
import { RecordedRequest } from "./recording.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

export const FAKE_PNG_B64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

export interface FakeImageProviders extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  /** Why requests were refused (bad key, bad signature). */
  refused: string[];
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
    [
      "sign",
    ],
  );
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** Volcengine's signature check, written from its docs (not the gateway's signer). */
async function volcengineProblem(
  req: Request,
  url: URL,
  body: Uint8Array,
  keys: Map<string, string>,
): Promise<string | undefined> {
  const m =
    /^HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z]+)\/request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/
      .exec(req.headers.get("authorization") ?? "");
  if (!m) return "malformed authorization";
  const [, ak, date, region, service, signedHeaders, signature] = m;
  const sk = keys.get(ak);
  if (!sk) return "unknown access key";
  if (region !== "cn-north-1" || service !== "cv") return "wrong scope";
  const xDate = req.headers.get("x-date") ?? "";
  if (!xDate.startsWith(date)) return "x-date does not match the scope";
  const at = Date.UTC(
    +xDate.slice(0, 4),
    +xDate.slice(4, 6) - 1,
    +xDate.slice(6, 8),
    +xDate.slice(9, 11),
    +xDate.slice(11, 13),
    +xDate.slice(13, 15),
  );
  if (!Number.isFinite(at) || Math.abs(Date.now() - at) > 15 * 60_000) return "signature expired";
  const payload = await sha(body);
  if (req.headers.get("x-content-sha256") !== payload) return "body hash mismatch";
  const names = signedHeaders.split(";");
  for (const required of ["host", "x-date", "x-content-sha256"]) {
    if (!names.includes(required)) return `${required} not signed`;
  }
  const canonicalHeaders = names.map((n) =>
    `${n}:${(n === "host" ? url.host : req.headers.get(n) ?? "").trim()}\n`
  ).join("");
  const query = [...url.searchParams].map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)]).sort((
    a,
    b,
  ) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0).map(([k, v]) => `${k}=${v}`).join("&");
  const canonical = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, payload].join("\n");
  const toSign = `HMAC-SHA256\n${xDate}\n${date}/${region}/${service}/request\n${await sha(canonical)}`;
  let k = await mac(enc.encode(sk), date);
  for (const part of [region, service, "request"]) k = await mac(k, part);
  return hex(await mac(k, toSign)) === signature ? undefined : "signature mismatch";
}

const directive = (prompt: string, name: string) => new RegExp(`\\[fake:${name}(?:=(\\d+))?\\]`).exec(prompt);

interface AliTask {
  n: number;
  pollsLeft: number;
  fail: boolean;
}

export function startFakeImageProviders(
  o: { key: string; jimeng: { accessKey: string; secretKey: string } },
): Promise<FakeImageProviders> {
  const requests: RecordedRequest[] = [];
  const refused: string[] = [];
  const aliTasks = new Map<string, AliTask>();
  const predictions = new Map<string, { n: number }>();
  const volcKeys = new Map([[o.jimeng.accessKey, o.jimeng.secretKey]]);
  let seq = 0;
  let base = "";
  const images = (n: number) => Array.from({ length: n }, () => `${base}/img/${++seq}.png`);
  const bearerOk = (req: Request) => {
    if (req.headers.get("authorization") === `Bearer ${o.key}`) return true;
    refused.push("bad bearer key");
    return false;
  };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.bytes();
    requests.push(
      new RecordedRequest(requests.length + 1, req.method, url, req.headers, body, performance.now()),
    );
    let json: Json = {};
    if (body.length) {
      try {
        json = JSON.parse(new TextDecoder().decode(body));
      } catch {
        return Response.json({ code: "InvalidParameter", message: "body is not JSON" }, { status: 400 });
      }
    }
    const path = url.pathname;
    if (req.method === "GET" && /^\/img\/\d+\.png$/.test(path)) {
      return new Response(Uint8Array.from(atob(FAKE_PNG_B64), (c) => c.charCodeAt(0)), {
        headers: { "content-type": "image/png" },
      });
    }
    // DashScope
    if (path === "/api/v1/services/aigc/text2image/image-synthesis" && req.method === "POST") {
      if (!bearerOk(req)) {
        return Response.json({ code: "InvalidApiKey", message: "Invalid API-key provided." }, {
          status: 401,
        });
      }
      if (req.headers.get("x-dashscope-async") !== "enable") {
        return Response.json({
          code: "AccessDenied",
          message: "current user api does not support synchronous calls",
        }, {
          status: 403,
        });
      }
      const prompt = String(json.input?.prompt ?? "");
      if (!prompt) {
        return Response.json({ code: "InvalidParameter", message: "input.prompt is required" }, {
          status: 400,
        });
      }
      const id = crypto.randomUUID();
      aliTasks.set(id, {
        n: json.parameters?.n ?? 1,
        pollsLeft: Number(directive(prompt, "polls")?.[1] ?? 0),
        fail: !!directive(prompt, "fail"),
      });
      return Response.json({
        output: { task_id: id, task_status: "PENDING" },
        request_id: crypto.randomUUID(),
      });
    }
    const task = /^\/api\/v1\/tasks\/([^/]+)$/.exec(path);
    if (task && req.method === "GET") {
      if (!bearerOk(req)) {
        return Response.json({ code: "InvalidApiKey", message: "Invalid API-key provided." }, {
          status: 401,
        });
      }
      const t = aliTasks.get(decodeURIComponent(task[1]));
      if (!t) return Response.json({ output: { task_id: task[1], task_status: "UNKNOWN" } });
      if (t.pollsLeft-- > 0) return Response.json({ output: { task_id: task[1], task_status: "RUNNING" } });
      if (t.fail) {
        return Response.json({
          output: {
            task_id: task[1],
            task_status: "FAILED",
            code: "DataInspectionFailed",
            message: "Output data may contain inappropriate content.",
          },
        });
      }
      return Response.json({
        output: { task_id: task[1], task_status: "SUCCEEDED", results: images(t.n).map((u) => ({ url: u })) },
        usage: { image_count: t.n },
      });
    }
    if (path === "/api/v1/services/aigc/multimodal-generation/generation" && req.method === "POST") {
      if (!bearerOk(req)) {
        return Response.json({ code: "InvalidApiKey", message: "Invalid API-key provided." }, {
          status: 401,
        });
      }
      const text = json.input?.messages?.[0]?.content?.[0]?.text;
      if (typeof text !== "string") {
        return Response.json({ code: "InvalidParameter", message: "messages required" }, { status: 400 });
      }
      return Response.json({
        output: {
          choices: [{
            finish_reason: "stop",
            message: { role: "assistant", content: images(1).map((image) => ({ image })) },
          }],
        },
        usage: { image_count: 1, width: 1328, height: 1328 },
      });
    }
    // Zhipu
    if (path === "/api/paas/v4/images/generations" && req.method === "POST") {
      if (!bearerOk(req)) {
        return Response.json({ error: { code: "1000", message: "身份验证失败" } }, { status: 401 });
      }
      const extra = Object.keys(json).filter((k) =>
        !["model", "prompt", "quality", "size", "watermark_enabled", "user_id"].includes(k)
      );
      if (extra.length) {
        return Response.json({ error: { code: "1214", message: `unknown fields: ${extra}` } }, {
          status: 400,
        });
      }
      if (directive(String(json.prompt), "fail")) {
        return Response.json({
          error: { code: "1301", message: "系统检测到输入或生成内容可能包含不安全或敏感内容" },
        }, { status: 400 });
      }
      return Response.json({
        created: 1760000000,
        data: images(1).map((url) => ({ url })),
        request_id: "zp-1",
      });
    }
    // Jimeng
    if (path === "/" && req.method === "POST" && url.searchParams.get("Action") === "CVProcess") {
      if (url.searchParams.get("Version") !== "2022-08-31") {
        return Response.json({ code: 50400, message: "bad version" });
      }
      const problem = await volcengineProblem(req, url, body, volcKeys);
      if (problem) {
        refused.push(problem);
        return Response.json({ code: 50400, message: `Access Denied: ${problem}` }, { status: 401 });
      }
      if (typeof json.req_key !== "string" || typeof json.prompt !== "string") {
        return Response.json({ code: 50413, message: "req_key and prompt are required" });
      }
      if (directive(json.prompt, "fail")) {
        return Response.json({
          code: 50411,
          message: "Pre Img Risk Not Pass",
          request_id: "jm-x",
          status: 50411,
        });
      }
      const data = json.return_url
        ? { image_urls: images(1), binary_data_base64: [] }
        : { image_urls: [], binary_data_base64: [FAKE_PNG_B64] };
      return Response.json({ code: 10000, message: "Success", request_id: "jm-1", status: 10000, data });
    }
    // Replicate
    const model = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(path);
    if (model && req.method === "POST") {
      if (!bearerOk(req)) return Response.json({ detail: "Unauthenticated" }, { status: 401 });
      const prompt = String(json.input?.prompt ?? "");
      if (!prompt) return Response.json({ detail: "input.prompt is required" }, { status: 422 });
      const id = `p${++seq}`;
      const n = json.input.num_outputs ?? 1;
      const urls = {
        get: `https://api.replicate.com/v1/predictions/${id}`,
        cancel: `https://api.replicate.com/v1/predictions/${id}/cancel`,
      };
      if (directive(prompt, "fail")) {
        return Response.json({ id, status: "failed", output: null, error: "NSFW content detected", urls }, {
          status: 201,
        });
      }
      if (directive(prompt, "slow")) {
        predictions.set(id, { n });
        return Response.json({ id, status: "processing", output: null, error: null, urls }, { status: 201 });
      }
      return Response.json({ id, status: "succeeded", output: images(n), error: null, urls }, {
        status: 201,
      });
    }
    const poll = /^\/v1\/predictions\/([^/]+)$/.exec(path);
    if (poll && req.method === "GET") {
      if (!bearerOk(req)) return Response.json({ detail: "Unauthenticated" }, { status: 401 });
      const p = predictions.get(poll[1]);
      if (!p) return Response.json({ detail: "Not found" }, { status: 404 });
      return Response.json({ id: poll[1], status: "succeeded", output: images(p.n), error: null });
    }
    return Response.json({ detail: `no route ${req.method} ${path}` }, { status: 404 });
  });
  base = `http://127.0.0.1:${server.addr.port}`;
  return Promise.resolve({
    url: base,
    requests,
    refused,
    lastRequest: () => requests.at(-1),
    [Symbol.asyncDispose]: () => server.shutdown(),
  });
}
