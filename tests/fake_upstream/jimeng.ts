/**
 * A fake of Volcengine's visual API as Jimeng video uses it: `POST /?Action=CVSync2AsyncSubmitTask&
 * Version=2022-08-31` and `...CVSync2AsyncGetResult`, each request's `HMAC-SHA256` signature recomputed
 * here from Volcengine's signing rules (canonical request over the sorted query and the signed headers,
 * scope `{date}/cn-north-1/cv/request`, key chain date → region → service → "request") and refused with
 * Volcengine's 100010 error when it does not match. Answers carry `code` 10000; a task goes in_queue →
 * generating → done (video_url served here), or a `code` 50413 failure for a `[fake:fail]` prompt.
 * Frames other than 121/241 are refused with 50400.
 */
import { createHash, createHmac } from "node:crypto";
import { FAKE_MP4 } from "./openai_video.ts";

export const JIMENG_ACCESS = "AKLTjimeng-access";
export const JIMENG_SECRET = "jimeng-secret-0123456789==";

export interface FakeJimengTask {
  id: string;
  body: Record<string, unknown>;
  polls: number;
  fail: boolean;
}

export interface FakeJimeng {
  url: string;
  tasks: Map<string, FakeJimengTask>;
  requests: { action: string; body: Record<string, unknown>; authorization: string }[];
  close(): Promise<void>;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const mac = (k: Buffer | string, s: string) => createHmac("sha256", k).update(s).digest();

/** Recomputes the request's signature; the reason it is refused, or undefined when it holds. */
function signatureProblem(req: Request, url: URL, body: string): string | undefined {
  const auth = req.headers.get("authorization") ?? "";
  const m = auth.match(
    /^HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z]+)\/request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/,
  );
  if (!m) return "malformed Authorization";
  const [, ak, date, region, service, signedHeaders, signature] = m;
  if (ak !== JIMENG_ACCESS) return "unknown access key";
  if (region !== "cn-north-1" || service !== "cv") return "wrong scope";
  const xDate = req.headers.get("x-date") ?? "";
  if (!xDate.startsWith(date)) return "X-Date does not match the scope";
  const at = Date.UTC(
    +xDate.slice(0, 4),
    +xDate.slice(4, 6) - 1,
    +xDate.slice(6, 8),
    +xDate.slice(9, 11),
    +xDate.slice(11, 13),
    +xDate.slice(13, 15),
  );
  if (Math.abs(Date.now() - at) > 15 * 60_000) return "X-Date too far from now";
  if (req.headers.get("x-content-sha256") !== sha(body)) return "X-Content-Sha256 is not the body's";
  const names = signedHeaders.split(";");
  for (const need of ["host", "x-date", "x-content-sha256"]) {
    if (!names.includes(need)) return `${need} not signed`;
  }
  const query = [...url.searchParams.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  const headers = names.map((n) => `${n}:${(req.headers.get(n) ?? "").trim()}\n`).join("");
  const canonical = ["POST", url.pathname, query, headers, signedHeaders, sha(body)].join("\n");
  const toSign = `HMAC-SHA256\n${xDate}\n${date}/${region}/${service}/request\n${sha(canonical)}`;
  const key = mac(mac(mac(mac(JIMENG_SECRET, date), region), service), "request");
  return createHmac("sha256", key).update(toSign).digest("hex") === signature
    ? undefined
    : "signature mismatch";
}

export function startFakeJimeng(): Promise<FakeJimeng> {
  const tasks = new Map<string, FakeJimengTask>();
  const requests: FakeJimeng["requests"] = [];
  let seq = 0;
  let base = "";
  const answer = (code: number, message: string, data: unknown, status = 200) =>
    Response.json({ code, message, data, request_id: `req-${++seq}`, status: code, time_elapsed: "1ms" }, {
      status,
    });

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const file = url.pathname.match(/^\/files\/([^/]+)\.mp4$/);
    if (file && req.method === "GET") {
      const t = tasks.get(file[1]);
      return t && t.polls >= 3 && !t.fail
        ? new Response(FAKE_MP4, { headers: { "content-type": "video/mp4" } })
        : new Response("not found", { status: 404 });
    }
    if (url.pathname !== "/" || req.method !== "POST") return new Response("not found", { status: 404 });
    const text = await req.text();
    const problem = signatureProblem(req, url, text);
    const action = url.searchParams.get("Action") ?? "";
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text);
    } catch { /* refused below */ }
    requests.push({ action, body, authorization: req.headers.get("authorization") ?? "" });
    if (problem) {
      return Response.json({
        ResponseMetadata: {
          Action: action,
          Error: { Code: "SignatureDoesNotMatch", CodeN: 100010, Message: problem },
        },
      }, { status: 401 });
    }
    if (url.searchParams.get("Version") !== "2022-08-31") return answer(50400, "Invalid Version", null, 400);
    if (action === "CVSync2AsyncSubmitTask") {
      if (typeof body.req_key !== "string" || !body.req_key) {
        return answer(50400, "req_key is required", null, 400);
      }
      if (body.frames !== 121 && body.frames !== 241) {
        return answer(50400, "frames must be 121 or 241", null, 400);
      }
      const id = `${Date.now()}${++seq}`;
      tasks.set(id, { id, body, polls: 0, fail: String(body.prompt ?? "").includes("[fake:fail]") });
      return answer(10000, "Success", { task_id: id });
    }
    if (action === "CVSync2AsyncGetResult") {
      const t = tasks.get(String(body.task_id ?? ""));
      if (!t || body.req_key !== t.body.req_key) {
        return answer(50400, "task not found for this req_key", null, 400);
      }
      t.polls++;
      if (t.polls >= 3 && t.fail) {
        return answer(50413, "Post Text Risk Not Pass", { status: "done", video_url: "" });
      }
      const status = t.polls === 1 ? "in_queue" : t.polls === 2 ? "generating" : "done";
      return answer(10000, "Success", {
        status,
        video_url: status === "done" ? `${base}/files/${t.id}.mp4` : "",
        resp_data: "",
        binary_data_base64: [],
        image_urls: null,
      });
    }
    return answer(50400, `unknown Action ${action}`, null, 400);
  });
  base = `http://127.0.0.1:${server.addr.port}`;
  return Promise.resolve({ url: base, tasks, requests, close: () => server.shutdown() });
}
