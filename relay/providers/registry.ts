/**
 * Channel type → provider spec. Types New API serves with its OpenAI adaptor and that have no entry here
 * fall back to OpenAI; types whose native protocol is not implemented yet (task and
 * Midjourney adaptors, ...) have no spec, so routing skips their channels.
 */
import type { ProviderSpec } from "./spec.ts";
import { openAiProvider } from "./openai/index.ts";
import { openAiCompatibleProviders } from "./openai_compatible/index.ts";
import { azureProvider } from "./azure/index.ts";
import { customProvider } from "./custom/index.ts";
import { anthropicProvider } from "./anthropic/index.ts";
import { geminiProvider } from "./gemini/index.ts";
import { bedrockProvider } from "./bedrock/index.ts";
import { vertexProvider } from "./vertex/index.ts";
import { cohereProvider } from "./cohere/index.ts";
import { aliProvider, minimaxProvider } from "./openai_compatible/with_claude.ts";
import { newApiProvider } from "./newapi/index.ts";
import { tencentProvider } from "./tencent/index.ts";
import { difyProvider } from "./dify/index.ts";
import { baiduProvider } from "./baidu/index.ts";
import { cozeProvider } from "./coze/index.ts";
import { xunfeiProvider } from "./xunfei/index.ts";
import { zhipuV3Provider } from "./zhipu/index.ts";
import { jimengProvider } from "./jimeng/index.ts";
import { replicateProvider } from "./replicate/index.ts";

export const PROVIDERS: readonly ProviderSpec[] = [
  openAiProvider,
  azureProvider,
  customProvider,
  anthropicProvider,
  geminiProvider,
  bedrockProvider,
  vertexProvider,
  cohereProvider,
  aliProvider,
  minimaxProvider,
  newApiProvider,
  tencentProvider,
  difyProvider,
  baiduProvider,
  cozeProvider,
  xunfeiProvider,
  zhipuV3Provider,
  jimengProvider,
  replicateProvider,
  ...openAiCompatibleProviders,
];

/** Types with a native adaptor in New API that this gateway does not speak (yet). */
const UNSUPPORTED = new Set([
  2,
  5,
  11,
  21,
  36,
  50,
  52,
  54,
  55,
  57,
  58,
]);

const byType = new Map<number, ProviderSpec>();
for (const p of PROVIDERS) for (const t of p.types) byType.set(t, p);

/** The spec for a channel type, or undefined when channels of that type cannot be relayed. */
export function providerFor(type: number): ProviderSpec | undefined {
  return byType.get(type) ?? (UNSUPPORTED.has(type) ? undefined : openAiProvider);
}
