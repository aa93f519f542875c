/**
 * Header language picker. Without JavaScript it is a GET form (`?lang=`, which the server turns into the
 * cookie); hydrated, a change sets the `lang` cookie, saves the choice to a signed-in user's settings
 * (`PUT /api/user/self {language}`, used where the browser has no cookie) and reloads the page.
 */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { type Language, LANGUAGE_NAMES, LANGUAGES } from "../i18n/languages.ts";
import { setPreferenceCookie } from "../client/preferences.ts";
import { api } from "../client/api.ts";

export default function LanguageSwitcher({ current, signedIn }: { current: Language; signedIn?: boolean }) {
  const { t } = useI18n();
  const [enhanced, setEnhanced] = useState(false);
  useEffect(() => setEnhanced(true), []);
  const choose = async (lang: string) => {
    setPreferenceCookie("lang", lang);
    if (signedIn) await api("PUT", "/api/user/self", { language: lang });
    const url = new URL(location.href);
    url.searchParams.delete("lang");
    location.assign(url.toString());
  };
  return (
    <form method="get" class="lang-form">
      <label class="visually-hidden" for="lang-select">{t("layout.language")}</label>
      <select
        id="lang-select"
        name="lang"
        value={current}
        title={t("layout.language")}
        onChange={(e) => choose((e.currentTarget as HTMLSelectElement).value)}
      >
        {LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
      </select>
      {!enhanced && <button type="submit" class="btn btn-small">{t("common.apply")}</button>}
    </form>
  );
}
