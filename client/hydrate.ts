/**
 * Browser entry of the island bundle: loads the page language's dictionary and each island's module (lazy
 * chunks), then hydrates every `<napi-island>` with its JSON props. Sets `data-hydrated` on <html> when done.
 */
import { type ComponentType, h, hydrate } from "preact";
import { islandLoaders, type IslandName } from "../islands/registry.ts";
import { I18nContext } from "../i18n/context.ts";
import { type Dictionary, formatMessage } from "../i18n/messages.ts";
import { DEFAULT_LANGUAGE, type Language, normalizeLanguage } from "../i18n/languages.ts";

async function loadDictionary(lang: Language): Promise<Dictionary> {
  // esbuild turns this into one chunk per file in locales/; only the page's language is fetched.
  return (await import(`../locales/${lang}.json`)).default as Dictionary;
}

async function hydrateIslands(): Promise<void> {
  const markers = [...document.querySelectorAll<HTMLElement>("napi-island")];
  if (markers.length > 0) {
    const lang = normalizeLanguage(document.documentElement.lang) ?? DEFAULT_LANGUAGE;
    const dict = await loadDictionary(lang);
    const i18n = {
      lang,
      t: (key: string, params?: Record<string, string | number>) => formatMessage(dict, key, params),
    };
    await Promise.all(markers.map(async (marker) => {
      const name = marker.dataset.island as IslandName;
      const load = islandLoaders[name];
      if (!load) throw new Error(`unknown island ${name}`);
      const props = JSON.parse(marker.dataset.props ?? "{}");
      const Island = (await load()).default as ComponentType<Record<string, unknown>>;
      hydrate(h(I18nContext.Provider, { value: i18n }, h(Island, props)), marker);
      marker.dataset.hydrated = "";
    }));
  }
  document.documentElement.dataset.hydrated = "";
}

hydrateIslands().catch((err) => console.error("hydration failed", err));
