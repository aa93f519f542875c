/**
 * The console's languages and how one is chosen for a request: an explicit `?lang=`, the `lang` cookie,
 * the user's saved choice, then Accept-Language. Pure functions, shared by the server and islands.
 */
export const LANGUAGES = ["en", "zh-CN", "zh-TW", "ja", "fr", "ru", "vi"] as const;
export type Language = typeof LANGUAGES[number];
export const DEFAULT_LANGUAGE: Language = "en";

/** Each language's name in itself, for the switcher. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: "English",
  "zh-CN": "简体中文",
  "zh-TW": "繁體中文",
  ja: "日本語",
  fr: "Français",
  ru: "Русский",
  vi: "Tiếng Việt",
};

/** Maps a BCP 47 tag (`zh`, `zh-Hant-HK`, `fr-CA`, `ZH_cn`) to a supported language, or undefined. */
export function normalizeLanguage(tag: string | null | undefined): Language | undefined {
  if (!tag) return undefined;
  const parts = tag.trim().replaceAll("_", "-").toLowerCase().split("-").filter(Boolean);
  const primary = parts[0];
  if (!primary) return undefined;
  if (primary === "zh") {
    const traditional = parts.some((p) => p === "hant" || p === "tw" || p === "hk" || p === "mo");
    return traditional ? "zh-TW" : "zh-CN";
  }
  return LANGUAGES.find((l) => l === primary);
}

/** The best supported language in an Accept-Language header, by q-value then order; undefined if none. */
export function parseAcceptLanguage(header: string | null | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header.split(",").slice(0, 32).map((part, index) => {
    const [tag, ...attrs] = part.trim().split(";");
    const q = attrs.map((a) => a.trim()).find((a) => a.startsWith("q="));
    const quality = q ? Number(q.slice(2)) : 1;
    return { tag, quality: Number.isFinite(quality) ? quality : 0, index };
  }).filter((r) => r.quality > 0).sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const { tag } of ranked) {
    const lang = normalizeLanguage(tag);
    if (lang) return lang;
  }
  return undefined;
}

export interface LanguageSources {
  /** `?lang=` on this request: an explicit choice that also resets the cookie. */
  query?: string | null;
  /** The `lang` cookie: the last choice made in this browser. */
  cookie?: string | null;
  /** The signed-in user's saved language (UserSetting.language), for a browser without a cookie. */
  saved?: string | null;
  acceptLanguage?: string | null;
}

export function pickLanguage(sources: LanguageSources): Language {
  return normalizeLanguage(sources.query) ?? normalizeLanguage(sources.cookie) ??
    normalizeLanguage(sources.saved) ?? parseAcceptLanguage(sources.acceptLanguage) ?? DEFAULT_LANGUAGE;
}
