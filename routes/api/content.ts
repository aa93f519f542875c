/**
 * The public texts New API's front-ends fetch (no sign-in): `GET /api/notice`, `/api/about`,
 * `/api/home_page_content`, `/api/user-agreement`, `/api/privacy-policy`, each `{success, message, data}`
 * with the option's text as `data` (Markdown, HTML or a URL, as the admin saved it).
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { optionRegistry } from "../../options/index.ts";

/** Route → option key, as New API maps them (`controller/misc.go`). */
export const CONTENT_ROUTES: Readonly<Record<string, string>> = {
  "/api/notice": "Notice",
  "/api/about": "About",
  "/api/home_page_content": "HomePageContent",
  "/api/user-agreement": "legal.user_agreement",
  "/api/privacy-policy": "legal.privacy_policy",
};

export function contentRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  for (const [path, key] of Object.entries(CONTENT_ROUTES)) {
    app.get(path, (c) => ok(c, optionRegistry.string(deps.catalog, key)));
  }
  return app;
}
