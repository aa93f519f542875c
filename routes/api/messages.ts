/**
 * The management API's messages: every one is a locale key under `api.*` (`locales/*.json`, seven
 * languages), answered in the caller's language (`?lang`, the `lang` cookie, the signed-in user's saved
 * choice, Accept-Language). `msg(key)` is English, for text that is stored (log rows).
 */
import type { Context } from "hono";
import type { Language } from "../../i18n/languages.ts";
import type { MessageKey, MessageParams } from "../../i18n/messages.ts";
import { t } from "../../i18n/translate.ts";
import { requestLanguage, savedLanguage } from "../../i18n/request_language.ts";
import type { AuthEnv } from "../../auth/middleware.ts";

export type ApiMessageKey = Extract<MessageKey, `api.${string}`>;

/** A message still to be put into words: a key and its placeholders. */
export interface ApiMessage {
  key: ApiMessageKey;
  params?: MessageParams;
}

/** The text of `key` in `lang` (English by default) with `{name}` placeholders filled from `params`. */
export function msg(key: ApiMessageKey, params?: MessageParams, lang: Language = "en"): string {
  return t(lang, key, params);
}

/** The language `/api` answers in: the request's choice, else the signed-in user's saved one. */
export function apiLanguage(c: Context): Language {
  const auth = (c as Context<AuthEnv>).get("auth");
  return requestLanguage(c, auth ? savedLanguage(auth.user.setting) : undefined);
}

/** `msg` in the language of the request being answered. */
export function msgFor(c: Context, key: ApiMessageKey, params?: MessageParams): string {
  return msg(key, params, apiLanguage(c));
}
