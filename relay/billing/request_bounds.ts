/**
 * Ingress bounds on every request quantity that multiplies a price (GHSA-8r8v-xf7q-rcpr): `n`,
 * output caps, video seconds, image size. Anything out of bounds or of the wrong type (a string "1e9",
 * a wrapped 18446744073686646784, -1, 2^63) is a 400 before anything is reserved or sent upstream.
 */
import { BillingInputError } from "./errors.ts";

/** Far above any model's real limit, small enough that the reservation arithmetic stays exact. */
export const LIMITS = {
  n: 128,
  outputTokens: 10_000_000,
  seconds: 3_600,
  imageSide: 16_384,
} as const;

export interface BillingQuantities {
  /** Choices or images to produce (1 when absent). */
  n: number;
  /** The client's output cap, 0 when absent. */
  maxTokens: number;
  /** Video/audio length in seconds, when given. */
  seconds?: number;
  /** Image/video size "WxH", when given. */
  size?: string;
  quality?: string;
}

type Json = Record<string, unknown>;

function integerField(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new BillingInputError(`${param}: expected an integer from ${min} to ${max}`, param);
  }
  if (value < min || value > max) {
    throw new BillingInputError(`${param}: must be between ${min} and ${max}, got ${value}`, param);
  }
  return value;
}

/** `seconds` is a string in OpenAI's video API ("4", "8") and a number elsewhere. */
function secondsField(value: unknown, param: string): number {
  const n = typeof value === "string" && /^\d{1,6}(\.\d{1,3})?$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0 || n > LIMITS.seconds) {
    throw new BillingInputError(`${param}: expected a number of seconds from 1 to ${LIMITS.seconds}`, param);
  }
  return n;
}

function sizeField(value: unknown, param: string): string {
  const m = typeof value === "string" ? /^(\d{1,5})[x*×](\d{1,5})$/i.exec(value.trim()) : null;
  if (!m) {
    // Gemini/OpenAI also accept labels ("auto", "1K", "2K", "4K"); they never multiply a price here.
    if (typeof value === "string" && /^[a-z0-9:_-]{1,16}$/i.test(value.trim())) return value.trim();
    throw new BillingInputError(`${param}: expected a size like "1024x1024"`, param);
  }
  const [w, h] = [Number(m[1]), Number(m[2])];
  if (w < 1 || h < 1 || w > LIMITS.imageSide || h > LIMITS.imageSide) {
    throw new BillingInputError(`${param}: each side must be between 1 and ${LIMITS.imageSide}`, param);
  }
  return `${w}x${h}`;
}

const OUTPUT_CAPS = ["max_tokens", "max_completion_tokens", "max_output_tokens", "max_tokens_to_sample"];

/**
 * Validates the quantities of a request body in any dialect (OpenAI Chat/Responses/Images/Videos, Claude,
 * Gemini) and returns them for the reservation. Throws BillingInputError (400) on the first bad one.
 */
export function billingQuantities(body: unknown): BillingQuantities {
  const b: Json = body && typeof body === "object" && !Array.isArray(body) ? body as Json : {};
  const gen: Json = b.generationConfig && typeof b.generationConfig === "object"
    ? b.generationConfig as Json
    : {};
  const out: BillingQuantities = { n: 1, maxTokens: 0 };
  if (b.n !== undefined && b.n !== null) out.n = integerField(b.n, "n", 1, LIMITS.n);
  if (b.best_of !== undefined && b.best_of !== null) {
    out.n = Math.max(out.n, integerField(b.best_of, "best_of", 1, LIMITS.n));
  }
  if (gen.candidateCount !== undefined && gen.candidateCount !== null) {
    out.n = integerField(gen.candidateCount, "generationConfig.candidateCount", 1, LIMITS.n);
  }
  for (const key of OUTPUT_CAPS) {
    if (b[key] !== undefined && b[key] !== null) {
      out.maxTokens = Math.max(out.maxTokens, integerField(b[key], key, 0, LIMITS.outputTokens));
    }
  }
  if (gen.maxOutputTokens !== undefined && gen.maxOutputTokens !== null) {
    out.maxTokens = integerField(
      gen.maxOutputTokens,
      "generationConfig.maxOutputTokens",
      0,
      LIMITS.outputTokens,
    );
  }
  for (const key of ["seconds", "duration"]) {
    if (b[key] !== undefined && b[key] !== null) out.seconds = secondsField(b[key], key);
  }
  if (b.size !== undefined && b.size !== null) out.size = sizeField(b.size, "size");
  if (typeof b.quality === "string") out.quality = b.quality;
  return out;
}
