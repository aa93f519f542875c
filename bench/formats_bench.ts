/** Per-chunk cost of stream translation on the hot path: `deno bench bench/formats_bench.ts`. */
import type { SseEvent } from "../relay/sse/event.ts";
import type { Dialect } from "../relay/formats/ir.ts";
import { translation } from "../relay/formats/translate.ts";

const CHUNKS = 1000;
const word = "token ";

function chatStream(): SseEvent[] {
  const head = '"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1"';
  const out: SseEvent[] = [];
  for (let i = 0; i < CHUNKS; i++) {
    out.push({
      data: `{${head},"choices":[{"index":0,"delta":{"content":"${word}"},"finish_reason":null}]}`,
    });
  }
  out.push({ data: `{${head},"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` });
  out.push({ data: `{${head},"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${CHUNKS}}}` });
  out.push({ data: "[DONE]" });
  return out;
}

function claudeStream(): SseEvent[] {
  const ev = (type: string, body: string) => ({ event: type, data: `{"type":"${type}",${body}}` });
  const out = [
    ev("message_start", '"message":{"id":"msg_1","model":"c","usage":{"input_tokens":10,"output_tokens":1}}'),
    ev("content_block_start", '"index":0,"content_block":{"type":"text","text":""}'),
  ];
  for (let i = 0; i < CHUNKS; i++) {
    out.push(ev("content_block_delta", `"index":0,"delta":{"type":"text_delta","text":"${word}"}`));
  }
  out.push(ev("content_block_stop", '"index":0'));
  out.push(ev("message_delta", `"delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":${CHUNKS}}`));
  out.push(ev("message_stop", ""));
  return out.map((e) => ({ ...e, data: e.data.replace(",}", "}") }));
}

function run(client: Dialect, upstream: Dialect, events: SseEvent[]): number {
  const t = translation(client, upstream).streamTranslator({ created: 1, includeUsage: true });
  let n = 0;
  for (const e of events) n += t.push(e).length;
  return n + t.end().length;
}

const chat = chatStream();
const claude = claudeStream();

Deno.bench(`openai_chat → claude, ${CHUNKS} text chunks`, () => void run("claude", "openai_chat", chat));
Deno.bench(`claude → openai_chat, ${CHUNKS} text chunks`, () => void run("openai_chat", "claude", claude));
Deno.bench(
  `claude → openai_responses, ${CHUNKS} text chunks`,
  () => void run("openai_responses", "claude", claude),
);
Deno.bench(
  `openai_chat pass-through (usage watch), ${CHUNKS} chunks`,
  () => void run("openai_chat", "openai_chat", chat),
);
