/**
 * Token counting for when the upstream reports no usage: a real BPE tokenizer (gpt-tokenizer, o200k_base)
 * plus New API's per-message overheads (3 per message, 3 per name, 8 per tool, 3 to prime the reply) and
 * flat counts for media it cannot see (image 520, audio 256, video 8192, other file 4096).
 * The encoder is loaded once, lazily (`Billing.start()` warms it): the rank table comes from
 * `o200k_base_ranks.json` (written by `scripts/gen_o200k_ranks.ts` from the package, checked equal by a test)
 * through `JSON.parse`: loaded so it adds ~42 MB to the process's RSS, where importing the package's 4 MB JS
 * module of string literals added ~67 MB (and 5 MB more heap). The encoding is the package's own
 * (`GptEncoding` with the o200k_base parameters, exactly what its entry point builds), so counts are equal.
 */

export type CountTokens = (text: string) => number;

let loading: Promise<CountTokens> | undefined;

const RANKS_FILE = new URL("./o200k_base_ranks.json", import.meta.url);

/**
 * Pre-tokens the encoder remembers the merge of (least recently used dropped first). The package's default,
 * 100,000, is ~27 MB of heap once full, filled over hours by the distinct words streamed through the meter;
 * 10,000 is ~3 MB, and a miss costs one BPE merge of one short word. Counts do not depend on it.
 */
const MERGE_CACHE_ENTRIES = 10_000;

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
  loading ??= Promise.all([import("gpt-tokenizer/GptEncoding"), Deno.readTextFile(RANKS_FILE)]).then(
    ([{ GptEncoding }, json]) => {
      // Parsed here, not inside the callback, so no closure keeps the 2 MB text alive.
      const ranks = JSON.parse(json);
      const m = GptEncoding.getEncodingApi("o200k_base", () => ranks);
      m.setMergeCacheSize(MERGE_CACHE_ENTRIES);
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
    },
  );
  return loading;
}

/**
 * The prompt estimate a hold is taken from, with no tokenizer: a quarter of the text's UTF-8 bytes (the
 * exact count is made later, and only when billing needs it). Against o200k it is over by
 * about 40% on English prose and 70% on Cyrillic, about right on CJK, under by about 30% on code; the hold
 * was always an estimate of what the upstream will report, and every charge is the full usage.
 */
const ASCII = /^[^\u0080-\uffff]*$/;

export const estimateTokensFromBytes: CountTokens = (text) => {
  // Most prompts are ASCII, where bytes are characters: one native scan instead of a loop.
  if (ASCII.test(text)) return Math.ceil(text.length / 4);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one 4-byte character
      i++;
    } else bytes += 3;
  }
  return Math.ceil(bytes / 4);
};

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
