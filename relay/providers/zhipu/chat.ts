/**
 * Zhipu's v3 model API (`/api/paas/v3/model-api/{model}/invoke` and `/sse-invoke`) as an upstream wire,
 * read from Zhipu's v3 reference and New API's zhipu adaptor: the chat goes as `prompt` (a system turn is
 * followed by a user "Okay", as New API sends it), `temperature`, `top_p` below 1; the answer is
 * `{code, msg, success, data: {task_id, choices: [{role, content}], usage}}` with the content in quotes,
 * and an error is `success: false` with Zhipu's code, often inside an HTTP 200. The v3 API has no tools:
 * they are dropped (as New API does), earlier calls and results read as text; images are refused.
 */
import type { SseEvent } from "../../sse/event.ts";
import { invalidRequest, RelayError } from "../../formats/errors.ts";
import type { IrRequest, IrResponse, IrStreamEvent, IrUsage } from "../../formats/ir.ts";
import { arr, type JsonObject, num, obj, str, tokenCount } from "../../formats/upstream_body.ts";
import { chatTurns, type WireCodec } from "../../formats/wire.ts";
import { ZhipuSseParser } from "./sse_invoke.ts";

/** Zhipu's v3 error codes → HTTP statuses (its error code table). */
export function zhipuErrorStatus(code: number): number {
  if (code >= 1000 && code <= 1004) return 401;
  if (code >= 1100 && code <= 1121) return 403;
  if (code >= 1302 && code <= 1305) return 429;
  if ((code >= 1210 && code <= 1216) || code === 1261 || code === 1301) return 400;
  if (code >= 1220 && code <= 1222) return 403;
  return 500;
}

function zhipuError(o: JsonObject): RelayError {
  const code = num(o.code) ?? 0;
  return new RelayError(zhipuErrorStatus(code), str(o.msg) ?? `Zhipu error ${code}`, { code: String(code) });
}

export function encodeZhipuRequest(ir: IrRequest): Record<string, unknown> {
  const prompt: { role: string; content: string }[] = [];
  for (const t of chatTurns(ir)) {
    if (t.role === "system") {
      prompt.push({ role: "system", content: t.text }, { role: "user", content: "Okay" });
    } else if (t.role === "assistant") {
      if (t.text) prompt.push({ role: "assistant", content: t.text });
    } else if (t.role === "tool") prompt.push({ role: "user", content: t.text });
    else {
      if (t.parts.some((p) => p.type !== "text")) throw invalidRequest("Zhipu's v3 API takes text only");
      if (t.text) prompt.push({ role: "user", content: t.text });
    }
  }
  const body: Record<string, unknown> = { prompt };
  if (ir.temperature !== undefined) body.temperature = ir.temperature;
  if (ir.topP !== undefined && ir.topP > 0) body.top_p = ir.topP >= 1 ? 0.99 : ir.topP;
  return body;
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

/** v3 answers the content as a JSON-quoted string; New API trims the quotes. */
const unquote = (s: string) => s.replace(/^"+|"+$/g, "");

export function decodeZhipuResponse(body: unknown): IrResponse {
  const o = obj(body);
  if (!o) throw new RelayError(502, "unreadable Zhipu answer", { code: "bad_response_body" });
  if (o.success !== true) throw zhipuError(o);
  const data = obj(o.data) ?? {};
  const text = arr(data.choices).map((c) => unquote(str(obj(c)?.content) ?? "")).join("");
  const usage = obj(data.usage);
  return {
    id: str(data.task_id) ?? "",
    model: "",
    content: text ? [{ type: "text", text }] : [],
    finishReason: "stop",
    ...(usage ? { usage: usageOf(usage) } : {}),
  };
}

export interface ZhipuDecodeState {
  model: string;
  started: boolean;
  finished: boolean;
}

export function decodeZhipuStreamEvent(s: ZhipuDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  if (event.event === "error" || event.event === "interrupted") {
    const message = event.data.trim() || `Zhipu stream ${event.event}`;
    return [{ type: "error", error: new RelayError(500, message, { code: `zhipu_${event.event}` }) }];
  }
  if (!s.started) {
    s.started = true;
    out.push({ type: "start", id: event.id ?? "", model: s.model });
  }
  if (event.event === "meta") {
    let meta: JsonObject | undefined;
    try {
      meta = obj(JSON.parse(event.data));
    } catch { /* checked below */ }
    if (!meta) throw new RelayError(502, "unreadable Zhipu stream meta", { code: "bad_response_body" });
    const usage = obj(meta.usage);
    if (usage) out.push({ type: "usage", usage: usageOf(usage) });
    if (!s.finished) {
      s.finished = true;
      out.push({ type: "finish", reason: "stop" });
    }
  } else if (event.data) out.push({ type: "text", text: event.data });
  return out;
}

export const zhipuV3Wire: WireCodec<ZhipuDecodeState> = {
  name: "zhipu_v3",
  semantic: "openai",
  newStreamParser: (opts) => new ZhipuSseParser(opts),
  encodeRequest: encodeZhipuRequest,
  decodeResponse: (body, model) => ({ ...decodeZhipuResponse(body), model }),
  newStreamDecoder: (model) => ({ model, started: false, finished: false }),
  decodeStreamEvent: decodeZhipuStreamEvent,
};
