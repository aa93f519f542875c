/**
 * A fake of five video task upstreams on one real port, each speaking its documented wire format and
 * checking its own auth: Kling (`/v1/videos/{text2video,image2video}[/{id}]`, a Bearer HS256 JWT whose
 * `iss` is the access key, verified with the secret key; answers `{code: 0, data: {task_id,
 * task_status}}`), Volcengine Ark Seedance (`/api/v3/contents/generations/tasks[/{id}]`, Bearer key) and
 * Gemini Veo (`/v1beta/models/{model}:predictLongRunning`, operations at `/v1beta/{name}`, files, under
 * `x-goog-api-key`) MiniMax Hailuo (`/v1/video_generation`, `/v1/query/video_generation`,
 * `/v1/files/retrieve`, Bearer key, `base_resp` status codes) and Vidu (`/ent/v2/*`, `Token` auth). Each fetch moves a task on: queued → running → done, failed for a `[fake:fail]`
 * prompt, never done for `[fake:hang]`. The finished video is served at the address the task gives.
 */
import { jwtVerify } from "jose";
import { FAKE_MP4 } from "./openai_video.ts";

export interface FakeVideoTask {
  id: string;
  kind: "kling" | "ark" | "veo" | "hailuo" | "vidu";
  model: string;
  prompt: string;
  body: Record<string, unknown>;
  polls: number;
  fate: "success" | "fail" | "hang";
  stage: 0 | 1 | 2;
}

export interface FakeVideoTasks {
  url: string;
  tasks: Map<string, FakeVideoTask>;
  requests: { method: string; path: string; body?: Record<string, unknown> }[];
  close(): Promise<void>;
}

export const KLING_ACCESS = "kling-access";
export const KLING_SECRET = "kling-secret-0123456789";
export const ARK_KEY = "ark-key";
export const GEMINI_KEY = "gemini-key";
export const MINIMAX_KEY = "minimax-key";
export const VIDU_KEY = "vidu-key";

const fateOf = (prompt: string): FakeVideoTask["fate"] =>
  prompt.includes("[fake:fail]") ? "fail" : prompt.includes("[fake:hang]") ? "hang" : "success";

function advance(t: FakeVideoTask): void {
  t.polls++;
  if (t.stage === 0) t.stage = 1;
  else if (t.stage === 1 && t.fate !== "hang") t.stage = 2;
}

