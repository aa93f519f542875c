/**
 * AWS Bedrock (type 33) through the Converse API: `POST {base}/model/{modelId}/converse` or
 * `/converse-stream` (an `application/vnd.amazon.eventstream` answer), every model family Converse serves
 * (Claude, Nova, Llama, Mistral...). The key is New API's: `AK|SK|region` (signed with SigV4 through
 * `aws4fetch`, service `bedrock`) or `APIKEY|region` (a Bedrock API key, sent as a bearer token). The
 * base URL is `https://bedrock-runtime.{region}.amazonaws.com` unless the channel sets its own.
 *
 * Model ids: New API's short Claude and Nova names map to Bedrock ids (`claude-sonnet-4-5-20250929` →
 * `anthropic.claude-sonnet-4-5-20250929-v1:0`); an id that can run as a cross-region inference profile in
 * the key's region group gets its geographic prefix (`us.`, `eu.`, `apac.`), as New API does. A full id,
 * a prefixed profile or an ARN is sent as it is.
 */
import { AwsV4Signer } from "aws4fetch";
import { ChannelError } from "../../pipeline/failure.ts";
import type { ProviderSpec } from "../spec.ts";
import { converseWire } from "./converse.ts";
import { EventStreamParser } from "./eventstream.ts";

/** Short names → Bedrock model ids, with the region groups whose inference profiles serve them. */
const MODELS: Record<string, [id: string, groups: string]> = {
  "claude-3-sonnet-20240229": ["anthropic.claude-3-sonnet-20240229-v1:0", "us eu ap"],
  "claude-3-opus-20240229": ["anthropic.claude-3-opus-20240229-v1:0", "us"],
  "claude-3-haiku-20240307": ["anthropic.claude-3-haiku-20240307-v1:0", "us eu ap"],
  "claude-3-5-sonnet-20240620": ["anthropic.claude-3-5-sonnet-20240620-v1:0", "us eu ap"],
  "claude-3-5-sonnet-20241022": ["anthropic.claude-3-5-sonnet-20241022-v2:0", "us ap"],
  "claude-3-5-haiku-20241022": ["anthropic.claude-3-5-haiku-20241022-v1:0", "us"],
  "claude-3-7-sonnet-20250219": ["anthropic.claude-3-7-sonnet-20250219-v1:0", "us eu ap"],
  "claude-sonnet-4-20250514": ["anthropic.claude-sonnet-4-20250514-v1:0", "us eu ap"],
  "claude-opus-4-20250514": ["anthropic.claude-opus-4-20250514-v1:0", "us"],
  "claude-opus-4-1-20250805": ["anthropic.claude-opus-4-1-20250805-v1:0", "us"],
  "claude-sonnet-4-5-20250929": ["anthropic.claude-sonnet-4-5-20250929-v1:0", "us eu ap"],
  "claude-haiku-4-5-20251001": ["anthropic.claude-haiku-4-5-20251001-v1:0", "us eu ap"],
  "claude-opus-4-5-20251101": ["anthropic.claude-opus-4-5-20251101-v1:0", "us eu ap"],
  "claude-sonnet-4-6": ["anthropic.claude-sonnet-4-6", "us eu ap"],
  "claude-opus-4-6": ["anthropic.claude-opus-4-6-v1", "us eu ap"],
  "nova-micro-v1:0": ["amazon.nova-micro-v1:0", "us eu ap"],
  "nova-lite-v1:0": ["amazon.nova-lite-v1:0", "us eu ap"],
  "nova-pro-v1:0": ["amazon.nova-pro-v1:0", "us eu ap"],
  "nova-premier-v1:0": ["amazon.nova-premier-v1:0", "us"],
};

/** Region group (the region's first word) → inference profile prefix. */
const PROFILE_PREFIX: Record<string, string> = { us: "us", eu: "eu", ap: "apac" };

/** The id sent to Bedrock for a model name in a region (exported for tests). */
export function bedrockModelId(model: string, region: string): string {
  const known = MODELS[model];
  const id = known?.[0] ?? model;
  const group = region.split("-")[0];
  const groups = known?.[1] ?? Object.values(MODELS).find(([full]) => full === id)?.[1];
  if (groups && groups.split(" ").includes(group) && PROFILE_PREFIX[group]) {
    return `${PROFILE_PREFIX[group]}.${id}`;
  }
  return id;
}

export interface BedrockKey {
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  apiKey?: string;
}

/** New API's AWS key forms: `AK|SK|region` or `APIKEY|region`. */
export function parseBedrockKey(key: string): BedrockKey {
  const parts = key.split("|").map((p) => p.trim());
  const region = parts.at(-1) ?? "";
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new ChannelError("the AWS key must be AK|SK|region or APIKEY|region");
  }
  if (parts.length === 3 && parts[0] && parts[1]) {
    return { region, accessKeyId: parts[0], secretAccessKey: parts[1] };
  }
  if (parts.length === 2 && parts[0]) return { region, apiKey: parts[0] };
  throw new ChannelError("the AWS key must be AK|SK|region or APIKEY|region");
}

const PLACEHOLDER = "https://bedrock-runtime.amazonaws.com";

export const bedrockProvider: ProviderSpec = {
  name: "aws",
  types: [33],
  // The real host names the key's region; `sign` puts it in.
  defaultBaseUrl: PLACEHOLDER,
  dialects: ["claude"],
  passthrough: new Set(),
  streamOptions: false,
  wire: { ...converseWire, newStreamParser: (opts) => new EventStreamParser(opts) },
  url(t) {
    return `${t.baseUrl}/model/{model}/${t.stream ? "converse-stream" : "converse"}`;
  },
  headers: () => ({}),
  async sign(req) {
    const k = parseBedrockKey(req.key);
    const base = req.target.baseUrl === PLACEHOLDER
      ? `https://bedrock-runtime.${k.region}.amazonaws.com`
      : req.target.baseUrl;
    const modelId = encodeURIComponent(bedrockModelId(req.target.model, k.region));
    const url = base + req.url.slice(req.target.baseUrl.length).replace("{model}", modelId);
    if (k.apiKey) return { url, headers: { authorization: `Bearer ${k.apiKey}` } };
    const signer = new AwsV4Signer({
      url,
      method: req.method,
      headers: req.headers,
      body: req.body as BodyInit,
      accessKeyId: k.accessKeyId!,
      secretAccessKey: k.secretAccessKey!,
      region: k.region,
      service: "bedrock",
    });
    const signed = await signer.sign();
    const headers: Record<string, string> = {};
    for (const [name, value] of signed.headers) headers[name] = value;
    return { url, headers };
  },
};
