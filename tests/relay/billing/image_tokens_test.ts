/**
 * Image prompt tokens by New API's `getImageToken`: header sizes read from PNG, JPEG, GIF and WebP bytes,
 * tiles after fitting in 2048² and a 768 short side, and the GET_MEDIA_TOKEN / GET_MEDIA_TOKEN_NOT_STREAM
 * switches with their flat values.
 */
import { assertEquals } from "../../support/assert.ts";
import {
  FLAT_IMAGE_TOKENS,
  imageDimensions,
  imagePromptTokens,
} from "../../../relay/billing/image_tokens.ts";
import type { IrImagePart } from "../../../relay/formats/ir.ts";

function png(w: number, h: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return b;
}
function jpeg(w: number, h: number): Uint8Array {
  // SOI, an APP0 segment of 16 bytes, then SOF0 with height and width.
  const app0 = [0xff, 0xe0, 0, 16, ...new Array(14).fill(0)];
  const sof = [0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, ...new Array(9).fill(0)];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof]);
}
function gif(w: number, h: number): Uint8Array {
  return Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, w & 255, w >> 8, h & 255, h >> 8, 0, 0]);
}
function webpVp8x(w: number, h: number): Uint8Array {
  const b = new Uint8Array(30);
  b.set([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x58]);
  const put24 = (i: number, v: number) => b.set([v & 255, (v >> 8) & 255, (v >> 16) & 255], i);
  put24(24, w - 1);
  put24(27, h - 1);
  return b;
}
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const part = (bytes: Uint8Array, detail?: string): IrImagePart => ({
  type: "image",
  source: { kind: "base64", mediaType: "image/png", data: b64(bytes) },
  ...(detail ? { detail } : {}),
});
const on = { getMediaToken: true, notStream: true, stream: true, model: "gpt-4o" };

Deno.test("image sizes are read from PNG, JPEG, GIF and WebP headers", () => {
  assertEquals(imageDimensions(png(1024, 768)), { width: 1024, height: 768 });
  assertEquals(imageDimensions(jpeg(640, 480)), { width: 640, height: 480 });
  assertEquals(imageDimensions(gif(300, 200)), { width: 300, height: 200 });
  assertEquals(imageDimensions(webpVp8x(4000, 3000)), { width: 4000, height: 3000 });
  assertEquals(imageDimensions(new Uint8Array([1, 2, 3, 4])), undefined);
});

Deno.test("images are priced in 512-pixel tiles after New API's scaling", () => {
  // 1024×1024 → short side 768 → 768×768: 2×2 tiles = 4 × 170 + 85.
  assertEquals(imagePromptTokens(part(png(1024, 1024)), on), 765);
  // 4000×3000 → 2048×1536 → 1024×768: 2×2 tiles.
  assertEquals(imagePromptTokens(part(webpVp8x(4000, 3000)), on), 765);
  // 300×200 → 1 tile.
  assertEquals(imagePromptTokens(part(gif(300, 200)), on), 255);
  assertEquals(imagePromptTokens(part(jpeg(640, 480)), { ...on, model: "gpt-4o-mini" }), 2 * 5667 + 2833);
  assertEquals(imagePromptTokens(part(png(1024, 1024), "low"), on), 85);
  assertEquals(imagePromptTokens(part(png(1024, 1024)), { ...on, model: "glm-4v" }), 1047);
  // Not measurable here: the flat estimate.
  assertEquals(
    imagePromptTokens({ type: "image", source: { kind: "url", url: "https://example.com/a.png" } }, on),
    FLAT_IMAGE_TOKENS,
  );
});

Deno.test("GET_MEDIA_TOKEN off is 3 × base; non-stream with GET_MEDIA_TOKEN_NOT_STREAM off is 256", () => {
  assertEquals(imagePromptTokens(part(png(1024, 1024)), { ...on, getMediaToken: false }), 255);
  assertEquals(imagePromptTokens(part(png(1024, 1024)), { ...on, notStream: false, stream: false }), 256);
  assertEquals(imagePromptTokens(part(png(1024, 1024)), { ...on, notStream: false, stream: true }), 765);
});
