/** `data:` URIs and media types, for dialects that inline media differently (§5.17). */
import type { IrMediaSource } from "./ir.ts";

/** Splits `data:<type>;base64,<data>`; anything else (an http URL) is not a data URI. */
export function parseDataUri(uri: string): { mediaType: string; data: string } | undefined {
  if (!uri.startsWith("data:")) return undefined;
  const comma = uri.indexOf(",");
  if (comma < 0) return undefined;
  const meta = uri.slice(5, comma);
  if (!meta.endsWith(";base64")) return undefined;
  return { mediaType: meta.slice(0, -7) || "application/octet-stream", data: uri.slice(comma + 1) };
}

export function toDataUri(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/** A URL or data URI as a media source. */
export function sourceFromUrl(url: string): IrMediaSource {
  const inline = parseDataUri(url);
  return inline ? { kind: "base64", ...inline } : { kind: "url", url };
}

/** The URL form of a source (data URI for inline bytes); file ids have none. */
export function sourceToUrl(source: IrMediaSource): string | undefined {
  if (source.kind === "url") return source.url;
  if (source.kind === "base64") return toDataUri(source.mediaType, source.data);
  return undefined;
}

const EXTENSION_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  pdf: "application/pdf",
  txt: "text/plain",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  mp4: "video/mp4",
};

/** Best guess of a URL's media type from its extension (Gemini `fileData` needs one). */
export function guessMediaType(url: string, fallback: string): string {
  const path = url.split(/[?#]/, 1)[0];
  const dot = path.lastIndexOf(".");
  return (dot >= 0 && EXTENSION_TYPES[path.slice(dot + 1).toLowerCase()]) || fallback;
}
