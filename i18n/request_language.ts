/** The language of an incoming request, for pages and for `/api` messages (`t(requestLanguage(c), key)`). */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { type Language, pickLanguage } from "./languages.ts";

export const LANG_COOKIE = "lang";

export function requestLanguage(c: Context, saved?: string | null): Language {
  return pickLanguage({
    query: c.req.query("lang"),
    cookie: getCookie(c, LANG_COOKIE),
    saved,
    acceptLanguage: c.req.header("accept-language"),
  });
}

/** The language a user saved (`users.setting` JSON, field `language`), or undefined. */
export function savedLanguage(setting: string): string | undefined {
  if (!setting) return undefined;
  try {
    const language = JSON.parse(setting)?.language;
    return typeof language === "string" ? language : undefined;
  } catch {
    return undefined;
  }
}
