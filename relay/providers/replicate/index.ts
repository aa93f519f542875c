/**
 * Replicate (type 56) image generation as New API's replicate adaptor: `POST
 * {base}/v1/models/{owner}/{name}/predictions` with `Prefer: wait`, OpenAI's fields as the prediction's
 * `input` (size → Flux `aspect_ratio`, or `custom` with width/height in 32-pixel steps; n → `num_outputs`;
 * hd/high quality → `prompt_upsampling`; the client's own `input` object merged over them). A prediction
 * not finished within the wait is polled at `{base}/v1/predictions/{id}` (never at a URL the answer names:
 * the key goes with every poll). Images only.
 */
import { RelayError } from "../../formats/errors.ts";
import { type ImageAdapter, imageUrls } from "../image_adapter.ts";
import { bearerHeaders } from "../openai/index.ts";
import type { ProviderSpec } from "../spec.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

const FLUX_RATIOS = new Set(["1:1", "16:9", "9:16", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3"]);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const fluxDimension = (v: number) => Math.min(1440, Math.max(256, Math.round(v / 32) * 32));

/** OpenAI's `WxH` as Flux's aspect ratio, or `custom` with its dimensions. */
export function fluxSize(size: string): Json | undefined {
  const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(size);
  if (!m) return undefined;
  const [w, h] = [Number(m[1]), Number(m[2])];
  if (w <= 0 || h <= 0) return undefined;
  const g = gcd(w, h);
  const ratio = `${w / g}:${h / g}`;
  if (w === 1792 && h === 1024) return { aspect_ratio: "16:9" };
  if (w === 1024 && h === 1792) return { aspect_ratio: "9:16" };
  if (FLUX_RATIOS.has(ratio)) return { aspect_ratio: ratio };
  return { aspect_ratio: "custom", width: fluxDimension(w), height: fluxDimension(h) };
}

function errorText(e: unknown): string | undefined {
  if (typeof e === "string" && e) return e;
  if (isObject(e)) {
    for (const k of ["message", "detail", "code"]) {
      if (typeof e[k] === "string" && e[k]) return e[k] as string;
    }
  }
  return undefined;
}

const replicateImages: ImageAdapter = {
  url: (t) => `${t.baseUrl}/v1/models/${t.model.split("/").map(encodeURIComponent).join("/")}/predictions`,
  headers: () => ({ prefer: "wait", accept: "application/json" }),
  body(json) {
    const input: Json = { prompt: json.prompt };
    if (typeof json.size === "string") Object.assign(input, fluxSize(json.size) ?? {});
    if (typeof json.output_format === "string" && json.output_format) {
      input.output_format = json.output_format;
    }
    if (typeof json.n === "number" && json.n > 0) input.num_outputs = json.n;
    if (json.quality === "hd" || json.quality === "high") input.prompt_upsampling = true;
    if (isObject(json.input)) Object.assign(input, json.input);
    return { input };
  },
  read(answer, t) {
    if (!isObject(answer)) {
      throw new RelayError(502, "The upstream answered with an unreadable image body", {
        code: "bad_response_body",
      });
    }
    const status = typeof answer.status === "string" ? answer.status.toLowerCase() : "";
    const err = errorText(answer.error);
    if (err || status === "failed" || status === "canceled") {
      return { state: "failed", message: err ?? `prediction ${status}` };
    }
    if (status === "starting" || status === "processing") {
      if (typeof answer.id !== "string" || !answer.id) {
        return { state: "failed", message: "pending prediction is missing id" };
      }
      return { state: "pending", pollUrl: `${t.baseUrl}/v1/predictions/${encodeURIComponent(answer.id)}` };
    }
    return { state: "done", images: imageUrls(answer.output).map((url) => ({ url })) };
  },
};

export const replicateProvider: ProviderSpec = {
  name: "replicate",
  types: [56],
  defaultBaseUrl: "https://api.replicate.com",
  dialects: ["openai_chat"],
  passthrough: new Set(),
  servesOnly: new Set(["images_generations"]),
  streamOptions: false,
  url: (t) => replicateImages.url(t),
  headers: (t, key) => bearerHeaders(t, key),
  images: replicateImages,
};
