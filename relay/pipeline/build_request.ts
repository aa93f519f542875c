/**
 * Builds the upstream request for one attempt on one channel: model mapping (chained, cycle-safe) and
 * reasoning suffixes, then either the client's bytes with only the needed top-level edits (same dialect:
 * model name, `stream_options`) or a translation through the IR (other dialect, a suffix, a channel
 * system prompt, thinking-to-content), then provider quirks, the param override, URL and headers (auth,
 * then the channel's header override, where `{api_key}` stands for the key).
 */
import type { ChannelView } from "../../store/cache/catalog.ts";
import type { Dialect, IrRequest } from "../formats/ir.ts";
import { type Translation, translation } from "../formats/translate.ts";
import { applyModelSuffix, type ModelSuffixOptions } from "../formats/model_suffix.ts";
import { geminiEmbedToOpenAi, openAiEmbeddingsToGemini } from "../formats/gemini/embed.ts";
import {
  type ConvertedAnswer,
  geminiBatchToOpenAiEmbeddings,
  imagenToOpenAiImage,
  openAiEmbeddingsToGeminiBatch,
  openAiImageToImagen,
} from "../formats/gemini/from_openai.ts";
import { RelayError } from "../formats/errors.ts";
import { openAiCompletionsCodec } from "../formats/openai_completions/index.ts";
import { mapModel, ModelMappingCycle } from "../routing/model_mapping.ts";
import { chatEndpointFor, type UpstreamTarget } from "../providers/spec.ts";
import type { Endpoint } from "../endpoints.ts";
import type { ParsedRequest } from "./parse_request.ts";
import type { ChannelConfig } from "./channel_config.ts";
import { editTopLevel, type TopLevelEdits } from "./json_edit.ts";
import { applyParamOverride, ParamOverrideBlocked } from "./param_override.ts";
import { withChannelSystemPrompt } from "./system_prompt.ts";
import { inlineImageUrls, type MediaFetcher } from "./inline_media.ts";
import { ChannelError } from "./failure.ts";
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from "../http/upstream_client.ts";
import { imageTaskSender } from "./image_task.ts";

export interface UpstreamPlan {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
  /** Chat family: the dialect spoken upstream and the translators back to the client. */
  translation?: Translation;
  upstreamDialect: Dialect;
  upstreamModel: string;
  proxy?: string;
  /**
   * A non-chat answer translated back to the client's shape (`Endpoint.via`), with the usage to bill when
   * the upstream reports none; `promptTokens` is the exact prompt count billing settles an unreported one at.
   */
  convertResponse?: (answer: unknown, promptTokens: () => number) => ConvertedAnswer;
  /** Sends the request in place of the relay's upstream client (a polled image task). */
  send?: (req: UpstreamRequest) => Promise<UpstreamResponse>;
}

export interface BuildInput {
  endpoint: Endpoint;
  parsed: ParsedRequest;
  channel: ChannelView;
  config: ChannelConfig;
  key: string;
  clientHeaders: Headers;
  forceStreamOption: boolean;
  env: UpstreamTarget["env"];
  /** New API's thinking-adapter settings for model suffixes (defaults when absent). */
  suffixOptions?: ModelSuffixOptions;
  /** The relay's upstream client, for providers whose auth needs a round trip (`ProviderSpec.sign`). */
  http?: UpstreamClient;
  /** Fetches image URLs for upstreams that need the bytes inline (Gemini); absent: URLs stay URLs. */
  fetchMedia?: MediaFetcher;
}

function mappedModel(config: ChannelConfig, model: string): string {
  try {
    return mapModel(config.mapping, model);
  } catch (e) {
    if (e instanceof ModelMappingCycle) {
      throw new RelayError(400, e.message, { code: "model_mapping_contains_cycle" });
    }
    throw e;
  }
}

