/** Switches between light and dark; the choice lives in the `theme` cookie so the server renders it next time. */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { setPreferenceCookie } from "../client/preferences.ts";

type Theme = "light" | "dark";

function effectiveTheme(): Theme {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "light" || chosen === "dark") return chosen;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export default function ThemeToggle() {
  const { t } = useI18n();
  const [theme, setTheme] = useState<Theme | undefined>(undefined);
  useEffect(() => setTheme(effectiveTheme()), []);
  const toggle = () => {
    const next: Theme = (theme ?? effectiveTheme()) === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    setPreferenceCookie("theme", next);
    setTheme(next);
  };
  const label = theme === "dark" ? t("layout.theme_light") : t("layout.theme_dark");
  return (
    <button
      type="button"
      class="btn btn-icon theme-toggle"
      onClick={toggle}
      title={theme ? label : t("layout.theme")}
      aria-label={theme ? label : t("layout.theme")}
      data-theme-now={theme}
    >
      <span aria-hidden="true">{theme === "dark" ? "☀" : theme === "light" ? "☾" : "◐"}</span>
    </button>
  );
}
