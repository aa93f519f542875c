/**
 * Usage-log routes (New API shapes): `GET /api/log/` and `/api/log/stat` for admins, `/api/log/self`
 * and `/api/log/self/stat` for the caller's own rows, and the two search routes (a log type number, or
 * a request id), and `DELETE /api/log/?target_timestamp=` (admins: rows created before it). Rows come from
 * the log database (`deps.logDb`), channel names from the main store. Users see their own rows as New API
 * shows them (log_view.ts): never other users' rows, channel names or `other.admin_info`.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { channelNames, deleteLogsBefore, listLogs, type LogFilter, logStat } from "../../store/logs.ts";
import { type AuthEnv, authOf, requireAdmin, requireUser } from "../../auth/middleware.ts";
import { adminLogItem, userLogItem } from "./log_view.ts";
import { pageData, readPaging } from "./input.ts";
import { ok } from "./respond.ts";
import { badRequest } from "./errors.ts";

const num = (v: string | undefined) => {
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};
const text = (v: string | undefined) => (v && v.length <= 255 ? v : undefined);

function filterFrom(c: Context, admin: boolean): LogFilter {
  const q = (k: string) => c.req.query(k);
  return {
    type: num(q("type")),
    start: num(q("start_timestamp")),
    end: num(q("end_timestamp")),
    username: admin ? text(q("username")) : undefined,
    tokenName: text(q("token_name")),
    modelName: text(q("model_name")),
    channelId: admin ? num(q("channel")) : undefined,
    group: text(q("group")),
    requestId: text(q("request_id")),
  };
}

/** A search keyword: a log type number, else a request id; undefined (nothing matches) when empty. */
function searchFilter(keyword: string): LogFilter | undefined {
  const k = keyword.trim();
  if (/^\d{1,2}$/.test(k)) return { type: Number(k) };
  return k ? { requestId: k.slice(0, 64) } : undefined;
}

export function logRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const { db, logDb } = deps;

  app.get("/api/log", requireAdmin(deps), async (c) => {
    const page = readPaging(c);
    const { items, total } = await listLogs(logDb, filterFrom(c, true), page.offset, page.pageSize);
    const names = await channelNames(db, items.map((l) => l.channelId));
    return ok(c, pageData(page, items.map((l) => adminLogItem(l, names.get(l.channelId))), total));
  });

  app.delete("/api/log", requireAdmin(deps), async (c) => {
    const before = num(c.req.query("target_timestamp"));
    if (before === undefined) throw badRequest("api.log_target_timestamp_required");
    return ok(c, await deleteLogsBefore(logDb, before));
  });

  app.get("/api/log/stat", requireAdmin(deps), async (c) => ok(c, await logStat(logDb, filterFrom(c, true))));

  app.get("/api/log/search", requireAdmin(deps), async (c) => {
    const filter = searchFilter(c.req.query("keyword") ?? "");
    if (!filter) return ok(c, []);
    const { items } = await listLogs(logDb, filter, 0, 100);
    const names = await channelNames(db, items.map((l) => l.channelId));
    return ok(c, items.map((l) => adminLogItem(l, names.get(l.channelId))));
  });

  app.get("/api/log/self", requireUser(deps), async (c) => {
    const page = readPaging(c);
    const filter = { ...filterFrom(c, false), userId: authOf(c).user.id };
    const { items, total } = await listLogs(logDb, filter, page.offset, page.pageSize);
    return ok(c, pageData(page, items.map(userLogItem), total));
  });

  app.get("/api/log/self/stat", requireUser(deps), async (c) => {
    return ok(c, await logStat(logDb, { ...filterFrom(c, false), userId: authOf(c).user.id }));
  });

  app.get("/api/log/self/search", requireUser(deps), async (c) => {
    const keyword = searchFilter(c.req.query("keyword") ?? "");
    if (!keyword) return ok(c, []);
    const { items } = await listLogs(logDb, { ...keyword, userId: authOf(c).user.id }, 0, 100);
    return ok(c, items.map(userLogItem));
  });

  return app;
}