/** `stream_options` as the provider should get it: forced usage when allowed, dropped when unsupported. */
function streamOptionsEdit(b: BuildInput, edits: TopLevelEdits, body?: Record<string, unknown>): void {
  const { parsed, config } = b;
  if (!parsed.stream || !(parsed.json && "stream_options" in parsed.json || b.forceStreamOption)) return;
  if (!config.provider.streamOptions) {
    if (body) delete body.stream_options;
    else if (parsed.json && "stream_options" in parsed.json) edits.stream_options = undefined;
    return;
  }
  if (!b.forceStreamOption || parsed.includeUsage) return;
  const current = body?.stream_options ?? parsed.json?.stream_options;
  const merged = { ...(current && typeof current === "object" ? current : {}), include_usage: true };
  if (body) body.stream_options = merged;
  else edits.stream_options = JSON.stringify(merged);
}

/**
 * Fields New API removes from OpenAI bodies unless the channel allows them (`allow_<field>` in its
 * settings): they change what the upstream charges (`service_tier: "priority"`) or what it keeps.
 */
const decoder = new TextDecoder();

const GUARDED_FIELDS = ["service_tier", "inference_geo", "speed", "safety_identifier"];

function disabledFields(config: ChannelConfig, present: Record<string, unknown>): string[] {
  const out = GUARDED_FIELDS.filter((f) => f in present && config.settings[`allow_${f}`] !== true);
  if ("store" in present && config.settings.disable_store === true) out.push("store");
  return out;
}

export async function buildUpstreamRequest(b: BuildInput): Promise<UpstreamPlan> {
  const { endpoint, parsed, config, channel } = b;
  if (!config.baseUrl) throw new ChannelError(`channel #${channel.id} has no base URL`);
  const provider = config.provider;
  const mapped = mappedModel(config, parsed.requestedModel ?? parsed.model);
  let upstreamModel = mapped;
  let upstreamDialect: Dialect = endpoint.dialect;
  let t: Translation | undefined;
  let ir: IrRequest | undefined;
  // Legacy Completions on a channel without them: the prompt goes as a chat turn, answers come back as text.
  const bridged = endpoint.chatBridge === true && !provider.passthrough.has(endpoint.name);
  const chatIr = endpoint.chat
    ? parsed.ir
    : bridged
    ? openAiCompletionsCodec.decodeRequest(parsed.json)
    : undefined;
  if (chatIr) {
    const dialects = provider.dialectsFor?.(mapped) ?? provider.dialects;
    upstreamDialect = dialects.includes(endpoint.dialect) ? endpoint.dialect : dialects[0];
    const suffixed = applyModelSuffix(mapped, chatIr, b.suffixOptions);
    upstreamModel = suffixed.upstreamModel;
    const rewrite = upstreamModel !== mapped || config.systemPrompt !== "" || config.thinkingToContent;
    t = translation(endpoint.dialect, upstreamDialect, {
      thinkingToContent: config.thinkingToContent,
      forceTranslate: rewrite && !config.passThroughBody,
      wire: provider.wireFor?.(b.env) ?? provider.wire,
      wireModel: upstreamModel,
      ingressCodec: bridged ? openAiCompletionsCodec : undefined,
    });
    if (!t.passthrough) {
      ir = withChannelSystemPrompt(suffixed.ir, config.systemPrompt, config.systemPromptOverride);
      if (upstreamDialect === "gemini") {
        checkGeminiImageCount(ir, b.env.geminiVisionMaxImages ?? 16);
        if (b.fetchMedia) ir = await inlineImageUrls(ir, b.fetchMedia);
      }
    }
  }
  // A native endpoint the channel does not serve goes to the OpenAI endpoint it translates to.
  const via = !endpoint.chat && endpoint.via && !provider.passthrough.has(endpoint.name)
    ? endpoint.via
    : undefined;
  const target: UpstreamTarget = {
    baseUrl: config.baseUrl,
    endpoint: chatIr ? chatEndpointFor(upstreamDialect) : via ?? endpoint.name,
    dialect: upstreamDialect,
    model: upstreamModel,
    stream: parsed.stream,
    other: channel.other,
    settings: config.settings,
    openaiOrganization: channel.openaiOrganization,
    env: b.env,
  };
  if (endpoint.name === "images_generations" && provider.images) {
    return await imagePlan(b, target, upstreamModel);
  }
  if (via) return await translatedVia(b, target, upstreamModel);
  let body: Uint8Array | string = parsed.bytes;
  // A JSON body is sent as what it is, whatever the client's header claimed; a form keeps its boundary.
  let contentType = parsed.form ? parsed.contentType : "application/json";
  // OpenAI bodies name their model (the endpoint's default when absent); Gemini's live in the URL.
  const modelInBody = (json: Record<string, unknown>) =>
    "model" in json || (!endpoint.chat && endpoint.dialect !== "gemini");
  // New API's pass-through: the client's body untouched, when no translation is needed.
  const untouched = config.passThroughBody && (!t || t.passthrough);
  const openAiBody = !provider.wire &&
    (upstreamDialect === "openai_chat" || upstreamDialect === "openai_responses");
  if (parsed.form) {
    if (upstreamModel !== parsed.form.get("model") && !untouched) {
      const form = new FormData();
      for (const [k, v] of parsed.form) if (k !== "model") form.append(k, v);
      form.set("model", upstreamModel);
      const encoded = new Response(form);
      contentType = encoded.headers.get("content-type")!;
      body = await encoded.bytes();
    }
  } else if (!untouched) {
    const needsObject = ir !== undefined || config.paramOverride !== undefined || provider.prepareBody;
    if (needsObject) {
      const obj = ir ? t!.encodeRequest({ ...ir, model: upstreamModel }) : structuredClone(parsed.json!);
      if (!ir && modelInBody(parsed.json!)) obj.model = upstreamModel;
      if (!provider.wire && (upstreamDialect === "openai_chat" || (endpoint.name === "completions" && !ir))) {
        streamOptionsEdit(b, {}, obj);
      }
      if (openAiBody) { for (const f of disabledFields(config, obj)) delete obj[f]; }
      provider.prepareBody?.(obj, target);
      overridden(config, obj);
      body = JSON.stringify(obj);
      contentType = "application/json";
    } else {
      const edits: TopLevelEdits = {};
      const json = parsed.json ?? {};
      if (modelInBody(json) && json.model !== upstreamModel) {
        edits.model = JSON.stringify(upstreamModel);
      }
      if (upstreamDialect === "openai_chat" || endpoint.name === "completions") streamOptionsEdit(b, edits);
      if (openAiBody) { for (const f of disabledFields(config, json)) edits[f] = undefined; }
      if (Object.keys(edits).length) body = editTopLevel(decoder.decode(parsed.bytes), edits);
    }
  }
  return await finish(b, target, { body, contentType }, t, upstreamDialect, upstreamModel);
}

