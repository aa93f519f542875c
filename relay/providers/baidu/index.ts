/**
 * Baidu Qianfan / ERNIE, the v1 API (type 15; v2 is type 46, OpenAI-compatible): `POST {base}/rpc/2.0/
 * ai_custom/v1/wenxinworkshop/chat/{endpoint}?access_token=…`, read from Baidu's WENXINWORKSHOP API
 * reference and New API's baidu adaptor (its model → endpoint names; others lower-cased). The key is
 * `API Key|Secret Key`, exchanged at `{base}/oauth/2.0/token` (client_credentials) for an access token,
 * cached until near expiry. The body is ERNIE's: `messages` (user/assistant, alternating), one `system`,
 * `temperature`, `top_p`, `penalty_score`, `max_output_tokens`, `user_id`; the answer's `result` and
 * `usage`; an error comes as `error_code`/`error_msg` with HTTP 200; a stream is SSE `data:` chunks with
 * `result` pieces and `is_end`.
 */
import type { SseEvent } from "../../sse/event.ts";
import { RelayError } from "../../formats/errors.ts";
import type { IrMessage, IrRequest, IrResponse, IrStreamEvent, IrUsage } from "../../formats/ir.ts";
import {
  type JsonObject,
  num,
  obj,
  str,
  streamEventObject,
  tokenCount,
} from "../../formats/upstream_body.ts";
import type { WireCodec } from "../../formats/wire.ts";
import { ChannelError } from "../../pipeline/failure.ts";
import type { ProviderSpec } from "../spec.ts";
import { cachedToken } from "../token_cache.ts";

const ENDPOINTS: Record<string, string> = {
  "ERNIE-4.0": "completions_pro",
  "ERNIE-Bot-4": "completions_pro",
  "ERNIE-Bot": "completions",
  "ERNIE-Bot-turbo": "eb-instant",
  "ERNIE-Speed": "ernie_speed",
  "ERNIE-4.0-8K": "completions_pro",
  "ERNIE-3.5-8K": "completions",
  "ERNIE-3.5-8K-0205": "ernie-3.5-8k-0205",
  "ERNIE-3.5-8K-1222": "ernie-3.5-8k-1222",
  "ERNIE-Bot-8K": "ernie_bot_8k",
  "ERNIE-3.5-4K-0205": "ernie-3.5-4k-0205",
  "ERNIE-Speed-8K": "ernie_speed",
  "ERNIE-Speed-128K": "ernie-speed-128k",
  "ERNIE-Lite-8K-0922": "eb-instant",
  "ERNIE-Lite-8K-0308": "ernie-lite-8k",
  "ERNIE-Tiny-8K": "ernie-tiny-8k",
  "BLOOMZ-7B": "bloomz_7b1",
};

export const baiduEndpoint = (model: string) => ENDPOINTS[model] ?? model.toLowerCase();

function textOf(m: IrMessage): string {
  return m.content.flatMap((p) =>
    p.type === "text"
      ? [p.text]
      : p.type === "tool_result"
      ? p.content.flatMap((c) => (c.type === "text" ? [c.text] : []))
      : []
  ).join("\n");
}

export function encodeBaiduRequest(ir: IrRequest): Record<string, unknown> {
  const system = ir.messages.filter((m) => m.role === "system").map(textOf).filter(Boolean).join("\n");
  const messages: { role: string; content: string }[] = [];
  for (const m of ir.messages) {
    if (m.role === "system") continue;
    const content = textOf(m);
    if (!content) continue;
    const last = messages.at(-1);
    // ERNIE wants user and assistant turns alternating: same-role turns are joined.
    if (last?.role === m.role) last.content += `\n${content}`;
    else messages.push({ role: m.role, content });
  }
  const body: Record<string, unknown> = { messages };
  if (system) body.system = system;
  if (ir.stream) body.stream = true;
  if (ir.temperature !== undefined) body.temperature = ir.temperature;
  if (ir.topP !== undefined) body.top_p = ir.topP;
  if (ir.frequencyPenalty !== undefined) body.penalty_score = ir.frequencyPenalty;
  if (ir.maxTokens !== undefined) body.max_output_tokens = Math.max(2, ir.maxTokens);
  if (ir.stop?.length) body.stop = ir.stop;
  if (ir.user) body.user_id = ir.user;
  return body;
}

