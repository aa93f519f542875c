/**
 * Zhipu CogView image generation (type 26, `{base}/api/paas/v4/images/generations`) as New API's zhipu_4v
 * adaptor: only the fields CogView takes (`model`, `prompt`, `quality`, `size`, `watermark_enabled`,
 * `user_id` from OpenAI's `user`); the answer's `url`/`image_url` or `b64_json`/`b64_image` entries become
 * OpenAI's, and an `error` object in the body is the upstream's failure.
 */
import { RelayError } from "../../formats/errors.ts";
import type { GeneratedImage, ImageAdapter } from "../image_adapter.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

export const zhipuImages: ImageAdapter = {
  url: (t) => `${t.baseUrl}/api/paas/v4/images/generations`,
  body(json, model) {
    const body: Json = { model, prompt: json.prompt };
    if (str(json.quality)) body.quality = json.quality;
    if (str(json.size)) body.size = json.size;
    const watermark = json.watermark_enabled ?? json.watermark;
    if (typeof watermark === "boolean") body.watermark_enabled = watermark;
    const user = str(json.user_id) ?? str(json.user);
    if (user) body.user_id = user;
    return body;
  },
  read(answer) {
    if (!isObject(answer)) {
      throw new RelayError(502, "The upstream answered with an unreadable image body", {
        code: "bad_response_body",
      });
    }
    if (isObject(answer.error) && str(answer.error.message)) {
      return { state: "failed", message: String(answer.error.message), code: str(answer.error.code) };
    }
    const data = Array.isArray(answer.data) ? answer.data : [];
    const images = data.flatMap((d): GeneratedImage[] => {
      if (!isObject(d)) return [];
      const b64 = str(d.b64_json) ?? str(d.b64_image);
      const url = str(d.url) ?? str(d.image_url);
      return b64 || url ? [{ b64, url }] : [];
    });
    const created = typeof answer.created === "number" && answer.created > 0 ? answer.created : undefined;
    return { state: "done", images, created };
  },
};