/**
 * GEMINI_VISION_MAX_IMAGE_NUM: a request translated to Gemini with more images is refused (New API's 400,
 * before anything is sent); -1 lifts the limit.
 */
function checkGeminiImageCount(ir: IrRequest, max: number): void {
  if (max < 0) return;
  let images = 0;
  for (const m of ir.messages) for (const p of m.content) if (p.type === "image") images++;
  if (images > max) {
    throw new RelayError(400, `too many images in the message, max allowed is ${max}`, {
      code: "invalid_request_error",
    });
  }
}

/** The channel's param override applied to the upstream body (a blocked request is a 403). */
function overridden(config: ChannelConfig, obj: Record<string, unknown>): Record<string, unknown> {
  if (config.paramOverride instanceof Error) throw new ChannelError(config.paramOverride.message);
  if (!config.paramOverride) return obj;
  try {
    applyParamOverride(obj, config.paramOverride);
  } catch (e) {
    if (e instanceof ParamOverrideBlocked) throw new RelayError(403, e.message, { code: "request_blocked" });
    throw new ChannelError((e as Error).message);
  }
  return obj;
}

/**
 * A non-chat request for a channel that serves it through another endpoint (`Endpoint.via`): Gemini
 * embeddings on an OpenAI-style channel, OpenAI embeddings and images on a Gemini channel.
 */
