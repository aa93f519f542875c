/**
 * Channel tests for admins (New API's shapes): `GET /api/channel/test/:id` (optional `?model=`) answers
 * `{success, message, time}` with the time in seconds; `GET /api/channel/test` starts the test of every
 * channel in the background (auto-disable and re-enable by the health rules) and answers at once.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, requireAdmin } from "../../auth/middleware.ts";
import { idParam } from "./input.ts";
import { notFound } from "./errors.ts";
import { ok } from "./respond.ts";
import { testChannel } from "../../relay/health/channel_test.ts";
import { testAllChannels } from "../../relay/health/test_all.ts";
import { log } from "../../server/logger.ts";

export function channelTestRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const admin = requireAdmin(deps);

  app.get("/api/channel/test", admin, (c) => {
    testAllChannels(deps).catch((err) => log.error("test of all channels failed", { error: String(err) }));
    return ok(c);
  });

  app.get("/api/channel/test/:id{[0-9]+}", admin, async (c) => {
    const channel = deps.catalog.channel(idParam(c, "api.channel_not_found"));
    if (!channel) throw notFound("api.channel_not_found");
    const model = (c.req.query("model") ?? "").slice(0, 256);
    const r = await testChannel(deps, channel, { model });
    return c.json({ success: r.ok, message: r.message, time: r.ok ? r.ms / 1000 : 0 });
  });

  return app;
}
