/**
 * The document around every page: head (hashed CSS and island bundle from the build manifest), header with
 * language switcher and theme toggle, the console sidebar (a CSS-only collapsible menu on phones) and footer.
 */
import type { ComponentChildren } from "preact";
import { useI18n } from "../i18n/context.ts";
import LanguageSwitcher from "../islands/LanguageSwitcher.tsx";
import ThemeToggle from "../islands/ThemeToggle.tsx";
import UserMenu from "../islands/UserMenu.tsx";
import { ConsoleNav } from "./ConsoleNav.tsx";
import type { ConsoleUser } from "../server/console/page.ts";

export interface LayoutProps {
  title: string;
  systemName: string;
  /** "light" or "dark" from the `theme` cookie; absent follows prefers-color-scheme. */
  theme?: "light" | "dark";
  assets: { css?: string; js?: string };
  layout: "public" | "console";
  path: string;
  /** The signed-in user: names the account in the header; their role hides admin links. */
  user?: ConsoleUser;
  /** The Footer option: replaces the default line, as text (New API renders it as HTML). */
  footer?: string;
  children: ComponentChildren;
}

export function Layout(props: LayoutProps) {
  const { t, lang } = useI18n();
  return (
    <html lang={lang} data-theme={props.theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${props.title} · ${props.systemName}`}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        {props.assets.css && <link rel="stylesheet" href={props.assets.css} />}
        {props.assets.js && <script type="module" src={props.assets.js} />}
      </head>
      <body class={`layout-${props.layout}`} data-user-id={props.user ? String(props.user.id) : undefined}>
        <a class="skip-link" href="#main">{t("layout.skip")}</a>
        <input type="checkbox" id="nav-toggle" class="nav-toggle" aria-hidden="true" tabIndex={-1} />
        <header class="topbar">
          {props.layout === "console" && (
            <label for="nav-toggle" class="nav-burger" title={t("layout.menu")}>
              <span aria-hidden="true">☰</span>
              <span class="visually-hidden">{t("layout.menu")}</span>
            </label>
          )}
          <a href="/" class="brand">{props.systemName}</a>
          <nav class="toplinks" aria-label={t("layout.site_nav")}>
            <a href="/" aria-current={props.path === "/" ? "page" : undefined}>{t("nav.home")}</a>
            <a href="/console" aria-current={props.path.startsWith("/console") ? "page" : undefined}>
              {t("nav.console")}
            </a>
            <a href="/pricing" aria-current={props.path === "/pricing" ? "page" : undefined}>
              {t("nav.pricing")}
            </a>
          </nav>
          <div class="topbar-actions">
            <LanguageSwitcher current={lang} signedIn={Boolean(props.user)} />
            <ThemeToggle />
            <UserMenu
              user={props.user && { username: props.user.username, displayName: props.user.displayName }}
            />
          </div>
        </header>
        {props.layout === "console"
          ? (
            <div class="shell">
              <aside class="sidebar" id="sidebar">
                <ConsoleNav path={props.path} role={props.user?.role} />
              </aside>
              <main id="main" class="content">{props.children}</main>
            </div>
          )
          : <main id="main" class="content public">{props.children}</main>}
        <footer class="footer">
          <span>{props.footer || t("layout.footer", { name: props.systemName })}</span>
        </footer>
      </body>
    </html>
  );
}
