/**
 * A fake of OpenAI's video API (Sora) on a real port: `POST /v1/videos` (JSON or multipart, as the SDK
 * sends it) answers a queued video object under a Bearer key, each `GET /v1/videos/{id}` moves it on
 * (queued → in_progress 50 → completed 100, or failed with an error for a `[fake:fail]` prompt, never
 * done for `[fake:hang]`), `GET /v1/videos/{id}/content` serves the MP4 bytes once completed, `POST /v1/videos/{id}/remix` makes
 * a new video from a completed one.
 */

export const FAKE_MP4 = new TextEncoder().encode("\u0000\u0000\u0000\u0018ftypmp42fake-video-bytes");

export interface FakeVideo {
  id: string;
  model: string;
  prompt: string;
  seconds: string;
  size: string;
  status: "queued" | "in_progress" | "completed" | "failed";
  progress: number;
  polls: number;
  fate: "success" | "fail" | "hang";
  createdAt: number;
}

export interface FakeOpenAiVideo {
  url: string;
  requests: { method: string; path: string; auth: string | null; contentType: string | null }[];
  videos: Map<string, FakeVideo>;
  close(): Promise<void>;
}

export function startFakeOpenAiVideo(key = "sk-upstream-key"): Promise<FakeOpenAiVideo> {
  const videos = new Map<string, FakeVideo>();
  const requests: FakeOpenAiVideo["requests"] = [];
  let seq = 0;
  const view = (v: FakeVideo) => ({
    id: v.id,
    object: "video",
    model: v.model,
    status: v.status,
    progress: v.progress,
    created_at: v.createdAt,
    completed_at: v.status === "completed" ? v.createdAt + 60 : null,
    expires_at: null,
    seconds: v.seconds,
    size: v.size,
    remixed_from_video_id: null,
    error: v.status === "failed"
      ? { code: "moderation_blocked", message: "fake failure: prompt blocked" }
      : null,
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    requests.push({
      method: req.method,
      path: url.pathname,
      auth: req.headers.get("authorization"),
      contentType: req.headers.get("content-type"),
    });
    if (req.headers.get("authorization") !== `Bearer ${key}`) {
      return Response.json({ error: { message: "Incorrect API key", type: "invalid_request_error" } }, {
        status: 401,
      });
    }
    if (url.pathname === "/v1/videos" && req.method === "POST") {
      const type = req.headers.get("content-type") ?? "";
      const fields: Record<string, string> = {};
      if (type.startsWith("multipart/form-data")) {
        for (const [k, v] of await req.formData()) if (typeof v === "string") fields[k] = v;
      } else {
        for (const [k, v] of Object.entries(await req.json())) fields[k] = String(v);
      }
      if (!fields.prompt) {
        return Response.json({ error: { message: "Missing required parameter: 'prompt'." } }, {
          status: 400,
        });
      }
      const id = `video_${Date.now().toString(16)}${++seq}`;
      const v: FakeVideo = {
        id,
        model: fields.model ?? "sora-2",
        prompt: fields.prompt,
        seconds: fields.seconds ?? "4",
        size: fields.size ?? "720x1280",
        status: "queued",
        progress: 0,
        polls: 0,
        fate: fields.prompt.includes("[fake:fail]")
          ? "fail"
          : fields.prompt.includes("[fake:hang]")
          ? "hang"
          : "success",
        createdAt: Math.floor(Date.now() / 1000),
      };
      videos.set(id, v);
      return Response.json(view(v));
    }
    const remix = url.pathname.match(/^\/v1\/videos\/([^/]+)\/remix$/);
    if (remix && req.method === "POST") {
      const from = videos.get(remix[1]);
      if (!from || from.status !== "completed") {
        return Response.json({ error: { message: "Source video is not completed" } }, { status: 400 });
      }
      const body = await req.json();
      const id = `video_${Date.now().toString(16)}${++seq}`;
      const v: FakeVideo = {
        ...from,
        id,
        prompt: String(body.prompt ?? ""),
        status: "queued",
        progress: 0,
        polls: 0,
      };
      videos.set(id, v);
      return Response.json({ ...view(v), remixed_from_video_id: from.id });
    }
    const one = url.pathname.match(/^\/v1\/videos\/([^/]+)(\/content)?$/);
    if (one && req.method === "GET") {
      const v = videos.get(one[1]);
      if (!v) return Response.json({ error: { message: "Video not found" } }, { status: 404 });
      if (one[2]) {
        return v.status === "completed"
          ? new Response(FAKE_MP4, { headers: { "content-type": "video/mp4" } })
          : Response.json({ error: { message: "Video is not ready" } }, { status: 400 });
      }
      v.polls++;
      if (v.status === "queued") {
        v.status = "in_progress";
        v.progress = 50;
      } else if (v.status === "in_progress" && v.fate !== "hang") {
        v.status = v.fate === "fail" ? "failed" : "completed";
        v.progress = 100;
      }
      return Response.json(view(v));
    }
    return new Response("not found", { status: 404 });
  });
  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    videos,
    close: () => server.shutdown(),
  });
}
