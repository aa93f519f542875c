/**
 * New API's channel type ids offered by the channel form, with the fields each type needs beyond the
 * common ones: what its `other` column holds (API version, region, account or bot id), key and address
 * hints, and whether this gateway relays it yet (others stay listed so adopted channels keep their type).
 */
import type { MessageKey } from "../i18n/messages.ts";

export interface ChannelType {
  id: number;
  name: string;
  /** The `other` field, when this type uses it. */
  other?: { label: MessageKey; placeholder?: string; hint?: MessageKey };
  /** Hint shown under the key field. */
  keyHint?: MessageKey;
  /** True when there is no default upstream address. */
  baseUrlRequired?: boolean;
  /** The base URL field is the whole request URL (Custom). */
  fullUrl?: boolean;
  /** Channels of this type are kept but not relayed by this gateway yet. */
  unsupported?: boolean;
}

export const CHANNEL_TYPES: ChannelType[] = [
  { id: 1, name: "OpenAI" },
  { id: 14, name: "Anthropic Claude" },
  {
    id: 24,
    name: "Google Gemini",
    other: { label: "channel.other_api_version", placeholder: "v1beta", hint: "channel.other_gemini_hint" },
  },
  {
    id: 3,
    name: "Azure OpenAI",
    other: {
      label: "channel.other_api_version",
      placeholder: "2025-04-01-preview",
      hint: "channel.other_azure_hint",
    },
    baseUrlRequired: true,
  },
  {
    id: 41,
    name: "Vertex AI",
    other: { label: "channel.other_region", placeholder: '{"default": "us-central1"}' },
    keyHint: "channel.key_hint_json",
  },
  { id: 33, name: "AWS Bedrock", keyHint: "channel.key_hint_aws" },
  { id: 8, name: "Custom (OpenAI compatible)", baseUrlRequired: true, fullUrl: true },
  { id: 20, name: "OpenRouter" },
  { id: 43, name: "DeepSeek" },
  { id: 48, name: "xAI" },
  { id: 42, name: "Mistral" },
  { id: 25, name: "Moonshot" },
  { id: 26, name: "Zhipu GLM" },
  { id: 16, name: "Zhipu (v3)", keyHint: "channel.key_hint_zhipu" },
  { id: 17, name: "Alibaba DashScope" },
  { id: 45, name: "VolcEngine" },
  { id: 40, name: "SiliconFlow" },
  { id: 39, name: "Cloudflare", other: { label: "channel.other_account_id" } },
  { id: 4, name: "Ollama", baseUrlRequired: true },
  { id: 34, name: "Cohere" },
  { id: 49, name: "Coze", other: { label: "channel.other_bot_id" } },
  { id: 35, name: "MiniMax" },
  { id: 60, name: "New API", baseUrlRequired: true },
  { id: 23, name: "Tencent Hunyuan" },
  { id: 37, name: "Dify" },
  { id: 15, name: "Baidu ERNIE (v1)" },
  {
    id: 18,
    name: "Xunfei Spark",
    other: { label: "channel.other_api_version", placeholder: "v3.5" },
    keyHint: "channel.key_hint_xunfei",
  },
];

export function channelTypeName(id: number): string {
  return CHANNEL_TYPES.find((c) => c.id === id)?.name ?? `#${id}`;
}
