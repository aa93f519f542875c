/**
 * The task listings (New API shapes): `GET /api/mj/self` and `GET /api/task/self` for the caller's own
 * Midjourney and platform tasks, `GET /api/mj/` and `GET /api/task/` for admins (every user's, with a
 * channel filter). Filters are New API's query parameters; image URLs are shown as the relay answers them.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireAdmin, requireUser } from "../../auth/middleware.ts";
import { listMjTasks, type MjListFilter } from "../../store/midjourneys.ts";
import { listTasks, type TaskListFilter } from "../../store/tasks.ts";
import { optionRegistry } from "../../options/index.ts";
import { mjImageUrl } from "../../relay/tasks/mj_view.ts";
import { pageData, readPaging } from "./input.ts";
import { midjourneyView, taskView } from "./views.ts";
import { ok } from "./respond.ts";

const num = (v: string | undefined) => {
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};
const text = (v: string | undefined) => (v && v.length <= 191 ? v : undefined);

function mjFilter(c: Context, admin: boolean): MjListFilter {
  return {
    channelId: admin ? num(c.req.query("channel_id")) : undefined,
    mjId: text(c.req.query("mj_id")),
    startTimestamp: num(c.req.query("start_timestamp")),
    endTimestamp: num(c.req.query("end_timestamp")),
  };
}

function taskFilter(c: Context, admin: boolean): TaskListFilter {
  return {
    channelId: admin ? num(c.req.query("channel_id")) : undefined,
    platform: text(c.req.query("platform")),
    taskId: text(c.req.query("task_id")),
    status: text(c.req.query("status")),
    action: text(c.req.query("action")),
    startTimestamp: num(c.req.query("start_timestamp")),
    endTimestamp: num(c.req.query("end_timestamp")),
  };
}

export function taskLogRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const link = (c: Context) => {
    if (!optionRegistry.bool(deps.catalog, "MjForwardUrlEnabled")) {
      return { cryptoSecret: deps.secrets.cryptoSecret };
    }
    const base = optionRegistry.string(deps.catalog, "ServerAddress") || new URL(c.req.url).origin;
    return { forwardBase: base.replace(/\/+$/, ""), cryptoSecret: deps.secrets.cryptoSecret };
  };

  const mjList = (admin: boolean) => async (c: Context<AuthEnv>) => {
    const page = readPaging(c);
    const filter = { ...mjFilter(c, admin), userId: admin ? undefined : authOf(c).user.id };
    const { items, total } = await listMjTasks(deps.db, filter, page.offset, page.pageSize);
    const l = link(c);
    return ok(c, pageData(page, items.map((t) => midjourneyView(t, mjImageUrl(t, l))), total));
  };
  app.get("/api/mj/self", requireUser(deps), mjList(false));
  app.get("/api/mj", requireAdmin(deps), mjList(true));

  const taskList = (admin: boolean) => async (c: Context<AuthEnv>) => {
    const page = readPaging(c);
    const filter = { ...taskFilter(c, admin), userId: admin ? undefined : authOf(c).user.id };
    const { items, total } = await listTasks(deps.db, filter, page.offset, page.pageSize);
    const names = admin ? (u: number) => deps.catalog.user(u)?.username ?? "" : () => undefined;
    return ok(c, pageData(page, items.map((t) => taskView(t, names(t.userId))), total));
  };
  app.get("/api/task/self", requireUser(deps), taskList(false));
  app.get("/api/task", requireAdmin(deps), taskList(true));
  return app;
}
