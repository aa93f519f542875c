/**
 * New API's system tasks (root only): `POST /api/system-task/log-cleanup?target_timestamp=` starts a log
 * cleanup (or answers the one already active), `GET /api/system-task/list` (newest first, `type`, `limit`),
 * `GET /api/system-task/current?type=` (the active task or null) and `GET /api/system-task/:task_id`. The
 * master's runner (`jobs/system_tasks.ts`) does the work.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, requireRoot } from "../../auth/middleware.ts";
import {
  activeSystemTask,
  listSystemTasks,
  startSystemTask,
  systemTaskById,
  systemTaskResponse,
} from "../../store/system_tasks.ts";
import { LOG_CLEANUP } from "../../jobs/system_tasks.ts";
import { badRequest, notFound } from "./errors.ts";
import { queryInt, readQuery } from "./input.ts";
import { ok } from "./respond.ts";

const cleanupQuery = z.object({ target_timestamp: queryInt(1, Number.MAX_SAFE_INTEGER) });
const listQuery = z.object({
  type: z.string().max(64).optional(),
  limit: queryInt(1, 100).optional(),
});
const currentQuery = z.object({ type: z.string().min(1, "api.system_task_type_required").max(64) });

export function systemTaskRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.post("/api/system-task/log-cleanup", requireRoot(deps), async (c) => {
    const q = readQuery(c, cleanupQuery);
    const { task } = await startSystemTask(deps.db, LOG_CLEANUP, { target_timestamp: q.target_timestamp });
    return ok(c, systemTaskResponse(task));
  });

  app.get("/api/system-task/list", requireRoot(deps), async (c) => {
    const q = readQuery(c, listQuery);
    return ok(
      c,
      (await listSystemTasks(deps.db, q.type || undefined, q.limit ?? 20)).map(systemTaskResponse),
    );
  });

  app.get("/api/system-task/current", requireRoot(deps), async (c) => {
    const raw = c.req.query("type");
    if (!raw) throw badRequest("api.system_task_type_required");
    const q = readQuery(c, currentQuery);
    const task = await activeSystemTask(deps.db, q.type);
    return ok(c, task ? systemTaskResponse(task) : null);
  });

  app.get("/api/system-task/:task_id", requireRoot(deps), async (c) => {
    const task = await systemTaskById(deps.db, c.req.param("task_id"));
    if (!task) throw notFound("api.system_task_not_found");
    return ok(c, systemTaskResponse(task));
  });

  return app;
}
