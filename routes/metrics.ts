/**
 * `GET /metrics`: the Prometheus exposition of `deps.metrics` (server/metrics.ts). Off unless METRICS_TOKEN
 * is set, and then only for `Authorization: Bearer <METRICS_TOKEN>`: the counters name models, channels and
 * volumes, which are an operator's business. (New API serves its channel-state gauge unguarded; a scrape
 * config moved over adds the bearer token.)
 */
import { Hono } from "hono";
import type { AppDeps } from "../server/deps.ts";
import { equalSecrets } from "../crypto/equal.ts";

export function metricsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    const token = deps.config.metricsToken;
    if (!token) return c.text("404 page not found", 404);
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim() ?? "";
    if (!equalSecrets(given, token)) {
      return c.text("unauthorized", 401, { "www-authenticate": 'Bearer realm="metrics"' });
    }
    const { body, contentType } = await deps.metrics.render();
    return c.body(body, 200, { "content-type": contentType, "cache-control": "no-store" });
  });
  return app;
}
