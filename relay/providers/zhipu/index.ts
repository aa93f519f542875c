/**
 * Zhipu's v3 API (type 16; v4 is type 26, OpenAI-compatible): `POST {base}/api/paas/v3/model-api/{model}/
 * invoke`, or `/sse-invoke` for a stream, with the bare JWT of `token.ts` as `Authorization` (no `Bearer`),
 * as New API's zhipu adaptor calls it.
 */
import type { ProviderSpec } from "../spec.ts";
import { zhipuV3Wire } from "./chat.ts";
import { zhipuToken } from "./token.ts";

export const zhipuV3Provider: ProviderSpec = {
  name: "zhipu",
  types: [16],
  defaultBaseUrl: "https://open.bigmodel.cn",
  dialects: ["openai_chat"],
  passthrough: new Set(),
  streamOptions: false,
  wire: zhipuV3Wire,
  url: (t) =>
    `${t.baseUrl}/api/paas/v3/model-api/${encodeURIComponent(t.model)}/${t.stream ? "sse-invoke" : "invoke"}`,
  headers: () => ({}),
  async sign(req) {
    return { headers: { authorization: await zhipuToken(req.key) } };
  },
};
