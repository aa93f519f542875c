/**
 * Token counting for when the upstream reports no usage: a real BPE tokenizer (gpt-tokenizer, o200k_base)
 * plus New API's per-message overheads (3 per message, 3 per name, 8 per tool, 3 to prime the reply) and
 * flat counts for media it cannot see (image 520, audio 256, video 8192, other file 4096).
 * The encoder (~40 MB, ~300 ms to load) is loaded once, lazily; `Billing.start()` warms it.
 */

export type CountTokens = (text: string) => number;

let loading: Promise<CountTokens> | undefined;

/**
 * BPE is quadratic in the length of one pre-token (100k characters without a space took 17 s), so text
 * is counted in segments of at most this many characters, cut at a space or tab where possible (a
 * pre-token boundary, see stream_meter.ts) and hard-cut otherwise.
 */
export const MAX_SEGMENT = 1024;

const isBlank = (c: number) => c === 32 || c === 9 || c === 12 || c === 11 || c === 0xa0;
const isSpace = (c: number) => isBlank(c) || c === 10 || c === 13;

/** The last index in (from, to) where a segment may end (before a blank that follows a non-space), or -1. */
export function lastCut(text: string, from: number, to: number): number {
  for (let i = to - 1; i > from; i--) {
    if (isBlank(text.charCodeAt(i)) && !isSpace(text.charCodeAt(i - 1))) return i;
  }
  return -1;
}

/** The shared counter; the first call loads the encoder. */
export function tokenCounter(): Promise<CountTokens> {
  loading ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => {
    const opts = { disallowedSpecial: new Set<string>() };
    return (text: string) => {
      let n = 0;
      let start = 0;
      while (text.length - start > MAX_SEGMENT) {
        const cut = lastCut(text, start, start + MAX_SEGMENT);
        const end = cut > start ? cut : start + MAX_SEGMENT;
        n += m.countTokens(text.slice(start, end), opts);
        start = end;
      }
      return start < text.length ? n + m.countTokens(text.slice(start), opts) : n;
    };
  });
  return loading;
}

export const MEDIA_TOKENS = { image: 520, audio: 256, video: 8192, file: 4096 } as const;

export const CHAT_OVERHEAD = { perMessage: 3, perName: 3, perTool: 8, reply: 3 } as const;

export interface PromptMessage {
  role?: string;
  name?: string;
  /** All the text of the message (text parts, tool results, tool-call arguments). */
  text: string;
  /** Images, audio clips, videos and other files attached, when not measured. */
  images?: number;
  audios?: number;
  videos?: number;
  files?: number;
  /** Tokens already measured for the media (overrides the flat counts above). */
  mediaTokens?: number;
}

export interface PromptShape {
  system?: string;
  messages: PromptMessage[];
  /** Each tool definition as JSON text. */
  tools?: string[];
}

/** Estimated prompt tokens of a chat-style request (any dialect, flattened by the relay). */
export function estimatePromptTokens(count: CountTokens, p: PromptShape): number {
  let n = CHAT_OVERHEAD.reply;
  if (p.system) n += CHAT_OVERHEAD.perMessage + count(p.system);
  for (const m of p.messages) {
    n += CHAT_OVERHEAD.perMessage + count(m.text);
    if (m.name) n += CHAT_OVERHEAD.perName + count(m.name);
    n += m.mediaTokens ?? (m.images ?? 0) * MEDIA_TOKENS.image + (m.audios ?? 0) * MEDIA_TOKENS.audio +
        (m.videos ?? 0) * MEDIA_TOKENS.video + (m.files ?? 0) * MEDIA_TOKENS.file;
  }
  for (const tool of p.tools ?? []) n += CHAT_OVERHEAD.perTool + count(tool);
  return n;
}
