/** `GET /api/status`: public site status in New API's shape, also the health check. */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { fail, ok } from "./respond.ts";
import { isSetUp } from "./setup.ts";
import { msgFor } from "./messages.ts";
import { VERSION } from "../../server/version.ts";
import { optionRegistry } from "../../options/index.ts";
import { chatClients } from "../../options/chats.ts";

export function statusRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/api/status", async (c) => {
    if (deps.state.draining) return fail(c, 503, msgFor(c, "api.shutting_down"));
    return ok(c, {
      version: deps.config.versionOverride ?? VERSION,
      start_time: deps.startedAt,
      setup: await isSetUp(deps),
      database_type: deps.db.dialect,
      node_name: deps.config.nodeName,
      system_name: optionRegistry.string(deps.catalog, "SystemName"),
      quota_per_unit: optionRegistry.float(deps.catalog, "QuotaPerUnit"),
      display_in_currency: true,
      server_address: optionRegistry.string(deps.catalog, "ServerAddress"),
      // New API's shape: a list of one-entry objects (only the entries /chat2link may use).
      chats: chatClients(deps.catalog).map(({ name, url }) => ({ [name]: url })),
    });
  });
  return app;
}
