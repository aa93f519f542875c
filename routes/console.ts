/**
 * The console's page registry, mounted on the Hono app: every `routes/*.tsx` page at its New API URL,
 * `/static/*`, and the 404 page. Pages other than /setup redirect to /setup until the first-run setup
 * is done; console pages need a signed-in user (the API's own session and access-token check) of the
 * page's role. Add a page by creating its module and listing it in `pages` (a test checks the list).
 */
import { type Context, Hono } from "hono";
import { setCookie } from "hono/cookie";
import type { AppDeps } from "../server/deps.ts";
import { isSetUp } from "./api/setup.ts";
import { normalizeLanguage } from "../i18n/languages.ts";
import { LANG_COOKIE, requestLanguage, savedLanguage } from "../i18n/request_language.ts";
import { identify } from "../auth/middleware.ts";
import { ApiError } from "./api/errors.ts";
import { UserStatus } from "../store/users.ts";
import { optionRegistry } from "../options/index.ts";
import { consoleManifest, serveStatic } from "../server/console/assets.ts";
import { loadIslands } from "../server/console/islands.ts";
import { renderPage } from "../server/console/render.tsx";
import type { ConsoleUser, PageModule } from "../server/console/page.ts";
import * as home from "./index.tsx";
import * as setup from "./setup.tsx";
import * as login from "./login.tsx";
import * as register from "./register.tsx";
import * as pricing from "./pricing.tsx";
import * as notFound from "./_404.tsx";
import * as dashboard from "./console/index.tsx";
import * as token from "./console/token.tsx";
import * as channel from "./console/channel.tsx";
import * as logPage from "./console/log.tsx";
import * as user from "./console/user.tsx";
import * as redemption from "./console/redemption.tsx";
import * as setting from "./console/setting.tsx";
import * as topup from "./console/topup.tsx";
import * as personal from "./console/personal.tsx";
import * as playground from "./console/playground.tsx";
import * as chat2link from "./chat2link.tsx";
import * as topupOrders from "./console/topup_orders.tsx";
import * as oauthCallback from "./oauth_callback.tsx";
import * as ops from "./console/ops.tsx";
import * as taskLogs from "./console/task.tsx";
import * as mjLogs from "./console/midjourney.tsx";

export const pages: PageModule[] = [
  home,
  setup,
  login,
  register,
  pricing,
  dashboard,
  token,
  channel,
  logPage,
  user,
  redemption,
  setting,
  topup,
  personal,
  playground,
  chat2link,
  topupOrders,
  oauthCallback,
  ops,
  taskLogs,
  mjLogs,
];

export interface ConsoleOptions {
  /**
   * The signed-in user. `createApp` passes `consoleUserOf` (the session cookie or access token, checked as
   * the API checks it); console pages send signed-out visitors to /login and users below a page's role
   * to /console, and the user's saved language applies.
   */
  currentUser?(c: Context): Promise<ConsoleUser | undefined>;
  /** Site name for titles and the header (the SystemName option). */
  systemName?(): string;
  /** Quota units per currency unit (the QuotaPerUnit option, New API's 500000). */
  quotaPerUnit?(): number;
  /** The site's own footer line and announcement (the Footer and Notice options), shown as text. */
  footer?(): string;
  notice?(): string;
}

/** The options `createApp` uses: the real signed-in user and the site's own name, quota unit and texts. */
export function consoleOptionsFor(deps: AppDeps): Required<ConsoleOptions> {
  return {
    currentUser: (c) => consoleUserOf(deps, c),
    systemName: () => optionRegistry.string(deps.catalog, "SystemName") || "New API",
    quotaPerUnit: () => optionRegistry.float(deps.catalog, "QuotaPerUnit") || 500000,
    footer: () => optionRegistry.string(deps.catalog, "Footer").trim(),
    notice: () => optionRegistry.string(deps.catalog, "Notice").trim(),
  };
}

/**
 * The enabled user a page request is signed in as (session cookie, or an access token in Authorization),
 * resolved by the API's own `identify`; anything invalid counts as signed out.
 */
export async function consoleUserOf(deps: AppDeps, c: Context): Promise<ConsoleUser | undefined> {
  let auth;
  try {
    auth = await identify(deps, c);
  } catch (err) {
    if (err instanceof ApiError) return undefined;
    throw err;
  }
  if (!auth || auth.user.status !== UserStatus.enabled) return undefined;
  const { id, username, displayName, role, setting } = auth.user;
  return { id, username, displayName, role, language: savedLanguage(setting) };
}

/** Builds the console bundle (when missing or stale) and resolves the islands; main.ts awaits it at start. */
export async function prepareConsole(): Promise<void> {
  await Promise.all([consoleManifest(), loadIslands()]);
}

function respond(c: Context, options: ConsoleOptions, page: PageModule, current?: ConsoleUser, status = 200) {
  const lang = requestLanguage(c, current?.language);
  const queryLang = normalizeLanguage(c.req.query("lang"));
  if (queryLang) {
    setCookie(c, LANG_COOKIE, queryLang, { path: "/", maxAge: 31536000, sameSite: "Lax" });
  }
  return renderPage(c, page, {
    lang,
    systemName: options.systemName?.() ?? "New API",
    quotaPerUnit: options.quotaPerUnit?.() ?? 500000,
    footer: options.footer?.() ?? "",
    notice: options.notice?.() ?? "",
    user: current,
  }, status);
}

export function consoleRoutes(deps: AppDeps, options: ConsoleOptions = {}): Hono {
  const app = new Hono();
  app.get("/static/*", serveStatic);
  for (const page of pages) {
    const { path, beforeSetup, layout, role } = page.config;
    app.get(path, async (c) => {
      const setUp = await isSetUp(deps);
      if (!setUp && !beforeSetup) return c.redirect("/setup", 302);
      if (setUp && path === "/setup") return c.redirect("/", 302);
      const current = await options.currentUser?.(c);
      if (layout === "console" && options.currentUser) {
        if (!current) return c.redirect(`/login?redirect=${encodeURIComponent(path)}`, 302);
        if (current.role < (role ?? 1)) return c.redirect("/console", 302);
      }
      return respond(c, options, page, current);
    });
  }
  return app;
}

/** The HTML 404 for unknown console paths (the app is not strict: `/console/token/` is the token page). */
export async function renderNotFound(c: Context, options: ConsoleOptions = {}): Promise<Response> {
  return respond(c, options, notFound, await options.currentUser?.(c), 404);
}
