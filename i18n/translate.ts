/**
 * Server-side translation: every dictionary, imported through the module graph so a compiled binary carries
 * them. `t(lang, key, params)` serves pages and `/api` messages alike.
 */
import en from "../locales/en.json" with { type: "json" };
import zhCN from "../locales/zh-CN.json" with { type: "json" };
import zhTW from "../locales/zh-TW.json" with { type: "json" };
import ja from "../locales/ja.json" with { type: "json" };
import fr from "../locales/fr.json" with { type: "json" };
import ru from "../locales/ru.json" with { type: "json" };
import vi from "../locales/vi.json" with { type: "json" };
import type { Language } from "./languages.ts";
import { type Dictionary, formatMessage, type MessageKey, type MessageParams } from "./messages.ts";

export const dictionaries: Record<Language, Dictionary> = {
  en,
  "zh-CN": zhCN,
  "zh-TW": zhTW,
  ja,
  fr,
  ru,
  vi,
};

export function t(lang: Language, key: MessageKey, params?: MessageParams): string {
  return formatMessage(dictionaries[lang] ?? en, key, params);
}
