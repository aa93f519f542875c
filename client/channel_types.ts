/**
 * New API's channel type ids offered by the channel form, with the fields each type needs beyond the
 * common ones (`other` means the channel's `other` column: API version, region, bot id).
 */
import type { MessageKey } from "../i18n/messages.ts";

export interface ChannelType {
  id: number;
  name: string;
  /** Label of the `other` field when this type uses it. */
  other?: MessageKey;
  /** Hint shown under the key field. */
  keyHint?: MessageKey;
  /** True when there is no default upstream address. */
  baseUrlRequired?: boolean;
}

export const CHANNEL_TYPES: ChannelType[] = [
  { id: 1, name: "OpenAI" },
  { id: 14, name: "Anthropic Claude" },
  { id: 24, name: "Google Gemini" },
  { id: 3, name: "Azure OpenAI", other: "channel.other_api_version", baseUrlRequired: true },
  { id: 41, name: "Vertex AI", other: "channel.other_region", keyHint: "channel.key_hint_json" },
  { id: 33, name: "AWS Bedrock", keyHint: "channel.key_hint_aws" },
  { id: 8, name: "Custom (OpenAI compatible)", baseUrlRequired: true },
  { id: 20, name: "OpenRouter" },
  { id: 43, name: "DeepSeek" },
  { id: 48, name: "xAI" },
  { id: 42, name: "Mistral" },
  { id: 25, name: "Moonshot" },
  { id: 26, name: "Zhipu GLM" },
  { id: 17, name: "Alibaba DashScope" },
  { id: 45, name: "VolcEngine" },
  { id: 40, name: "SiliconFlow" },
  { id: 39, name: "Cloudflare", other: "channel.other_account_id" },
  { id: 4, name: "Ollama", baseUrlRequired: true },
  { id: 34, name: "Cohere" },
  { id: 49, name: "Coze", other: "channel.other_bot_id" },
];

export function channelTypeName(id: number): string {
  return CHANNEL_TYPES.find((c) => c.id === id)?.name ?? `#${id}`;
}
