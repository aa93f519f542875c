/**
 * Parses a relay body once: JSON (validated by the ingress codec for chat-family endpoints, by a small
 * schema otherwise) or multipart form data. Every problem is a 400 naming the field, before anything is
 * reserved or sent upstream; the bytes are kept (minus a UTF-8 byte order mark) so a same-dialect request
 * is forwarded as it came.
 */
import { z } from "zod";
import type { Endpoint } from "../endpoints.ts";
import type { IrRequest } from "../formats/ir.ts";
import { CODECS } from "../formats/translate.ts";
import { invalidRequest, RelayError } from "../formats/errors.ts";
import { parseRequestBody } from "../formats/validation.ts";
import type { DecodeRequestContext } from "../formats/codec.ts";
import { type BillingQuantities, billingQuantities } from "../billing/request_bounds.ts";
import { geminiBatchEmbedSchema, geminiEmbedSchema } from "../formats/gemini/embed.ts";
import { withCompactSuffix } from "../routing/model_candidates.ts";
import { editTopLevel } from "./json_edit.ts";

export interface ParsedRequest {
  /** The model the client asked for (or the endpoint's default): routing and billing use it. */
  model: string;
  /**
   * The model the client named when billing and routing use another name (compaction's
   * `{model}-openai-compact`): channel model mapping starts from it and it is what goes upstream.
   */
  requestedModel?: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage` as the client sent it. */
  includeUsage: boolean;
  bytes: Uint8Array;
  contentType: string;
  json?: Record<string, unknown>;
  form?: FormData;
  /** Chat-family requests, decoded. */
  ir?: IrRequest;
  quantities: BillingQuantities;
}

const text = z.string();
const model = z.string().min(1, "must not be empty").max(256, "is too long");
const tokens = z.union([text, z.array(z.union([text, z.number(), z.array(z.number())])).min(1)]);

/** Fields the upstream needs, checked so malformed requests stop here (other fields pass through). */
const SCHEMAS: Partial<Record<Endpoint["name"], z.ZodType>> = {
  completions: z.looseObject({ model, prompt: tokens, stream: z.boolean().optional() }),
  embeddings: z.looseObject({ model, input: tokens }),
  moderations: z.looseObject({
    model: model.optional(),
    input: z.union([text, z.array(z.unknown()).min(1)]),
  }),
  images_generations: z.looseObject({ model: model.optional(), prompt: text.min(1, "must not be empty") }),
  audio_speech: z.looseObject({ model, input: text.min(1, "must not be empty") }),
  rerank: z.looseObject({ model, query: text, documents: z.array(z.unknown()).min(1) }),
  responses_compact: z.looseObject({ model }),
  alpha_search: z.looseObject({ model }),
  edits: z.looseObject({ model, instruction: text }),
  gemini_embed: geminiEmbedSchema,
  gemini_batch_embed: geminiBatchEmbedSchema,
};

const MULTIPART_FILES: Partial<Record<Endpoint["name"], string[]>> = {
  images_edits: ["image", "image[]"],
  images_variations: ["image"],
  audio_transcriptions: ["file"],
  audio_translations: ["file"],
};

/** Shared: a decode without `stream` keeps no state (and a fatal error resets it). */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function parseJson(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch (e) {
    throw invalidRequest(`The request body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw invalidRequest("The request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

async function parseForm(bytes: Uint8Array, contentType: string): Promise<FormData> {
  if (!/^multipart\/form-data/i.test(contentType)) {
    throw invalidRequest("This endpoint expects multipart/form-data");
  }
  try {
    return await new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": contentType } })
      .formData();
  } catch {
    throw invalidRequest("The multipart body could not be parsed");
  }
}

function formQuantities(form: FormData): BillingQuantities {
  const field = (name: string) => {
    const v = form.get(name);
    if (typeof v !== "string" || v === "") return undefined;
    return /^-?\d+$/.test(v) ? Number(v) : v;
  };
  return billingQuantities({ n: field("n"), size: field("size"), quality: field("quality") });
}

export async function parseRequest(
  ep: Endpoint,
  bytes: Uint8Array,
  contentType: string,
  ctx: DecodeRequestContext = {},
): Promise<ParsedRequest> {
  if (ep.body === "multipart") {
    const form = await parseForm(bytes, contentType);
    const m = form.get("model");
    if (m !== null && (typeof m !== "string" || m.length > 256)) {
      throw invalidRequest("model: expected a string");
    }
    const files = MULTIPART_FILES[ep.name] ?? [];
    if (files.length && !files.some((f) => form.get(f) instanceof File)) {
      throw invalidRequest(`${files[0]}: a file is required`, files[0]);
    }
    const name = (m as string | null) || ep.defaultModel;
    if (!name) throw invalidRequest("model: is required", "model");
    return {
      model: name,
      stream: form.get("stream") === "true",
      includeUsage: false,
      bytes,
      contentType,
      form,
      quantities: formQuantities(form),
    };
  }
  // The decoder below would drop a byte order mark silently; the forwarded bytes must lose it too.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const json = parseJson(bytes);
  if (ctx.pathModel && (json.model === undefined || json.model === "")) {
    // New API's engines route: the URL's model when the body names none, written into what is forwarded.
    json.model = ctx.pathModel;
    bytes = new TextEncoder().encode(
      editTopLevel(new TextDecoder().decode(bytes), { model: JSON.stringify(ctx.pathModel) }),
    );
  }
  const quantities = billingQuantities(json);
  if (ep.chat || ep.countOnly) {
    const ir = ep.countOnly ? decodeCountRequest(ep, json, ctx) : CODECS[ep.dialect].decodeRequest(json, ctx);
    return {
      model: ir.model,
      stream: ir.stream,
      includeUsage: ir.includeUsage === true,
      bytes,
      contentType,
      json,
      ir,
      quantities,
    };
  }
  const schema = SCHEMAS[ep.name];
  if (schema) parseRequestBody(schema, json);
  const name = ctx.model ?? (typeof json.model === "string" && json.model ? json.model : ep.defaultModel);
  if (!name) throw invalidRequest("model: is required", "model");
  if (json.stream !== undefined && json.stream !== null && typeof json.stream !== "boolean") {
    throw invalidRequest("stream: expected a boolean", "stream");
  }
  const options = json.stream_options as Record<string, unknown> | undefined;
  const compact = ep.name === "responses_compact";
  return {
    model: compact ? withCompactSuffix(name) : name,
    requestedModel: compact ? name : undefined,
    stream: json.stream === true && ep.name === "completions",
    includeUsage: options?.include_usage === true,
    bytes,
    contentType,
    json,
    quantities,
  };
}

/**
 * A token-count body as the IR, for counting here: Claude's is a Messages body without `max_tokens`;
 * Gemini's holds `contents` or a whole `generateContentRequest`, never both.
 */
function decodeCountRequest(
  ep: Endpoint,
  json: Record<string, unknown>,
  ctx: DecodeRequestContext,
): IrRequest {
  if (ep.dialect === "claude") {
    return CODECS.claude.decodeRequest({ ...json, max_tokens: json.max_tokens ?? 1, stream: false }, ctx);
  }
  const wrapped = json.generateContentRequest;
  if (wrapped !== undefined && json.contents !== undefined) {
    throw invalidRequest("contents and generateContentRequest are mutually exclusive", "contents");
  }
  if (wrapped !== undefined && (!wrapped || typeof wrapped !== "object" || Array.isArray(wrapped))) {
    throw invalidRequest("generateContentRequest: expected an object", "generateContentRequest");
  }
  return CODECS.gemini.decodeRequest(wrapped ?? json, { ...ctx, stream: false });
}

/** A model name that cannot be routed (control characters, absurd length) is refused up front. */
export function checkModelName(name: string): void {
  // deno-lint-ignore no-control-regex
  if (name.length > 256 || /[\u0000-\u001f]/.test(name)) {
    throw new RelayError(400, "model: invalid model name", { code: "invalid_request_error", param: "model" });
  }
}

/**
 * Drops the request's body (bytes, JSON, decoded IR, form) once no attempt can need it again: a committed
 * stream runs for minutes and would otherwise keep two or three prompt-sized copies alive per open stream.
 * The scalars (model, stream, includeUsage, quantities) stay for billing and logs.
 */
export function releaseRequestBody(parsed: ParsedRequest): void {
  parsed.bytes = new Uint8Array(0);
  parsed.json = undefined;
  parsed.ir = undefined;
  parsed.form = undefined;
}
