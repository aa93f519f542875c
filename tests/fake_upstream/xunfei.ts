/**
 * A fake Xunfei Spark WebSocket endpoint (`GET /{version}/chat`, upgraded): the handshake URL's
 * `authorization`, `date` and `host` are checked as Xunfei's docs define them (HMAC-SHA256 with the
 * APISecret over `host: …\ndate: …\nGET {path} HTTP/1.1`, base64, inside a base64 `api_key="…",
 * algorithm="hmac-sha256", headers="host date request-line", signature="…"`), a stale date or a wrong
 * signature refused with HTTP 401 before the upgrade, as Spark does. The request frame's `header.app_id` and
 * `parameter.chat.domain` are checked; answers come from the shared generator as frames with
 * `payload.choices.status` 2 and `payload.usage.text` on the last. Directives: `[fake:spark_error=CODE]`
 * answers one error frame; `[fake:spark_cut]` closes the socket after two frames.
 */
import { allText, countTokens } from "./content.ts";
import { parseDirectives } from "./faults.ts";
import { generate } from "./generate.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

export interface FakeXunfei extends AsyncDisposable {
  url: string;
  /** Request frames received, with the path they came on. */
  frames: { path: string; frame: Json }[];
  refused: string[];
  close(): Promise<void>;
}

const enc = new TextEncoder();

async function expectedSignature(secret: string, host: string, date: string, path: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    enc.encode(`host: ${host}\ndate: ${date}\nGET ${path} HTTP/1.1`),
  );
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

async function refusal(url: URL, apiKey: string, apiSecret: string): Promise<string | undefined> {
  const date = url.searchParams.get("date") ?? "";
  const host = url.searchParams.get("host") ?? "";
  const when = Date.parse(date);
  if (!Number.isFinite(when) || Math.abs(Date.now() - when) > 300_000) return "date expired";
  if (host !== url.host) return "host mismatch";
  let auth = "";
  try {
    auth = atob(url.searchParams.get("authorization") ?? "");
  } catch {
    return "authorization not base64";
  }
  const m =
    /^api_key="([^"]+)", algorithm="hmac-sha256", headers="host date request-line", signature="([^"]+)"$/
      .exec(auth);
  if (!m) return "authorization malformed";
  if (m[1] !== apiKey) return "apikey not found";
  if (m[2] !== await expectedSignature(apiSecret, host, date, url.pathname)) {
    return "HMAC signature does not match";
  }
  return undefined;
}

const DOMAINS: Record<string, string> = {
  "v1.1": "lite",
  "v2.1": "generalv2",
  "v3.1": "generalv3",
  "v3.5": "generalv3.5",
  "v4.0": "4.0Ultra",
};

function answer(socket: WebSocket, frame: Json, version: string, appId: string): void {
  const sid = `cht000${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const send = (header: Json, payload?: Json) =>
    socket.send(JSON.stringify({ header: { sid, ...header }, ...(payload ? { payload } : {}) }));
  const errorFrame = (code: number, message: string) => {
    send({ code, message, status: 2 });
    socket.close();
  };
  if (frame?.header?.app_id !== appId) return errorFrame(10313, "appid cannot match apikey");
  if (frame?.parameter?.chat?.domain !== (DOMAINS[version] ?? `general${version}`)) {
    return errorFrame(10404, "domain does not match the version");
  }
  const text: Json[] = frame?.payload?.message?.text ?? [];
  const lastUser = [...text].reverse().find((m) => m?.role === "user");
  const directives = parseDirectives(JSON.stringify(text));
  if (directives.has("spark_error")) {
    return errorFrame(Number(directives.get("spark_error")), "fake Spark error");
  }
  const tools = (frame?.payload?.functions?.text ?? []).map((f: Json) => ({
    name: f.name,
    schema: f.parameters,
  }));
  const g = generate({
    prompt: String(lastUser?.content ?? ""),
    promptTokens: countTokens(allText([text, frame?.payload?.functions ?? []])),
    tools,
    toolChoiceNone: false,
    lastIsToolResult: false,
    reasoning: false,
    chunks: 6,
    directives,
  });
  const pieces = g.textPieces;
  pieces.forEach((content, seq) => {
    if (directives.has("spark_cut") && seq === 2) return socket.close();
    if (socket.readyState !== WebSocket.OPEN) return;
    send({ code: 0, message: "Success", status: 1 }, {
      choices: { status: 1, seq, text: [{ content, role: "assistant", index: 0 }] },
    });
  });
  if (socket.readyState !== WebSocket.OPEN) return;
  // Spark answers at most one function call, in the last frame.
  const call = g.toolCalls[0];
  send({ code: 0, message: "Success", status: 2 }, {
    choices: {
      status: 2,
      seq: pieces.length,
      text: [{
        content: "",
        role: "assistant",
        index: 0,
        ...(call
          ? { content_type: "function_call", function_call: { name: call.name, arguments: call.argsJson } }
          : {}),
      }],
    },
    usage: {
      text: {
        question_tokens: 4,
        prompt_tokens: g.usage.input,
        completion_tokens: g.usage.output,
        total_tokens: g.usage.input + g.usage.output,
      },
    },
  });
  socket.close();
}

export function startFakeXunfei(
  opts: { appId: string; apiKey: string; apiSecret: string },
): Promise<FakeXunfei> {
  const frames: FakeXunfei["frames"] = [];
  const refused: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const m = /^\/([^/]+)\/chat$/.exec(url.pathname);
    if (!m || req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ message: "not found" }, { status: 404 });
    }
    const problem = await refusal(url, opts.apiKey, opts.apiSecret);
    if (problem) {
      refused.push(problem);
      return Response.json({ message: problem }, { status: 401 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onmessage = (e) => {
      let frame: Json;
      try {
        frame = JSON.parse(String(e.data));
      } catch {
        frame = undefined;
      }
      frames.push({ path: url.pathname, frame });
      answer(socket, frame, m[1], opts.appId);
    };
    return response;
  });
  const close = () => server.shutdown();
  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}`,
    frames,
    refused,
    close,
    [Symbol.asyncDispose]: close,
  });
}