async function translatedVia(
  b: BuildInput,
  target: UpstreamTarget,
  upstreamModel: string,
): Promise<UpstreamPlan> {
  const json = b.parsed.json!;
  const name = b.endpoint.name;
  let body: Record<string, unknown>;
  let convert: UpstreamPlan["convertResponse"];
  if (name === "gemini_embed" || name === "gemini_batch_embed") {
    const batch = name === "gemini_batch_embed";
    const count = batch ? (json.requests as unknown[]).length : 1;
    body = geminiEmbedToOpenAi(json, batch, upstreamModel);
    convert = (answer) => ({ body: openAiEmbeddingsToGemini(answer, batch, count) });
  } else if (name === "embeddings") {
    body = openAiEmbeddingsToGeminiBatch(json, upstreamModel);
    convert = (answer, promptTokens) =>
      geminiBatchToOpenAiEmbeddings(answer, json, upstreamModel, promptTokens());
  } else if (name === "images_generations") {
    body = openAiImageToImagen(json, upstreamModel);
    convert = (answer) => imagenToOpenAiImage(answer, Math.floor(Date.now() / 1000));
  } else {
    throw new Error(`${name} has no translation to ${target.endpoint}`);
  }
  const dialect = target.endpoint.startsWith("gemini_") ? "gemini" : "openai_chat";
  const plan = await finish(
    b,
    { ...target, dialect },
    { body: JSON.stringify(overridden(b.config, body)), contentType: "application/json" },
    undefined,
    dialect,
    upstreamModel,
  );
  return { ...plan, convertResponse: convert };
}

/** An OpenAI image request for a provider's own image API, run (and polled) by `image_task.ts`. */
async function imagePlan(
  b: BuildInput,
  target: UpstreamTarget,
  upstreamModel: string,
): Promise<UpstreamPlan> {
  const adapter = b.config.provider.images!;
  const json = b.parsed.json!;
  const body = overridden(b.config, adapter.body(json, upstreamModel));
  if (!b.http) throw new ChannelError("image tasks need the relay's upstream client");
  const plan = await finish(
    b,
    target,
    { body: JSON.stringify(body), contentType: "application/json" },
    undefined,
    "openai_chat",
    upstreamModel,
    { url: adapter.url(target), headers: adapter.headers?.(target) },
  );
  plan.send = imageTaskSender({
    adapter,
    target,
    pollHeaders: b.config.provider.headers(target, b.key, b.clientHeaders),
    http: b.http,
    fetchMedia: b.fetchMedia,
    wantB64: json.response_format === "b64_json",
  });
  plan.convertResponse = (answer) => ({
    body: answer,
    images: ((answer as { data?: unknown[] }).data ?? []).length,
  });
  return plan;
}

async function finish(
  b: BuildInput,
  target: UpstreamTarget,
  payload: { body: Uint8Array | string; contentType: string },
  t: Translation | undefined,
  upstreamDialect: Dialect,
  upstreamModel: string,
  own?: { url: string; headers?: Record<string, string> },
): Promise<UpstreamPlan> {
  const { config, key } = b;
  const headers: Record<string, string> = {
    "content-type": payload.contentType,
    ...config.provider.headers(target, key, b.clientHeaders),
    ...own?.headers,
  };
  if (b.parsed.stream) headers.accept = config.provider.wire?.streamContentType ?? "text/event-stream";
  for (const [name, value] of Object.entries(config.headerOverride)) {
    if (name === "host" || name === "content-length" || name === "transfer-encoding") continue;
    headers[name] = value.replaceAll("{api_key}", key);
  }
  let url = own?.url ?? config.provider.url(target);
  let body = payload.body;
  if (config.provider.sign) {
    const signed = await config.provider.sign({
      method: "POST",
      url,
      headers,
      body: payload.body,
      key,
      target,
      http: b.http,
      proxy: config.proxy,
    });
    Object.assign(headers, signed.headers);
    url = signed.url ?? url;
    body = signed.body ?? body;
  }
  return {
    url,
    headers,
    body,
    translation: t,
    upstreamDialect,
    upstreamModel,
    proxy: config.proxy,
  };
}
