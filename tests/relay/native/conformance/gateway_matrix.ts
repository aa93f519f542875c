/**
 * The gateway conformance matrix's table: the cases (written once as IR requests and encoded in each
 * client's dialect, as that dialect's SDK would send them), how each ingress dialect is called, and how a
 * client reads the answer back (its own codec, whole or from the stream it received).
 */
import type { Dialect, IrMessage, IrRequest, IrResponse, IrTool } from "../../../../relay/formats/ir.ts";
import { CODECS } from "../../../../relay/formats/translate.ts";
import { sseParserStream } from "../../../../relay/sse/parser.ts";
import type { SseEvent } from "../../../../relay/sse/event.ts";
import type { AnswerMeaning } from "../../formats/conformance/matrix.ts";
import { collectStream } from "../../formats/conformance/matrix.ts";

const weather: IrTool = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } } },
};
const clock: IrTool = {
  name: "get_time",
  parameters: { type: "object", properties: { zone: { type: "string" } } },
};
const user = (text: string): IrMessage => ({ role: "user", content: [{ type: "text", text }] });
/** A 1×1 PNG. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

export type CaseName = "text" | "system" | "tool_result" | "parallel_tools" | "image" | "thinking";

/** Each case without model and stream; `calls` is how many tool calls the answer must hold. */
export const CASES: Record<CaseName, { request: Omit<IrRequest, "model" | "stream">; calls: number }> = {
  text: { request: { messages: [user("Describe the harbor at dawn")], maxTokens: 256 }, calls: 0 },
  system: {
    request: {
      messages: [
        { role: "system", content: [{ type: "text", text: "Answer in one line." }] },
        user("Name a river"),
      ],
      maxTokens: 256,
    },
    calls: 0,
  },
  tool_result: {
    request: {
      tools: [weather],
      maxTokens: 256,
      messages: [
        user("Weather in Oslo?"),
        {
          role: "assistant",
          content: [{ type: "tool_call", id: "call_w1", name: "get_weather", arguments: '{"city":"Oslo"}' }],
        },
        {
          role: "user",
          content: [{
            type: "tool_result",
            callId: "call_w1",
            name: "get_weather",
            content: [{ type: "text", text: '{"temp_c":3}' }],
          }],
        },
      ],
    },
    calls: 0,
  },
  parallel_tools: {
    request: {
      tools: [weather, clock],
      maxTokens: 256,
      messages: [user("Weather in Oslo and the time in Lima? [fake:calls=2]")],
    },
    calls: 2,
  },
  image: {
    request: {
      maxTokens: 256,
      messages: [{
        role: "user",
        content: [{ type: "text", text: "What is in this image?" }, {
          type: "image",
          source: { kind: "base64", mediaType: "image/png", data: PNG },
        }],
      }],
    },
    calls: 0,
  },
  thinking: {
    request: {
      maxTokens: 4096,
      reasoning: { enabled: true, budgetTokens: 2048, includeThoughts: true, summary: "auto" },
      messages: [user("Is 9.11 larger than 9.8?")],
    },
    calls: 0,
  },
};

export const INGRESS: Dialect[] = ["openai_chat", "openai_responses", "claude", "gemini"];

/** The client's HTTP request for a case: path, auth headers (each dialect's own) and body. */
export function clientRequest(
  dialect: Dialect,
  ir: IrRequest,
  key: string,
): { path: string; headers: Record<string, string>; body: Record<string, unknown> } {
  const body = CODECS[dialect].encodeRequest(ir);
  switch (dialect) {
    case "openai_chat":
      return { path: "/v1/chat/completions", headers: { authorization: `Bearer ${key}` }, body };
    case "openai_responses":
      return { path: "/v1/responses", headers: { authorization: `Bearer ${key}` }, body };
    case "claude":
      return { path: "/v1/messages", headers: { "x-api-key": key, "anthropic-version": "2023-06-01" }, body };
    case "gemini":
      // Streams authenticate with `?key=`, the rest with the header: both ways are covered.
      return ir.stream
        ? { path: `/v1beta/models/${ir.model}:streamGenerateContent?alt=sse&key=${key}`, headers: {}, body }
        : { path: `/v1beta/models/${ir.model}:generateContent`, headers: { "x-goog-api-key": key }, body };
  }
}

/** The client's view of an answer: decoded whole, or accumulated from the stream it received. */
export async function readAnswer(
  dialect: Dialect,
  res: Response,
  stream: boolean,
): Promise<{ ir: IrResponse; errors: number; events: SseEvent[] }> {
  if (!stream) return { ir: CODECS[dialect].decodeResponse(await res.json()), errors: 0, events: [] };
  const events: SseEvent[] = [];
  for await (const ev of res.body!.pipeThrough(sseParserStream({ maxBufferBytes: 1 << 20 }))) events.push(ev);
  const { ir, errors } = collectStream(dialect, events);
  return { ir, errors, events };
}

/** What a client of `client` can see of an answer's meaning (Claude has no reasoning-token count). */
export function visibleTo(client: Dialect, m: AnswerMeaning): AnswerMeaning {
  const out = structuredClone(m);
  if (client === "openai_chat") out.signatures = [];
  if (client === "claude" && out.usage) out.usage.reasoning = 0;
  return out;
}

/** The dialect the gateway spoke upstream, from the path the fake saw. */
export function upstreamDialectOf(path: string): Dialect {
  if (path.endsWith("/chat/completions")) return "openai_chat";
  if (path.endsWith("/responses")) return "openai_responses";
  if (path.endsWith("/messages")) return "claude";
  return "gemini";
}