/** Baidu's error codes → HTTP statuses (Baidu's "error code" list). */
function baiduError(p: JsonObject): RelayError {
  const code = num(p.error_code) ?? 0;
  const status = [110, 111, 14, 13].includes(code)
    ? 401
    : [4, 17, 18, 19, 336501, 336502].includes(code)
    ? 429
    : [6, 15].includes(code)
    ? 403
    : String(code).startsWith("3360") || code === 336003 || code === 100
    ? 400
    : 500;
  return new RelayError(status, str(p.error_msg) ?? `Baidu error ${code}`, { code: String(code) });
}

function usageOf(u: JsonObject): IrUsage {
  const input = tokenCount(u.prompt_tokens);
  return {
    inputTokens: input,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(u.completion_tokens) || Math.max(0, tokenCount(u.total_tokens) - input),
    reasoningTokens: 0,
  };
}

export function decodeBaiduResponse(body: unknown, model: string): IrResponse {
  const o = obj(body);
  if (!o) {
    throw new RelayError(502, "upstream answered with an unreadable body", { code: "bad_response_body" });
  }
  if (o.error_code !== undefined && o.error_code !== 0) throw baiduError(o);
  const usage = obj(o.usage);
  return {
    id: str(o.id) ?? "",
    model,
    ...(num(o.created) ? { created: num(o.created) } : {}),
    content: typeof o.result === "string" ? [{ type: "text", text: o.result }] : [],
    finishReason: o.is_truncated === true ? "length" : "stop",
    ...(usage ? { usage: usageOf(usage) } : {}),
  };
}

interface BaiduDecodeState {
  model: string;
  started: boolean;
}

export function decodeBaiduStreamEvent(s: BaiduDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const p = streamEventObject(event.data);
  if (!p) return out;
  if (p.error_code !== undefined && p.error_code !== 0) {
    out.push({ type: "error", error: baiduError(p) });
    return out;
  }
  if (!s.started) {
    s.started = true;
    out.push({
      type: "start",
      id: str(p.id) ?? "",
      model: s.model,
      ...(num(p.created) ? { created: num(p.created) } : {}),
    });
  }
  if (typeof p.result === "string" && p.result) out.push({ type: "text", text: p.result });
  const usage = obj(p.usage);
  if (usage) out.push({ type: "usage", usage: usageOf(usage) });
  if (p.is_end === true) out.push({ type: "finish", reason: p.is_truncated === true ? "length" : "stop" });
  return out;
}

export const baiduWire: WireCodec<BaiduDecodeState> = {
  name: "baidu_ernie",
  semantic: "openai",
  encodeRequest: encodeBaiduRequest,
  decodeResponse: decodeBaiduResponse,
  newStreamDecoder: (model) => ({ model, started: false }),
  decodeStreamEvent: decodeBaiduStreamEvent,
};

export const baiduProvider: ProviderSpec = {
  name: "baidu",
  types: [15],
  defaultBaseUrl: "https://aip.baidubce.com",
  dialects: ["openai_chat"],
  passthrough: new Set(),
  streamOptions: false,
  wire: baiduWire,
  url: (t) =>
    `${t.baseUrl}/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/${encodeURIComponent(baiduEndpoint(t.model))}`,
  headers: () => ({}),
  async sign(req) {
    const parts = req.key.split("|").map((p) => p.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new ChannelError("the Baidu key must be API Key|Secret Key");
    }
    const http = req.http;
    if (!http) throw new ChannelError("no HTTP client for the Baidu token exchange");
    const tokenUrl = `${req.target.baseUrl}/oauth/2.0/token?${new URLSearchParams({
      grant_type: "client_credentials",
      client_id: parts[0],
      client_secret: parts[1],
    })}`;
    const token = await cachedToken(`baidu|${req.target.baseUrl}|${parts[0]}|${parts[1]}`, async () => {
      const res = await http.request({
        method: "POST",
        url: tokenUrl,
        headers: { accept: "application/json" },
        proxy: req.proxy,
        totalTimeoutMs: 20_000,
      });
      let b: Record<string, unknown> = {};
      try {
        b = JSON.parse(new TextDecoder().decode(await res.bytes(1 << 20)));
      } catch { /* reported below */ }
      if (typeof b.access_token !== "string" || !b.access_token) {
        const why = typeof b.error_description === "string" ? b.error_description : `status ${res.status}`;
        throw new ChannelError(`the Baidu token exchange failed: ${why.slice(0, 200)}`);
      }
      return { token: b.access_token, expiresIn: typeof b.expires_in === "number" ? b.expires_in : 2592000 };
    });
    return { url: `${req.url}?access_token=${encodeURIComponent(token)}`, headers: {} };
  },
};