export function startFakeVideoTasks(): Promise<FakeVideoTasks> {
  const tasks = new Map<string, FakeVideoTask>();
  const requests: FakeVideoTasks["requests"] = [];
  let seq = 0;
  let base = "";
  const secret = new TextEncoder().encode(KLING_SECRET);

  async function klingAuthorized(req: Request): Promise<boolean> {
    const token = req.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    try {
      const { payload, protectedHeader } = await jwtVerify(token, secret, { algorithms: ["HS256"] });
      return payload.iss === KLING_ACCESS && protectedHeader.typ === "JWT" && typeof payload.exp === "number";
    } catch {
      return false;
    }
  }

  const klingView = (t: FakeVideoTask) => ({
    code: 0,
    message: "SUCCEED",
    request_id: `req-${t.id}`,
    data: {
      task_id: t.id,
      task_status: t.stage === 0
        ? "submitted"
        : t.stage === 1
        ? "processing"
        : t.fate === "fail"
        ? "failed"
        : "succeed",
      task_status_msg: t.stage === 2 && t.fate === "fail" ? "fake failure: risk control" : "",
      task_result: t.stage === 2 && t.fate === "success"
        ? {
          videos: [{ id: `v-${t.id}`, url: `${base}/files/${t.id}.mp4`, duration: String(t.body.duration) }],
        }
        : {},
      created_at: 1700000000000,
      updated_at: 1700000000000 + t.polls,
    },
  });

  const arkView = (t: FakeVideoTask) => ({
    id: t.id,
    model: t.model,
    status: t.stage === 0 ? "queued" : t.stage === 1 ? "running" : t.fate === "fail" ? "failed" : "succeeded",
    content: t.stage === 2 && t.fate === "success" ? { video_url: `${base}/files/${t.id}.mp4` } : {},
    usage: t.stage === 2 ? { completion_tokens: 108900, total_tokens: 108900 } : {},
    error: t.stage === 2 && t.fate === "fail"
      ? { code: "OutputVideoSensitiveContentDetected", message: "fake failure: sensitive output" }
      : null,
    created_at: 1700000000,
    updated_at: 1700000000 + t.polls,
  });

  const veoView = (t: FakeVideoTask) => {
    const name = `models/${t.model}/operations/${t.id}`;
    if (t.stage < 2) return { name, done: false };
    if (t.fate === "fail") {
      return { name, done: true, error: { code: 400, message: "fake failure: filtered" } };
    }
    return {
      name,
      done: true,
      response: {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
        generateVideoResponse: {
          generatedSamples: [{ video: { uri: `${base}/v1beta/files/${t.id}:download?alt=media` } }],
        },
      },
    };
  };

  const newTask = (
    kind: FakeVideoTask["kind"],
    model: string,
    prompt: string,
    body: Record<string, unknown>,
  ) => {
    const id = `${kind}-${Date.now().toString(16)}-${++seq}`;
    const t: FakeVideoTask = { id, kind, model, prompt, body, polls: 0, fate: fateOf(prompt), stage: 0 };
    tasks.set(id, t);
    return t;
  };

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "POST" ? await req.json().catch(() => ({})) : undefined;
    requests.push({ method: req.method, path: url.pathname, body });

    // Kling
    const kling = url.pathname.match(/^\/v1\/videos\/(text2video|image2video)(?:\/([^/]+))?$/);
    if (kling) {
      if (!await klingAuthorized(req)) {
        return Response.json({ code: 1001, message: "Authorization failed", request_id: "x" }, {
          status: 401,
        });
      }
      if (req.method === "POST") {
        if (!body.prompt && kling[1] === "text2video") {
          return Response.json({ code: 1201, message: "prompt is required", request_id: "x" }, {
            status: 400,
          });
        }
        if (body.duration !== "5" && body.duration !== "10") {
          return Response.json({ code: 1201, message: "duration must be 5 or 10", request_id: "x" }, {
            status: 400,
          });
        }
        if (kling[1] === "image2video" && !body.image) {
          return Response.json({ code: 1201, message: "image is required", request_id: "x" }, {
            status: 400,
          });
        }
        return Response.json(klingView(newTask("kling", String(body.model_name), String(body.prompt), body)));
      }
      const t = tasks.get(kling[2] ?? "");
      if (!t) {
        return Response.json({ code: 1203, message: "task not found", request_id: "x" }, { status: 404 });
      }
      advance(t);
      return Response.json(klingView(t));
    }

    // Ark (Doubao Seedance)
    const ark = url.pathname.match(/^\/api\/v3\/contents\/generations\/tasks(?:\/([^/]+))?$/);
    if (ark) {
      if (req.headers.get("authorization") !== `Bearer ${ARK_KEY}`) {
        return Response.json({ error: { code: "AuthenticationError", message: "the API key is invalid" } }, {
          status: 401,
        });
      }
      if (req.method === "POST") {
        const content = Array.isArray(body.content) ? body.content : [];
        const prompt = content.find((i: { type?: string }) => i.type === "text")?.text;
        if (typeof body.model !== "string" || typeof prompt !== "string") {
          return Response.json({ error: { code: "InvalidParameter", message: "content text is required" } }, {
            status: 400,
          });
        }
        return Response.json({ id: newTask("ark", body.model, prompt, body).id });
      }
      const t = tasks.get(ark[1] ?? "");
      if (!t) {
        return Response.json({ error: { code: "NotFound", message: "task not found" } }, { status: 404 });
      }
      advance(t);
      return Response.json(arkView(t));
    }

    // Gemini Veo
    if (url.pathname.startsWith("/v1beta/")) {
      if (req.headers.get("x-goog-api-key") !== GEMINI_KEY) {
        return Response.json({
          error: { code: 400, message: "API key not valid", status: "INVALID_ARGUMENT" },
        }, {
          status: 400,
        });
      }
      const submit = url.pathname.match(/^\/v1beta\/models\/([^/:]+):predictLongRunning$/);
      if (submit && req.method === "POST") {
        const prompt = body.instances?.[0]?.prompt;
        if (typeof prompt !== "string") {
          return Response.json({ error: { code: 400, message: "instances[0].prompt is required" } }, {
            status: 400,
          });
        }
        const t = newTask("veo", submit[1], prompt, body);
        return Response.json({ name: `models/${t.model}/operations/${t.id}` });
      }
      const op = url.pathname.match(/^\/v1beta\/models\/([^/]+)\/operations\/([^/]+)$/);
      if (op && req.method === "GET") {
        const t = tasks.get(op[2]);
        if (!t || t.model !== op[1]) {
          return Response.json({ error: { code: 404, message: "not found" } }, { status: 404 });
        }
        advance(t);
        return Response.json(veoView(t));
      }
      const file = url.pathname.match(/^\/v1beta\/files\/([^/:]+):download$/);
      if (file && tasks.get(file[1])?.stage === 2) {
        return new Response(FAKE_MP4, { headers: { "content-type": "video/mp4" } });
      }
      return Response.json({ error: { code: 404, message: "not found" } }, { status: 404 });
    }

    // Vidu
    const vidu = url.pathname.match(
      /^\/ent\/v2\/(?:(text2video|img2video|start-end2video|reference2video)|tasks\/([^/]+)\/creations)$/,
    );
    if (vidu) {
      if (req.headers.get("authorization") !== `Token ${VIDU_KEY}`) {
        return Response.json({ code: 401, reason: "Unauthorized", message: "invalid token" }, {
          status: 401,
        });
      }
      if (vidu[1] && req.method === "POST") {
        const images = Array.isArray(body.images) ? body.images : [];
        const need = {
          "text2video": 0,
          "img2video": 1,
          "start-end2video": 2,
          "reference2video": 3,
        }[vidu[1]]!;
        if (need === 0 ? images.length !== 0 : need === 3 ? images.length < 3 : images.length !== need) {
          return Response.json({ code: 400, reason: "BadRequest", message: "wrong number of images" }, {
            status: 400,
          });
        }
        const t = newTask("vidu", String(body.model), String(body.prompt), { ...body, path: vidu[1] });
        return Response.json({
          task_id: t.id,
          state: "created",
          model: t.model,
          created_at: "2025-01-01T00:00:00Z",
        });
      }
      const t = tasks.get(vidu[2] ?? "");
      if (!t) {
        return Response.json({ code: 404, reason: "NotFound", message: "task not found" }, { status: 404 });
      }
      advance(t);
      return Response.json({
        state: t.stage === 0
          ? "queueing"
          : t.stage === 1
          ? "processing"
          : t.fate === "fail"
          ? "failed"
          : "success",
        err_code: t.stage === 2 && t.fate === "fail" ? "AuditSubmitIllegal" : "",
        credits: 4,
        creations: t.stage === 2 && t.fate === "success"
          ? [{ id: `c-${t.id}`, url: `${base}/files/${t.id}.mp4`, cover_url: `${base}/files/${t.id}.jpg` }]
          : [],
      });
    }

    // MiniMax Hailuo
    if (["/v1/video_generation", "/v1/query/video_generation", "/v1/files/retrieve"].includes(url.pathname)) {
      if (req.headers.get("authorization") !== `Bearer ${MINIMAX_KEY}`) {
        return Response.json({ base_resp: { status_code: 1004, status_msg: "authorized error" } });
      }
      const ok = { status_code: 0, status_msg: "success" };
      if (url.pathname === "/v1/video_generation" && req.method === "POST") {
        if (typeof body.prompt !== "string" || typeof body.model !== "string") {
          return Response.json({
            task_id: "",
            base_resp: { status_code: 2013, status_msg: "invalid params" },
          });
        }
        return Response.json({ task_id: newTask("hailuo", body.model, body.prompt, body).id, base_resp: ok });
      }
      if (url.pathname === "/v1/query/video_generation") {
        const t = tasks.get(url.searchParams.get("task_id") ?? "");
        if (!t) return Response.json({ base_resp: { status_code: 2013, status_msg: "task not found" } });
        advance(t);
        const status = t.stage === 0
          ? "Queueing"
          : t.stage === 1
          ? "Processing"
          : t.fate === "fail"
          ? "Fail"
          : "Success";
        return Response.json({
          task_id: t.id,
          status,
          file_id: status === "Success" ? `file-${t.id}` : "",
          video_width: 1366,
          video_height: 768,
          base_resp: ok,
        });
      }
      const id = (url.searchParams.get("file_id") ?? "").replace(/^file-/, "");
      if (tasks.get(id)?.stage !== 2) {
        return Response.json({ base_resp: { status_code: 2013, status_msg: "no file" } });
      }
      return Response.json({
        file: {
          file_id: `file-${id}`,
          bytes: FAKE_MP4.length,
          created_at: 1700000000,
          filename: "output.mp4",
          purpose: "video_generation",
          download_url: `${base}/files/${id}.mp4`,
        },
        base_resp: ok,
      });
    }

    const file = url.pathname.match(/^\/files\/([^/]+)\.mp4$/);
    if (file && tasks.get(file[1])?.stage === 2) {
      return new Response(FAKE_MP4, { headers: { "content-type": "video/mp4" } });
    }
    return new Response("not found", { status: 404 });
  });
  base = `http://127.0.0.1:${server.addr.port}`;
  return Promise.resolve({ url: base, tasks, requests, close: () => server.shutdown() });
}
