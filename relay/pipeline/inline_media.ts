/**
 * Images referenced by URL, fetched and inlined as base64 for an upstream that cannot read URLs (Gemini
 * takes `inlineData`; its `fileData` is for uploaded files), as New API's gemini adaptor does: through the
 * SSRF guard (`fetch_setting.*`), capped at MAX_FILE_DOWNLOAD_MB. A URL that is refused, unreachable, not
 * an image or too large is the client's error: a 400 naming why, before anything is sent upstream.
 */
import type { IrMediaSource, IrRequest } from "../formats/ir.ts";
import { RelayError } from "../formats/errors.ts";
import { type FetchSetting } from "../../net/fetch_setting.ts";
import { guardedFetch, SsrfRefusedError } from "../../net/ssrf_fetch.ts";

/** Fetches one user-supplied media URL; resolves to its bytes as base64 with their media type. */
export type MediaFetcher = (url: string) => Promise<{ mediaType: string; data: string }>;

function bad(message: string): RelayError {
  return new RelayError(400, message, { code: "invalid_image_url", param: "image_url" });
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The fetcher the relay uses: the SSRF guard with the site's fetch setting, `maxMb` MiB at most. */
export function guardedMediaFetcher(setting: () => FetchSetting, maxMb: number): MediaFetcher {
  return async (url) => {
    let res;
    try {
      res = await guardedFetch(url, { setting: setting(), maxBytes: maxMb * 1024 * 1024, timeoutMs: 30_000 });
    } catch (e) {
      if (e instanceof SsrfRefusedError) throw bad(`the image URL is not allowed: ${e.message}`);
      const msg = String((e as Error).message ?? e);
      if (msg.includes("larger than")) throw bad(`the image at the URL is larger than ${maxMb} MB`);
      throw bad("the image URL could not be fetched");
    }
    if (res.status !== 200) throw bad(`the image URL answered HTTP ${res.status}`);
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (!mediaType.startsWith("image/")) throw bad("the URL does not point to an image");
    return { mediaType, data: base64(res.body) };
  };
}

const GEMINI_FILES = /^https:\/\/generativelanguage\.googleapis\.com\//i;

/** Replaces every http(s) image URL of `ir` with its fetched bytes (each URL fetched once). */
export async function inlineImageUrls(ir: IrRequest, fetchMedia: MediaFetcher): Promise<IrRequest> {
  const fetched = new Map<string, Promise<{ mediaType: string; data: string }>>();
  const inline = async (source: IrMediaSource): Promise<IrMediaSource> => {
    // Gemini's own Files API URIs stay references (`fileData`): they need the channel's key, not a fetch.
    if (source.kind !== "url" || !/^https?:\/\//i.test(source.url) || GEMINI_FILES.test(source.url)) {
      return source;
    }
    if (!fetched.has(source.url)) fetched.set(source.url, fetchMedia(source.url));
    const got = await fetched.get(source.url)!;
    return { kind: "base64", mediaType: got.mediaType, data: got.data };
  };
  let changed = false;
  const messages = await Promise.all(ir.messages.map(async (m) => {
    if (!m.content.some((p) => p.type === "image" && p.source.kind === "url")) return m;
    changed = true;
    const content = await Promise.all(
      m.content.map(async (p) => p.type === "image" ? { ...p, source: await inline(p.source) } : p),
    );
    return { ...m, content };
  }));
  return changed ? { ...ir, messages } : ir;
}
