/**
 * A fake Midjourney-proxy (novicezk/midjourney-proxy and its Plus API) on a real port: submits answer
 * `{code: 1, description, result: <task id>}` under `mj-api-secret`, every poll (`list-by-condition`,
 * `task/{id}/fetch`) moves a task on (NOT_START 0% → IN_PROGRESS 50% → SUCCESS 100% with `imageUrl` and
 * buttons), and `/img/{id}.png` serves the picture. Prompt directives script the outcome: `[fake:fail]`
 * ends in FAILURE, `[fake:hang]` never finishes, `[fake:banned]` is refused at submit (code 24),
 * `[fake:queued]` answers code 22, `[fake:noinstance]` code 3 (no account instance).
 */

export interface FakeMjTask {
  id: string;
  action: string;
  prompt: string;
  status: "NOT_START" | "SUBMITTED" | "IN_PROGRESS" | "SUCCESS" | "FAILURE";
  progress: string;
  polls: number;
  submitTime: number;
  startTime: number;
  finishTime: number;
  fate: "success" | "fail" | "hang";
}

export interface FakeMidjourney {
  url: string;
  /** Every request received: method, path, the `mj-api-secret` header and the parsed body. */
  requests: { method: string; path: string; secret: string | null; body: unknown }[];
  tasks: Map<string, FakeMjTask>;
  /** Makes the next submits answer this HTTP status (0 = normal). */
  failSubmitsWith: number;
  close(): Promise<void>;
}

/** A 1×1 PNG. */
export const FAKE_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
  (ch) => ch.charCodeAt(0),
);

const BUTTONS = [1, 2, 3, 4].map((i) => ({
  customId: `MJ::JOB::upsample::${i}::fake`,
  emoji: "",
  label: `U${i}`,
  type: 2,
  style: 2,
}));

export function startFakeMidjourney(secret = "mj-upstream-secret"): Promise<FakeMidjourney> {
  const tasks = new Map<string, FakeMjTask>();
  const requests: FakeMidjourney["requests"] = [];
  let seq = 0;
  let origin = "";
  const state = { failSubmitsWith: 0 };

  const view = (t: FakeMjTask) => ({
    id: t.id,
    action: t.action,
    prompt: t.prompt,
    promptEn: t.prompt,
    description: "/imagine " + t.prompt,
    state: "",
    submitTime: t.submitTime,
    startTime: t.startTime,
    finishTime: t.finishTime,
    imageUrl: t.status === "SUCCESS" || t.status === "IN_PROGRESS" ? `${origin}/img/${t.id}.png` : "",
    status: t.status,
    progress: t.progress,
    failReason: t.status === "FAILURE" ? "fake failure: banned prompt detected by discord" : "",
    buttons: t.status === "SUCCESS" ? BUTTONS : [],
    properties: { finalPrompt: t.prompt },
  });

  const advance = (t: FakeMjTask) => {
    t.polls++;
    if (t.status === "SUCCESS" || t.status === "FAILURE") return;
    if (t.polls === 1) {
      t.status = "IN_PROGRESS";
      t.progress = "50%";
      t.startTime = Date.now();
      return;
    }
    if (t.fate === "hang") return;
    t.finishTime = Date.now();
    t.progress = "100%";
    t.status = t.fate === "fail" ? "FAILURE" : "SUCCESS";
  };

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const path = url.pathname.replace(/^\/(fast|relax|turbo)(?=\/mj\/)/, "");
    const text = req.method === "POST" ? await req.text() : "";
    let body: Record<string, unknown> = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch { /* recorded as {} */ }
    requests.push({ method: req.method, path: url.pathname, secret: req.headers.get("mj-api-secret"), body });
    const img = path.match(/^\/img\/([^/]+)\.png$/);
    if (img && req.method === "GET") {
      return tasks.has(img[1])
        ? new Response(FAKE_PNG, { headers: { "content-type": "image/png" } })
        : new Response("not found", { status: 404 });
    }
    if (req.headers.get("mj-api-secret") !== secret) return new Response("unauthorized", { status: 401 });
    const seed = path.match(/^\/mj\/task\/([^/]+)\/image-seed$/);
    if (seed && req.method === "GET") {
      return tasks.has(seed[1])
        ? Response.json({ code: 1, description: "成功", result: `seed-${seed[1]}` })
        : Response.json({ code: 4, description: "任务不存在" });
    }
    const submit = path.match(/^\/mj\/(?:submit\/([a-z-]+)|insight-face\/(swap))$/);
    if (submit && req.method === "POST") {
      const route = submit[1] ?? "swap";
      if (state.failSubmitsWith) return new Response("upstream broken", { status: state.failSubmitsWith });
      const prompt = typeof body.prompt === "string" ? body.prompt : "";
      if (prompt.includes("[fake:noinstance]")) {
        return Response.json({ code: 3, description: "无可用的账号实例" });
      }
      if (prompt.includes("[fake:banned]")) {
        return Response.json({
          code: 24,
          description: "可能包含敏感词",
          properties: { promptEn: prompt, bannedWord: "banned" },
        });
      }
      const origin = typeof body.taskId === "string" ? tasks.get(body.taskId) : undefined;
      if (["change", "simple-change", "action", "modal"].includes(route) && !origin) {
        const id = typeof body.content === "string" ? body.content.split(" ")[0] : "";
        if (!tasks.has(id)) return Response.json({ code: 4, description: "关联任务不存在或已失效" });
      }
      const id = `${Date.now()}${String(++seq).padStart(4, "0")}`;
      const action = route === "imagine"
        ? "IMAGINE"
        : route === "swap"
        ? "SWAP_FACE"
        : String(body.action ?? route).toUpperCase();
      tasks.set(id, {
        id,
        action,
        prompt: prompt || origin?.prompt || "",
        status: "NOT_START",
        progress: "0%",
        polls: 0,
        submitTime: Date.now(),
        startTime: 0,
        finishTime: 0,
        fate: prompt.includes("[fake:fail]") ? "fail" : prompt.includes("[fake:hang]") ? "hang" : "success",
      });
      if (prompt.includes("[fake:queued]")) {
        return Response.json({
          code: 22,
          description: "排队中，前面还有1个任务",
          result: id,
          properties: { numberOfQueues: 1, discordInstanceId: "1118138338562560102" },
        });
      }
      return Response.json({
        code: 1,
        description: "提交成功",
        result: id,
        properties: { discordInstanceId: "1118138338562560102" },
      });
    }
    if (path === "/mj/task/list-by-condition" && req.method === "POST") {
      const ids = Array.isArray(body.ids) ? body.ids : [];
      const out = [];
      for (const id of ids) {
        const t = tasks.get(String(id));
        if (!t) continue;
        advance(t);
        out.push(view(t));
      }
      return Response.json(out);
    }
    const fetch = path.match(/^\/mj\/task\/([^/]+)\/fetch$/);
    if (fetch && req.method === "GET") {
      const t = tasks.get(fetch[1]);
      if (!t) return Response.json(null);
      advance(t);
      return Response.json(view(t));
    }
    return new Response("not found", { status: 404 });
  });
  origin = `http://127.0.0.1:${server.addr.port}`;
  return Promise.resolve({
    url: origin,
    requests,
    tasks,
    get failSubmitsWith() {
      return state.failSubmitsWith;
    },
    set failSubmitsWith(v: number) {
      state.failSubmitsWith = v;
    },
    close: () => server.shutdown(),
  });
}
