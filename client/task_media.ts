/**
 * The previews a task log row can show: every http(s) address in a task's answer (Suno clips, video
 * objects, Midjourney images), told apart as image, video or audio by the field that holds it or its file
 * extension. Pure, so the row's JSON is read the same way in tests and in the browser.
 */
export type MediaKind = "image" | "video" | "audio";

export interface TaskMedia {
  kind: MediaKind;
  url: string;
}

const EXT: [RegExp, MediaKind][] = [
  [/\.(png|jpe?g|gif|webp|avif)$/i, "image"],
  [/\.(mp4|webm|mov|m4v)$/i, "video"],
  [/\.(mp3|wav|m4a|ogg|flac|aac)$/i, "audio"],
];

function kindOf(key: string, url: string): MediaKind | undefined {
  const k = key.toLowerCase();
  for (const kind of ["audio", "video", "image"] as const) if (k.includes(kind)) return kind;
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch { /* not a URL: no kind */ }
  return EXT.find(([re]) => re.test(path))?.[1];
}

const isWebUrl = (v: string) => /^https?:\/\/[^\s"'<>]+$/i.test(v);

/** The media of `value` (an object, array or JSON text), each address once, at most `limit`. */
export function taskMedia(value: unknown, limit = 8): TaskMedia[] {
  const out: TaskMedia[] = [];
  const seen = new Set<string>();
  const visit = (v: unknown, key: string, depth: number) => {
    if (out.length >= limit || depth > 6) return;
    if (typeof v === "string") {
      const text = v.trim();
      if ((text.startsWith("[") || text.startsWith("{")) && depth < 6) {
        try {
          return visit(JSON.parse(text), key, depth + 1);
        } catch { /* plain text */ }
      }
      if (!isWebUrl(text) || seen.has(text)) return;
      const kind = kindOf(key, text);
      if (kind) {
        seen.add(text);
        out.push({ kind, url: text });
      }
    } else if (Array.isArray(v)) {
      for (const item of v) visit(item, key, depth + 1);
    } else if (v && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) visit(item, k, depth + 1);
    }
  };
  visit(value, "", 0);
  return out;
}
