/**
 * Jimeng (Volcengine visual, type 51) image generation as New API's jimeng adaptor: `POST
 * {base}/?Action=CVProcess&Version=2022-08-31` signed with Volcengine's HMAC-SHA256 (`cv`, `cn-north-1`;
 * key `AccessKey|SecretKey`), the model as `req_key`, `return_url` unless base64 was asked for, OpenAI's
 * `size` as `width`/`height`; an answer whose `code` is not 10000 is the upstream's failure. Images only.
 */
import { RelayError } from "../../formats/errors.ts";
import { ChannelError } from "../../pipeline/failure.ts";
import { type GeneratedImage, type ImageAdapter, imageUrls } from "../image_adapter.ts";
import type { ProviderSpec } from "../spec.ts";
import { volcengineHeaders } from "../volcengine_sign.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/** Fields of Jimeng's request a client may send beside OpenAI's (New API's extra fields). */
const NATIVE_FIELDS = [
  "seed",
  "width",
  "height",
  "use_pre_llm",
  "use_sr",
  "logo_info",
  "image_urls",
  "binary_data_base64",
];

export function parseVolcengineKey(key: string): { accessKey: string; secretKey: string } {
  const parts = key.split("|").map((p) => p.trim());
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new ChannelError("the Jimeng key must be AccessKey|SecretKey");
  }
  return { accessKey: parts[0], secretKey: parts[1] };
}

const jimengImages: ImageAdapter = {
  url: (t) => `${t.baseUrl}/?Action=CVProcess&Version=2022-08-31`,
  body(json, model) {
    const body: Json = { req_key: model, prompt: json.prompt };
    if (json.response_format !== "b64_json") body.return_url = true;
    const size = typeof json.size === "string" ? /^(\d+)x(\d+)$/.exec(json.size) : null;
    if (size) [body.width, body.height] = [Number(size[1]), Number(size[2])];
    for (const f of NATIVE_FIELDS) if (json[f] !== undefined) body[f] = json[f];
    return body;
  },
  read(answer) {
    if (!isObject(answer)) {
      throw new RelayError(502, "The upstream answered with an unreadable image body", {
        code: "bad_response_body",
      });
    }
    if (answer.code !== 10000) {
      const message = typeof answer.message === "string" && answer.message
        ? answer.message
        : "Jimeng refused";
      return { state: "failed", message, code: String(answer.code ?? "") };
    }
    const data = isObject(answer.data) ? answer.data : {};
    const images: GeneratedImage[] = [
      ...imageUrls(data.binary_data_base64).map((b64) => ({ b64 })),
      ...imageUrls(data.image_urls).map((url) => ({ url })),
    ];
    return { state: "done", images };
  },
};

export const jimengProvider: ProviderSpec = {
  name: "jimeng",
  types: [51],
  defaultBaseUrl: "https://visual.volcengineapi.com",
  dialects: ["openai_chat"],
  passthrough: new Set(),
  servesOnly: new Set(["images_generations"]),
  streamOptions: false,
  url: (t) => jimengImages.url(t),
  headers: () => ({}),
  images: jimengImages,
  async sign(req) {
    const { accessKey, secretKey } = parseVolcengineKey(req.key);
    const signed = await volcengineHeaders({
      method: req.method,
      url: req.url,
      body: req.body,
      contentType: req.headers["content-type"] ?? "application/json",
      accessKey,
      secretKey,
      region: "cn-north-1",
      service: "cv",
    });
    return { headers: signed };
  },
};
