/**
 * The OpenAI-compatible family New API relays with its OpenAI-style adaptors, as data on the shared base:
 * type ids, default base URLs, API roots and whether each takes `stream_options`.
 */
import type { ProviderSpec } from "../spec.ts";
import { openAiCompatible } from "../openai/index.ts";
import { zhipuImages } from "../zhipu/images.ts";

export const openAiCompatibleProviders: ProviderSpec[] = [
  openAiCompatible({
    name: "ollama",
    types: [4],
    defaultBaseUrl: "http://localhost:11434",
    streamOptions: true,
  }),
  openAiCompatible({ name: "openai-max", types: [6], defaultBaseUrl: "https://api.openaimax.com" }),
  openAiCompatible({ name: "ohmygpt", types: [7], defaultBaseUrl: "https://api.ohmygpt.com" }),
  openAiCompatible({ name: "ails", types: [9], defaultBaseUrl: "https://api.caipacity.com" }),
  openAiCompatible({ name: "aiproxy", types: [10], defaultBaseUrl: "https://api.aiproxy.io" }),
  openAiCompatible({ name: "api2gpt", types: [12], defaultBaseUrl: "https://api.api2gpt.com" }),
  openAiCompatible({ name: "aigc2d", types: [13], defaultBaseUrl: "https://api.aigc2d.com" }),
  openAiCompatible({ name: "360", types: [19], defaultBaseUrl: "https://api.360.cn" }),
  openAiCompatible({
    name: "openrouter",
    types: [20],
    defaultBaseUrl: "https://openrouter.ai/api",
    headers: { "http-referer": "https://www.newapi.ai", "x-title": "New API" },
  }),
  openAiCompatible({ name: "fastgpt", types: [22], defaultBaseUrl: "https://fastgpt.run/api/openapi" }),
  openAiCompatible({
    name: "moonshot",
    types: [25],
    defaultBaseUrl: "https://api.moonshot.cn",
    streamOptions: true,
  }),
  {
    ...openAiCompatible({
      name: "zhipu_4v",
      types: [26],
      defaultBaseUrl: "https://open.bigmodel.cn",
      root: "/api/paas/v4",
      streamOptions: true,
    }),
    images: zhipuImages,
  },
  openAiCompatible({
    name: "perplexity",
    types: [27],
    defaultBaseUrl: "https://api.perplexity.ai",
    root: "",
  }),
  openAiCompatible({ name: "lingyiwanwu", types: [31], defaultBaseUrl: "https://api.lingyiwanwu.com" }),
  openAiCompatible({
    name: "jina",
    types: [38],
    defaultBaseUrl: "https://api.jina.ai",
    passthrough: ["embeddings", "rerank"],
  }),
  openAiCompatible({
    name: "cloudflare",
    types: [39],
    defaultBaseUrl: "https://api.cloudflare.com",
    streamOptions: true,
    // The account id is the channel's `other` field.
    url: (t, path) => `${t.baseUrl}/client/v4/accounts/${encodeURIComponent(t.other.trim())}/ai/v1${path}`,
  }),
  openAiCompatible({
    name: "siliconflow",
    types: [40],
    defaultBaseUrl: "https://api.siliconflow.cn",
    streamOptions: true,
  }),
  openAiCompatible({ name: "mistral", types: [42], defaultBaseUrl: "https://api.mistral.ai" }),
  openAiCompatible({
    name: "deepseek",
    types: [43],
    defaultBaseUrl: "https://api.deepseek.com",
    streamOptions: true,
  }),
  openAiCompatible({
    name: "volcengine",
    types: [45],
    defaultBaseUrl: "https://ark.cn-beijing.volces.com",
    root: "/api/v3",
    streamOptions: true,
  }),
  openAiCompatible({
    name: "baidu_v2",
    types: [46],
    defaultBaseUrl: "https://qianfan.baidubce.com",
    root: "/v2",
    streamOptions: true,
  }),
  openAiCompatible({ name: "xinference", types: [47], defaultBaseUrl: "" }),
  // New API's mokaai adaptor: embeddings at `{base}/embeddings`, `input` always a list of strings.
  {
    ...openAiCompatible({
      name: "mokaai",
      types: [44],
      defaultBaseUrl: "https://api.moka.ai",
      passthrough: ["embeddings"],
      url: (t, path) => `${t.baseUrl}${path}`,
    }),
    prepareBody(body) {
      if (typeof body.input === "string") body.input = [body.input];
    },
  },
  // New API's submodel adaptor serves chat only.
  openAiCompatible({
    name: "submodel",
    types: [53],
    defaultBaseUrl: "https://llm.submodel.ai",
    passthrough: [],
  }),
  openAiCompatible({ name: "xai", types: [48], defaultBaseUrl: "https://api.x.ai", streamOptions: true }),
];
