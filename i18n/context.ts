/** The language of the page being rendered, as a Preact context: `useI18n().t(key)` in pages, components and islands. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { DEFAULT_LANGUAGE, type Language } from "./languages.ts";
import type { MessageKey, MessageParams } from "./messages.ts";

export interface I18n {
  lang: Language;
  t(key: MessageKey, params?: MessageParams): string;
}

/** Without a provider, keys render as themselves (visible in tests rather than silently blank). */
export const I18nContext = createContext<I18n>({ lang: DEFAULT_LANGUAGE, t: (key) => key });

export function useI18n(): I18n {
  return useContext(I18nContext);
}
