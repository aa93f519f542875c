/**
 * New API's node list (root only): `GET /api/system-info/instances` (every node with `online`/`stale`, its
 * start, last heartbeat and snapshot), `DELETE /api/system-info/stale-instances` (`{deleted_count}`) and
 * `DELETE /api/system-info/instances/:node_name` (only a stale node; a live one would write itself back).
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, requireRoot } from "../../auth/middleware.ts";
import {
  deleteStaleSystemInstance,
  deleteStaleSystemInstances,
  listSystemInstances,
  STALE_AFTER_SECONDS,
} from "../../store/system_instances.ts";
import { asJsonValue } from "../../store/db.ts";
import { badRequest } from "./errors.ts";
import { ok } from "./respond.ts";

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function systemInfoRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/api/system-info/instances", requireRoot(deps), async (c) => {
    const now = nowSeconds();
    const rows = await listSystemInstances(deps.db);
    return ok(
      c,
      rows.map((i) => ({
        node_name: i.nodeName,
        status: now - i.lastSeenAt > STALE_AFTER_SECONDS ? "stale" : "online",
        stale_after_seconds: STALE_AFTER_SECONDS,
        started_at: i.startedAt,
        last_seen_at: i.lastSeenAt,
        info: asJsonValue(i.info),
      })),
    );
  });

  app.delete("/api/system-info/stale-instances", requireRoot(deps), async (c) => {
    return ok(c, { deleted_count: await deleteStaleSystemInstances(deps.db, nowSeconds()) });
  });

  app.delete("/api/system-info/instances/:node_name", requireRoot(deps), async (c) => {
    const nodeName = c.req.param("node_name").trim();
    if (nodeName === "") throw badRequest("api.node_name_required");
    if (!await deleteStaleSystemInstance(deps.db, nodeName, nowSeconds())) {
      throw badRequest("api.instance_not_stale");
    }
    return ok(c, { deleted: true });
  });

  return app;
}
