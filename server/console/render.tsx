/**
 * Renders a page module to a full HTML response: the request's language and theme, the shared layout,
 * island markers, and the security headers of console pages (a CSP that allows only our own scripts).
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { renderToString } from "preact-render-to-string";
import { Layout } from "../../components/Layout.tsx";
import { I18nContext } from "../../i18n/context.ts";
import type { Language } from "../../i18n/languages.ts";
import { t } from "../../i18n/translate.ts";
import { consoleManifest } from "./assets.ts";
import { loadIslands } from "./islands.ts";
import { publicUrl } from "../client_ip.ts";
import type { ConsoleUser, PageModule } from "./page.ts";

/** Scripts only from our origin (the island bundle); the JSON props are data attributes, not scripts. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** `CONSOLE_CSP` for a page showing upstream media (`remoteMedia`): https images, video and audio too. */
export const REMOTE_MEDIA_CSP = CONSOLE_CSP.replace("img-src 'self' data:", "img-src 'self' data: https:") +
  "; media-src 'self' https:";

export interface RenderContext {
  lang: Language;
  systemName: string;
  quotaPerUnit: number;
  /** The Footer and Notice options ("" for none). */
  footer: string;
  notice: string;
  user?: ConsoleUser;
}

export async function renderPage(
  c: Context,
  page: PageModule,
  ctx: RenderContext,
  status = 200,
): Promise<Response> {
  const [manifest] = await Promise.all([consoleManifest(), loadIslands()]);
  const themeCookie = getCookie(c, "theme");
  const theme = themeCookie === "light" || themeCookie === "dark" ? themeCookie : undefined;
  const url = publicUrl(c);
  const i18n = {
    lang: ctx.lang,
    t: (key: Parameters<typeof t>[1], params?: Parameters<typeof t>[2]) => t(ctx.lang, key, params),
  };
  const Page = page.default;
  const html = renderToString(
    <I18nContext.Provider value={i18n}>
      <Layout
        title={t(ctx.lang, page.config.title)}
        systemName={ctx.systemName}
        theme={theme}
        assets={{ css: manifest?.css, js: manifest?.entry }}
        layout={page.config.layout}
        path={url.pathname}
        user={ctx.user}
        footer={ctx.footer}
      >
        <Page
          url={url}
          lang={ctx.lang}
          systemName={ctx.systemName}
          quotaPerUnit={ctx.quotaPerUnit}
          notice={ctx.notice}
          user={ctx.user}
        />
      </Layout>
    </I18nContext.Provider>,
  );
  return c.html(`<!DOCTYPE html>${html}`, status as 200, {
    "content-security-policy": page.config.remoteMedia ? REMOTE_MEDIA_CSP : CONSOLE_CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-cache",
    "vary": "Cookie, Accept-Language",
  });
}
