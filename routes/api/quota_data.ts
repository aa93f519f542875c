/**
 * Dashboard aggregates (New API shapes): `GET /api/data/` for admins, `GET /api/data/self` for the caller,
 * `GET /api/data/users` (admins: every user per hour) and New API's flow view, `GET /api/data/flow` (admins:
 * by user, group, model and channel; root also by node and token) and `GET /api/data/flow/self` (the
 * caller's, by token, group and model; at most one month).
 * Billing sums usage in memory and writes `quota_data` every DataExportInterval minutes; the answers add
 * this process's unwritten sums, so a request shows on the chart at once (other instances' after their
 * next flush).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import {
  flowQuotaData,
  type FlowRow,
  type FlowScope,
  mergeQuotaData,
  quotaDataByUser,
  quotaDataForAdmin,
  quotaDataForUser,
  type QuotaDataRow,
  quotaKey,
} from "../../store/quota_data.ts";
import { Role } from "../../store/users.ts";
import { badRequest } from "./errors.ts";
import { type AuthEnv, authOf, requireAdmin, requireUser } from "../../auth/middleware.ts";
import { msgFor } from "./messages.ts";
import { queryInt, readQuery } from "./input.ts";
import { ok } from "./respond.ts";

const MAX_SELF_RANGE = 2_592_000;

const rangeQuery = z.object({
  start_timestamp: queryInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  end_timestamp: queryInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  username: z.string().max(64).optional(),
});

const inRange = (r: QuotaDataRow, start: number, end: number) => r.createdAt >= start && r.createdAt <= end;

/** The dashboard's rows: per model and hour, and per user when one user is asked for. */
const PER_USER = quotaKey("userId", "modelName", "createdAt");
const byHour = (a: QuotaDataRow, b: QuotaDataRow) => a.createdAt - b.createdAt;

const item = (r: QuotaDataRow) => ({
  id: r.id,
  user_id: r.userId,
  username: r.username,
  model_name: r.modelName,
  created_at: r.createdAt,
  token_used: r.tokenUsed,
  count: r.count,
  quota: r.quota,
});

const flowQuery = z.object({
  start_timestamp: queryInt(1, Number.MAX_SAFE_INTEGER),
  end_timestamp: queryInt(1, Number.MAX_SAFE_INTEGER),
  username: z.string().max(64).optional(),
});

/** A flow row in New API's JSON (`omitempty` fields left out when zero or empty). */
function flowItem(deps: AppDeps, r: FlowRow, tokenNames: Map<number, string>) {
  const k = r.key;
  const out: Record<string, unknown> = {};
  if (k.userId) out.user_id = k.userId;
  if (k.username) out.username = k.username;
  if (k.nodeName) out.node_name = k.nodeName;
  if (k.tokenId) {
    out.token_id = k.tokenId;
    // A deleted token keeps no name, as in New API (the console shows "deleted (id)").
    const name = tokenNames.get(k.tokenId);
    if (name) out.token_name = name;
  }
  out.use_group = k.useGroup ?? "";
  if (k.channelId) {
    out.channel_id = k.channelId;
    out.channel_name = deps.catalog.channel(k.channelId)?.name || `channel-${k.channelId}`;
  }
  out.model_name = k.modelName ?? "";
  out.token_used = r.tokenUsed;
  out.count = r.count;
  out.quota = r.quota;
  return out;
}

async function tokenNamesOf(deps: AppDeps, rows: FlowRow[]): Promise<Map<number, string>> {
  const ids = [...new Set(rows.map((r) => r.key.tokenId ?? 0).filter((id) => id > 0))];
  if (ids.length === 0) return new Map();
  const found = await deps.db.query(
    `SELECT id, name FROM tokens WHERE id IN (${ids.map(() => "?").join(", ")}) AND deleted_at IS NULL`,
    ids,
  );
  return new Map(found.map((t) => [Number(t.id), String(t.name ?? "")]));
}

export function quotaDataRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  const inWindow = (start: number, end: number) => (r: QuotaDataRow) => inRange(r, start, end);

  app.get("/api/data/users", requireAdmin(deps), async (c) => {
    const q = readQuery(c, rangeQuery);
    const rows = await quotaDataByUser(deps.db, q.start_timestamp, q.end_timestamp);
    const pending = deps.billing.quotaData.pendingRows(inWindow(q.start_timestamp, q.end_timestamp));
    const merged = mergeQuotaData(rows, pending, quotaKey("username", "createdAt")).sort((a, b) =>
      a.createdAt - b.createdAt || a.username.localeCompare(b.username)
    );
    // New API answers its QuotaData rows: the fields it did not group by are zero.
    return ok(c, merged.map((r) => item({ ...r, id: 0, userId: 0, modelName: "" })));
  });

  const flow = async (
    c: Context<AuthEnv>,
    scope: FlowScope,
    filter: { userId?: number; username?: string },
    start: number,
    end: number,
  ) => {
    const pending = deps.billing.quotaData.pendingRows(inWindow(start, end));
    const rows = await flowQuotaData(deps.db, scope, start, end, filter, pending);
    const names = await tokenNamesOf(deps, rows);
    return ok(c, rows.map((r) => flowItem(deps, r, names)));
  };

  app.get("/api/data/flow", requireAdmin(deps), (c) => {
    const q = readQuery(c, flowQuery);
    if (q.end_timestamp < q.start_timestamp) throw badRequest("api.range_invalid");
    const scope: FlowScope = authOf(c).user.role >= Role.root ? "root" : "admin";
    return flow(c, scope, { username: q.username || undefined }, q.start_timestamp, q.end_timestamp);
  });

  app.get("/api/data/flow/self", requireUser(deps), (c) => {
    const q = readQuery(c, flowQuery);
    if (q.end_timestamp < q.start_timestamp) throw badRequest("api.range_invalid");
    if (q.end_timestamp - q.start_timestamp > MAX_SELF_RANGE) {
      return c.json({ success: false, message: msgFor(c, "api.range_too_long") });
    }
    return flow(c, "self", { userId: authOf(c).user.id }, q.start_timestamp, q.end_timestamp);
  });

  app.get("/api/data", requireAdmin(deps), async (c) => {
    const q = readQuery(c, rangeQuery);
    const username = q.username || undefined;
    const rows = await quotaDataForAdmin(deps.db, q.start_timestamp, q.end_timestamp, username);
    const pending = deps.billing.quotaData.pendingRows((r) =>
      inRange(r, q.start_timestamp, q.end_timestamp) && (username === undefined || r.username === username)
    );
    const merged = username !== undefined ? mergeQuotaData(rows, pending, PER_USER) : mergeQuotaData(
      rows,
      pending,
      quotaKey("modelName", "createdAt"),
      (p) => ({ ...p, userId: 0, username: "" }),
    );
    return ok(c, merged.sort(byHour).map(item));
  });

  app.get("/api/data/self", requireUser(deps), async (c) => {
    const q = readQuery(c, rangeQuery);
    // New API answers this one with 200 and success: false.
    if (q.end_timestamp - q.start_timestamp > MAX_SELF_RANGE) {
      return c.json({ success: false, message: msgFor(c, "api.range_too_long") });
    }
    const userId = authOf(c).user.id;
    const rows = await quotaDataForUser(deps.db, userId, q.start_timestamp, q.end_timestamp);
    const pending = deps.billing.quotaData.pendingRows((r) =>
      r.userId === userId && inRange(r, q.start_timestamp, q.end_timestamp)
    );
    return ok(c, mergeQuotaData(rows, pending, PER_USER).sort(byHour).map(item));
  });

  return app;
}
