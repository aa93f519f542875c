/**
 * New API's WeChat sign-in goes through an operator's WeChat auth server (the wechat-server project): the
 * user sends the official account a message, gets a code, and the gateway trades it for the openid with
 * `GET <WeChatServerAddress>/api/wechat/user?code=<code>` (`Authorization: <WeChatServerToken>`), which
 * answers `{success, message, data: openid}` (`data` empty for an unknown or spent code). The address is the operator's, so the call goes through the
 * SSRF-guarded client with the `fetch_setting.*` rules like every OAuth provider.
 */
import { z } from "zod";
import type { Catalog } from "../store/cache/catalog.ts";
import { optionRegistry as o } from "../options/index.ts";
import { fetchSetting } from "../notify/settings.ts";
import { guardedFetch } from "../net/ssrf_fetch.ts";
import { apiError } from "../routes/api/errors.ts";
import { log } from "../server/logger.ts";

/** The codes the WeChat server hands out are short; anything longer is not one. */
export const MAX_WECHAT_CODE_CHARS = 64;

const answerSchema = z.object({
  success: z.boolean(),
  message: z.string().optional().default(""),
  data: z.string().optional().default(""),
});

/** The openid the WeChat server gives for `code`; the code's refusal is 400, the server's failure 502. */
export async function wechatIdByCode(catalog: Catalog, code: string): Promise<string> {
  if (!code || code.length > MAX_WECHAT_CODE_CHARS) throw apiError(400, "api.wechat_code_invalid");
  const base = o.string(catalog, "WeChatServerAddress").trim().replace(/\/+$/, "");
  if (!base) throw apiError(503, "api.wechat_not_configured");
  let text: string;
  let status: number;
  try {
    const res = await guardedFetch(`${base}/api/wechat/user?code=${encodeURIComponent(code)}`, {
      setting: fetchSetting(catalog),
      headers: {
        accept: "application/json",
        authorization: o.string(catalog, "WeChatServerToken"),
        "user-agent": "newapi-deno",
      },
      timeoutMs: 5_000,
      maxBytes: 64 * 1024,
    });
    text = res.text();
    status = res.status;
  } catch (err) {
    log.warn("wechat server unreachable", { error: String(err) });
    throw apiError(502, "api.oauth_provider_failed", { provider: "WeChat" });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const answer = answerSchema.safeParse(parsed);
  // Not 200 is the server refusing the gateway (a wrong WeChatServerToken), not the user's code.
  if (status !== 200 || !answer.success) {
    log.warn("wechat server refused", { status });
    throw apiError(502, "api.oauth_provider_failed", { provider: "WeChat" });
  }
  // New API shows the server's refusal; it is about the code (wrong, expired, already used).
  if (!answer.data.success || !answer.data.data) throw apiError(400, "api.wechat_code_invalid");
  if (answer.data.data.length > 128) throw apiError(502, "api.oauth_provider_failed", { provider: "WeChat" });
  return answer.data.data;
}
