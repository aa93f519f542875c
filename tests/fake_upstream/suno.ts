/**
 * A fake Suno-API (the proxy New API's Suno channel speaks) on a real port: `POST /suno/submit/{action}`
 * answers `{code: "success", data: <task id>}` under a Bearer key, `POST /suno/fetch {ids}` and
 * `GET /suno/fetch/{id}` move a task on with each poll (NOT_START → IN_PROGRESS → SUCCESS with clips).
 * Directives in the prompt script the outcome: `[fake:fail]` ends in FAILURE, `[fake:hang]` never ends,
 * `[fake:refuse]` is refused at submit (`{code: "error", message}`).
 */

export interface FakeSunoTask {
  id: string;
  action: string;
  prompt: string;
  status: string;
  polls: number;
  fate: "success" | "fail" | "hang";
  submitTime: number;
  startTime: number;
  finishTime: number;
}

export interface FakeSuno {
  url: string;
  requests: { method: string; path: string; auth: string | null; body: unknown }[];
  tasks: Map<string, FakeSunoTask>;
  close(): Promise<void>;
}

export function startFakeSuno(key = "suno-upstream-key"): Promise<FakeSuno> {
  const tasks = new Map<string, FakeSunoTask>();
  const requests: FakeSuno["requests"] = [];
  let seq = 0;
  const view = (t: FakeSunoTask) => ({
    task_id: t.id,
    notify_hook: "",
    action: t.action,
    status: t.status,
    fail_reason: t.status === "FAILURE" ? "fake failure: lyrics rejected" : "",
    submit_time: t.submitTime,
    start_time: t.startTime,
    finish_time: t.finishTime,
    search_item: "",
    data: t.status === "SUCCESS"
      ? [{
        id: `${t.id}-clip`,
        title: "fake song",
        status: "complete",
        audio_url: `https://cdn.example/${t.id}.mp3`,
        image_url: `https://cdn.example/${t.id}.jpg`,
        metadata: { prompt: t.prompt, duration: 120.5 },
        model_name: "chirp-v3",
      }]
      : [],
  });
  const advance = (t: FakeSunoTask) => {
    t.polls++;
    if (t.status === "SUCCESS" || t.status === "FAILURE") return;
    const now = Math.floor(Date.now() / 1000);
    if (t.polls === 1) {
      t.status = "IN_PROGRESS";
      t.startTime = now;
      return;
    }
    if (t.fate === "hang") return;
    t.status = t.fate === "fail" ? "FAILURE" : "SUCCESS";
    t.finishTime = now;
  };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const text = req.method === "POST" ? await req.text() : "";
    let body: Record<string, unknown> = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch { /* recorded as {} */ }
    requests.push({ method: req.method, path: url.pathname, auth: req.headers.get("authorization"), body });
    if (req.headers.get("authorization") !== `Bearer ${key}`) {
      return Response.json({ code: "unauthorized", message: "invalid key", data: null }, { status: 401 });
    }
    const submit = url.pathname.match(/^\/suno\/submit\/([a-zA-Z]+)$/);
    if (submit && req.method === "POST") {
      const prompt = String(body.prompt ?? body.gpt_description_prompt ?? "");
      if (prompt.includes("[fake:refuse]")) {
        return Response.json({ code: "error", message: "prompt refused", data: null });
      }
      const id = `suno-${Date.now()}-${++seq}`;
      tasks.set(id, {
        id,
        action: submit[1].toUpperCase(),
        prompt,
        status: "NOT_START",
        polls: 0,
        fate: prompt.includes("[fake:fail]") ? "fail" : prompt.includes("[fake:hang]") ? "hang" : "success",
        submitTime: Math.floor(Date.now() / 1000),
        startTime: 0,
        finishTime: 0,
      });
      return Response.json({ code: "success", message: "", data: id });
    }
    if (url.pathname === "/suno/fetch" && req.method === "POST") {
      const ids = Array.isArray(body.ids) ? body.ids : [];
      const out = [];
      for (const id of ids) {
        const t = tasks.get(String(id));
        if (!t) continue;
        advance(t);
        out.push(view(t));
      }
      return Response.json({ code: "success", message: "", data: out });
    }
    const one = url.pathname.match(/^\/suno\/fetch\/([^/]+)$/);
    if (one && req.method === "GET") {
      const t = tasks.get(one[1]);
      if (!t) {
        return Response.json({ code: "task_not_exist", message: "task_not_exist", data: null }, {
          status: 400,
        });
      }
      advance(t);
      return Response.json({ code: "success", message: "", data: view(t) });
    }
    return new Response("not found", { status: 404 });
  });
  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    tasks,
    close: () => server.shutdown(),
  });
}
