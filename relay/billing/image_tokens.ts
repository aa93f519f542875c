/**
 * Prompt tokens of an input image, New API's `getImageToken`: `detail: low` is the base (85); with
 * GET_MEDIA_TOKEN off, 3 × base; for a non-stream request with GET_MEDIA_TOKEN_NOT_STREAM off, 256;
 * otherwise the image is measured (inline bytes: PNG, JPEG, GIF or WebP header) and priced in 512-pixel
 * tiles after fitting it in 2048² and its short side in 768 (170 per tile + 85; gpt-4o-mini 5667 + 2833;
 * glm-4v a flat 1047). An image that cannot be measured here (a URL, an unknown format) keeps the flat
 * estimate.
 */
import type { IrImagePart } from "../formats/ir.ts";

export interface MediaCountOptions {
  /** GET_MEDIA_TOKEN */
  getMediaToken: boolean;
  /** GET_MEDIA_TOKEN_NOT_STREAM */
  notStream: boolean;
  stream: boolean;
  model: string;
}

/** Our flat estimate for an image that is not measured. */
export const FLAT_IMAGE_TOKENS = 520;

function u16be(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}
function u24le(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
}

/** Width and height from an image's first bytes (PNG, GIF, WebP, JPEG), or undefined. */
export function imageDimensions(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return {
      width: (u16be(b, 16) << 16 | u16be(b, 18)) >>> 0,
      height: (u16be(b, 20) << 16 | u16be(b, 22)) >>> 0,
    };
  }
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) {
    return { width: b[6] | (b[7] << 8), height: b[8] | (b[9] << 8) };
  }
  if (b.length >= 30 && b[0] === 0x52 && b[1] === 0x49 && b[8] === 0x57 && b[9] === 0x45) {
    const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
    if (chunk === "VP8X") return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
    if (chunk === "VP8 ") {
      return { width: (b[26] | (b[27] << 8)) & 0x3fff, height: (b[28] | (b[29] << 8)) & 0x3fff };
    }
    if (chunk === "VP8L") {
      const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1];
      // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: u16be(b, i + 7), height: u16be(b, i + 5) };
      }
      i += 2 + u16be(b, i + 2);
    }
  }
  return undefined;
}

/** The first bytes of a base64 payload, enough for any header above (decoding all of it is not needed). */
function headBytes(data: string, max = 64 * 1024): Uint8Array | undefined {
  try {
    const head = data.slice(0, Math.ceil(max / 3) * 4).replace(/[^A-Za-z0-9+/]/g, "");
    const bin = atob(head.slice(0, head.length - (head.length % 4)));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export function imagePromptTokens(part: IrImagePart, o: MediaCountOptions): number {
  let base = 85;
  let tile = 170;
  if (o.model === "glm-4v") return 1047;
  if (part.detail === "low") return base;
  if (!o.notStream && !o.stream) return 256;
  if (o.model.startsWith("gpt-4o-mini")) {
    tile = 5667;
    base = 2833;
  }
  if (!o.getMediaToken) return 3 * base;
  const bytes = part.source.kind === "base64" ? headBytes(part.source.data) : undefined;
  const dims = bytes && imageDimensions(bytes);
  if (!dims || dims.width <= 0 || dims.height <= 0) return FLAT_IMAGE_TOKENS;
  let { width: w, height: h } = dims;
  if (w > 2048 || h > 2048) {
    const r = 2048 / Math.max(w, h);
    w = Math.floor(w * r);
    h = Math.floor(h * r);
  }
  if (Math.min(w, h) > 768) {
    const r = 768 / Math.min(w, h);
    w = Math.floor(w * r);
    h = Math.floor(h * r);
  }
  return Math.ceil(w / 512) * Math.ceil(h / 512) * tile + base;
}
