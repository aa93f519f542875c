/**
 * DashScope image generation (Ali, type 17) as New API's ali adaptor: wanx models through the async
 * `text2image/image-synthesis` task (`X-DashScope-Async: enable`, then `GET /api/v1/tasks/{id}` until
 * SUCCEEDED, FAILED, CANCELED or UNKNOWN), `qwen-image*` models through the synchronous
 * `multimodal-generation/generation`. OpenAI's `size` becomes `W*H`; a client's own `input` or
 * `parameters` object is sent as it is (New API's pass-through of those fields).
 */
import { RelayError } from "../../formats/errors.ts";
import { type GeneratedImage, type ImageAdapter, imageUrls } from "../image_adapter.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const isQwenImage = (model: string) => /^qwen-image/i.test(model.trim());

function bad(): RelayError {
  return new RelayError(502, "The upstream answered with an unreadable image body", {
    code: "bad_response_body",
  });
}

function parameters(json: Json): Json {
  if (isObject(json.parameters)) return json.parameters;
  const p: Json = { n: typeof json.n === "number" ? json.n : 1 };
  if (typeof json.size === "string" && json.size) p.size = json.size.replace("x", "*");
  if (typeof json.watermark === "boolean") p.watermark = json.watermark;
  if (typeof json.negative_prompt === "string") p.negative_prompt = json.negative_prompt;
  return p;
}

function resultImages(results: unknown): GeneratedImage[] {
  if (!Array.isArray(results)) return [];
  return results.flatMap((r): GeneratedImage[] => {
    if (!isObject(r)) return [];
    if (typeof r.b64_image === "string" && r.b64_image) return [{ b64: r.b64_image }];
    return imageUrls(r.url).map((url) => ({ url }));
  });
}

/** Qwen-image's chat-like answer: images inside `output.choices[].message.content[]`. */
function choiceImages(choices: unknown): GeneratedImage[] {
  if (!Array.isArray(choices)) return [];
  return choices.flatMap((c) => {
    const content = isObject(c) && isObject(c.message) ? c.message.content : undefined;
    return Array.isArray(content)
      ? content.flatMap((p) => isObject(p) ? imageUrls(p.image).map((url) => ({ url })) : [])
      : [];
  });
}

export const dashScopeImages: ImageAdapter = {
  url: (t) =>
    isQwenImage(t.model)
      ? `${t.baseUrl}/api/v1/services/aigc/multimodal-generation/generation`
      : `${t.baseUrl}/api/v1/services/aigc/text2image/image-synthesis`,
  headers: (t): Record<string, string> => isQwenImage(t.model) ? {} : { "x-dashscope-async": "enable" },
  body(json, model) {
    const prompt = String(json.prompt);
    const input = isObject(json.input)
      ? json.input
      : isQwenImage(model)
      ? { messages: [{ role: "user", content: [{ text: prompt }] }] }
      : { prompt };
    return { model, input, parameters: parameters(json) };
  },
  read(answer, t) {
    if (!isObject(answer)) throw bad();
    if (typeof answer.code === "string" && answer.code && typeof answer.message === "string") {
      return { state: "failed", message: answer.message, code: answer.code };
    }
    const out = answer.output;
    if (!isObject(out)) throw bad();
    const status = typeof out.task_status === "string" ? out.task_status : "";
    if (status === "PENDING" || status === "RUNNING") {
      if (typeof out.task_id !== "string" || !out.task_id) throw bad();
      return { state: "pending", pollUrl: `${t.baseUrl}/api/v1/tasks/${encodeURIComponent(out.task_id)}` };
    }
    if (status === "FAILED" || status === "CANCELED" || status === "UNKNOWN") {
      const message = typeof out.message === "string" && out.message ? out.message : `task ${status}`;
      return { state: "failed", message, code: typeof out.code === "string" ? out.code : undefined };
    }
    return { state: "done", images: [...resultImages(out.results), ...choiceImages(out.choices)] };
  },
};
