/**
 * The one error path of the management API: handlers and middleware throw `ApiError` (or let zod and
 * JSON failures become one) and `renderApiError` answers `{success:false, message}` with its status, in
 * the caller's language. An ApiError keeps its message key, so it is put into words only when answered.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { Language } from "../../i18n/languages.ts";
import type { MessageParams } from "../../i18n/messages.ts";
import { fail } from "./respond.ts";
import { apiLanguage, type ApiMessageKey, msg } from "./messages.ts";

export class ApiError extends Error {
  override name = "ApiError";
  /**
   * `issue` is the zod issue behind an "invalid field" answer: its detail is worded per language. The
   * English text is the Error's message (logs and tests read it).
   */
  constructor(
    readonly status: ContentfulStatusCode,
    readonly key: ApiMessageKey,
    readonly params: MessageParams = {},
    readonly issue?: z.core.$ZodIssue,
  ) {
    super("");
    this.message = this.text("en");
  }

  text(lang: Language): string {
    const params = this.issue ? { ...this.params, detail: issueDetail(this.issue, lang) } : this.params;
    return msg(this.key, params, lang);
  }
}

/** An ApiError whose text is the message `key` (see messages.ts). */
export function apiError(status: ContentfulStatusCode, key: ApiMessageKey, params?: MessageParams): ApiError {
  return new ApiError(status, key, params);
}

export const badRequest = (key: ApiMessageKey, params?: MessageParams) => apiError(400, key, params);
export const notFound = (key: ApiMessageKey) => apiError(404, key);
export const forbidden = (key: ApiMessageKey = "api.insufficient_privilege") => apiError(403, key);

const zodLocales: Record<Language, () => { localeError: z.core.$ZodErrorMap }> = {
  en: z.locales.en,
  "zh-CN": z.locales.zhCN,
  "zh-TW": z.locales.zhTW,
  ja: z.locales.ja,
  fr: z.locales.fr,
  ru: z.locales.ru,
  vi: z.locales.vi,
};
const errorMaps = new Map<Language, z.core.$ZodErrorMap>();

/** What is wrong with a field, in `lang`: zod's own wording per language, ours for unions and custom rules. */
export function issueDetail(issue: z.core.$ZodIssue, lang: Language): string {
  if (issue.code === "invalid_union") {
    // Name what would have been accepted (literal values or types) instead of zod's bare "invalid input".
    const accepted = issue.errors.flat().flatMap((e) =>
      e.code === "invalid_value"
        ? e.values.map((v) => JSON.stringify(v))
        : e.code === "invalid_type"
        ? [e.expected]
        : []
    );
    if (accepted.length) {
      return msg("api.expected_one_of", { values: [...new Set(accepted)].join(", ") }, lang);
    }
  }
  // Custom rules in our schemas carry a message key as their message.
  if (issue.message.startsWith("api.")) return msg(issue.message as ApiMessageKey, {}, lang);
  if (lang !== "en") {
    let map = errorMaps.get(lang);
    if (!map) errorMaps.set(lang, map = zodLocales[lang]().localeError);
    const worded = map(issue as Parameters<z.core.$ZodErrorMap>[0]);
    const text = typeof worded === "string" ? worded : worded?.message;
    if (text) return text;
  }
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

/** Renders an expected failure in the envelope, or returns undefined for a real fault (→ 500). */
export function renderApiError(c: Context, err: unknown): Response | undefined {
  if (err instanceof ApiError) return fail(c, err.status, err.text(apiLanguage(c)));
  if (err instanceof HTTPException) {
    return fail(
      c,
      err.status as ContentfulStatusCode,
      err.message || msg("api.invalid_body", {}, apiLanguage(c)),
    );
  }
  return undefined;
}
