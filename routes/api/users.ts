/**
 * User administration (admins and root): list, search, read, create, update, delete, and
 * `POST /api/user/manage` (enable, disable, promote, demote, delete, add_quota). An administrator never
 * acts on a user of equal or higher role; every change that touches sign-in ends the user's sessions.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest, forbidden, notFound } from "./errors.ts";
import { bodyId, idParam, pageData, queryInt, readJson, readPaging, readQuery } from "./input.ts";
import { msg } from "./messages.ts";
import { managedUserView, userDetailView, userView } from "./views.ts";
import { type AuthEnv, authOf, requireAdmin } from "../../auth/middleware.ts";
import { canManageRole } from "../../auth/roles.ts";
import { checkPassword, checkUsername } from "../../auth/credentials.ts";
import { hashPassword } from "../../crypto/password.ts";
import { optionRegistry } from "../../options/index.ts";
import { maxQuota } from "../../options/accounts.ts";
import { UniqueViolation } from "../../store/db.ts";
import {
  addUserQuota,
  getUser,
  insertUser,
  listUsers,
  Role,
  setUserQuota,
  softDeleteUser,
  updateUser,
  type User,
  type UserPatch,
  UserStatus,
} from "../../store/users.ts";
import { revokeUserSessions } from "../../store/sessions.ts";
import { AccountLogType, insertAccountLog } from "../../store/account_logs.ts";
import { formatQuota } from "./quota_text.ts";

const sortQuery = {
  sort_by: z.string().max(32).optional(),
  sort_order: z.enum(["asc", "desc"]).optional(),
};

const listQuery = z.object(sortQuery);

const searchQuery = z.object({
  ...sortQuery,
  keyword: z.string().max(128).optional(),
  group: z.string().max(64).optional(),
  role: queryInt(0, 100).optional(),
  status: queryInt(0, 10).optional(),
});

const groupName = z.string().trim().min(1).max(64).refine((g) => !g.includes(","), "api.no_commas");

const createBody = z.object({
  username: z.string().max(256),
  password: z.string().max(1024),
  display_name: z.string().max(20).optional(),
  role: z.union([z.literal(Role.common), z.literal(Role.admin), z.literal(Role.root)]).optional(),
  remark: z.string().max(255).optional(),
});

const updateBody = z.object({
  id: bodyId.optional(),
  username: z.string().max(256).optional(),
  display_name: z.string().max(20).optional(),
  password: z.string().max(1024).optional(),
  group: groupName.optional(),
  quota: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  email: z.string().max(50).optional(),
  remark: z.string().max(255).optional(),
  role: z.int().optional(),
});

const manageBody = z.object({
  id: bodyId,
  action: z.string().max(32),
  value: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  mode: z.string().max(16).optional(),
});

export function userAdminRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const admin = requireAdmin(deps);

  /** The live target user, if the caller may manage them (404 when absent, 403 when not allowed). */
  const manageable = async (c: Context<AuthEnv>, id: number): Promise<User> => {
    const target = await getUser(deps.db, id);
    if (!target) throw notFound("api.user_not_found");
    if (!canManageRole(authOf(c).user.role, target.role)) throw forbidden("api.cannot_manage_role");
    return target;
  };

  /** After a change to sign-in, role or status: end the user's sessions and refresh every cache. */
  const afterAuthChange = async (id: number) => {
    await revokeUserSessions(deps.db, id);
    await deps.cache.publish({ kind: "user", id });
  };

  const quotaText = (quota: number) => formatQuota(deps.catalog, quota);
  const logQuota = async (c: Context<AuthEnv>, target: User, content: string, quota = 0) => {
    await insertAccountLog(deps.logDb, {
      userId: target.id,
      username: target.username,
      type: AccountLogType.manage,
      content: `${content} (by ${authOf(c).user.username})`,
      quota,
    });
  };

  app.get("/api/user", admin, async (c) => {
    const q = readQuery(c, listQuery);
    const paging = readPaging(c);
    const { items, total } = await listUsers(deps.db, {
      offset: paging.offset,
      limit: paging.pageSize,
      sortBy: q.sort_by,
      sortOrder: q.sort_order,
    });
    return ok(c, pageData(paging, items.map(userView), total));
  });

  app.get("/api/user/search", admin, async (c) => {
    const q = readQuery(c, searchQuery);
    const paging = readPaging(c);
    const { items, total } = await listUsers(deps.db, {
      offset: paging.offset,
      limit: paging.pageSize,
      keyword: q.keyword,
      group: q.group,
      role: q.role,
      status: q.status,
      sortBy: q.sort_by,
      sortOrder: q.sort_order,
    });
    return ok(c, pageData(paging, items.map(userView), total));
  });

  app.get("/api/user/:id{[0-9]+}", admin, async (c) => {
    return ok(c, userDetailView(await manageable(c, idParam(c, "api.user_not_found"))));
  });

  app.post("/api/user", admin, async (c) => {
    const actor = authOf(c).user;
    const body = await readJson(c, createBody);
    const username = checkUsername(body.username);
    checkPassword(body.password);
    const role = body.role ?? Role.common;
    if (role >= actor.role) throw forbidden("api.cannot_create_role");
    let id: number;
    try {
      id = await insertUser(deps.db, {
        username,
        passwordHash: await hashPassword(body.password),
        displayName: body.display_name?.trim() || username,
        role,
        quota: optionRegistry.int(deps.catalog, "QuotaForNewUser"),
        remark: body.remark,
      });
    } catch (err) {
      if (err instanceof UniqueViolation) throw apiError(409, "api.username_taken");
      throw err;
    }
    await deps.cache.publish({ kind: "user", id });
    return ok(c, { id });
  });

  const update = async (c: Context<AuthEnv>, pathId?: number) => {
    const body = await readJson(c, updateBody);
    const id = pathId ?? body.id;
    if (id === undefined) throw badRequest("api.field_required", { field: "id" });
    const target = await manageable(c, id);
    if (body.role !== undefined && body.role !== 0 && body.role !== target.role) {
      throw badRequest("api.role_change_via_manage");
    }
    const patch: UserPatch = {};
    if (body.username !== undefined && body.username.trim() !== target.username) {
      patch.username = checkUsername(body.username);
    }
    if (body.display_name !== undefined) patch.displayName = body.display_name.trim();
    if (body.group !== undefined) patch.group = body.group;
    if (body.email !== undefined) patch.email = body.email.trim();
    if (body.remark !== undefined) patch.remark = body.remark;
    if (body.password) {
      checkPassword(body.password);
      patch.passwordHash = await hashPassword(body.password);
    }
    const self = authOf(c).user;
    // An admin never moves their own money; root, whose money it is, may (issue 14: no self-credit).
    if (
      body.quota !== undefined && body.quota !== target.quota && target.id === self.id &&
      self.role !== Role.root
    ) {
      throw forbidden("api.cannot_change_own_quota");
    }
    if (body.quota !== undefined && body.quota > maxQuota(deps.catalog)) {
      throw badRequest("api.quota_too_large", { max: maxQuota(deps.catalog) });
    }
    try {
      await updateUser(deps.db, id, patch);
    } catch (err) {
      if (err instanceof UniqueViolation) throw apiError(409, "api.username_taken");
      throw err;
    }
    if (body.quota !== undefined && body.quota !== target.quota) {
      // An absolute value lands after every settlement the quota book has not written yet.
      await deps.billing.flush();
      await setUserQuota(deps.db, id, body.quota);
      await logQuota(
        c,
        target,
        msg("api.log_quota_overridden", { from: quotaText(target.quota), to: quotaText(body.quota) }),
      );
    }
    if (patch.passwordHash) await afterAuthChange(id);
    else await deps.cache.publish({ kind: "user", id });
    return ok(c, userView((await getUser(deps.db, id))!));
  };

  app.put("/api/user", admin, (c) => update(c));
  app.put("/api/user/:id{[0-9]+}", admin, (c) => update(c, idParam(c, "api.user_not_found")));

  app.delete("/api/user/:id{[0-9]+}", admin, async (c) => {
    const target = await manageable(c, idParam(c, "api.user_not_found"));
    if (target.role === Role.root) throw forbidden("api.cannot_delete_root");
    await softDeleteUser(deps.db, target.id);
    await afterAuthChange(target.id);
    return ok(c);
  });

  app.post("/api/user/manage", admin, async (c) => {
    const actor = authOf(c).user;
    const body = await readJson(c, manageBody);
    const target = await manageable(c, body.id);
    const statusAnswer = async (patch: UserPatch) => {
      await updateUser(deps.db, target.id, patch);
      await afterAuthChange(target.id);
      const fresh = (await getUser(deps.db, target.id))!;
      return ok(c, managedUserView(fresh.role, fresh.status));
    };
    switch (body.action) {
      case "disable":
        if (target.role === Role.root) throw forbidden("api.cannot_disable_root");
        return await statusAnswer({ status: UserStatus.disabled });
      case "enable":
        return await statusAnswer({ status: UserStatus.enabled });
      case "delete":
        if (target.role === Role.root) throw forbidden("api.cannot_delete_root");
        await softDeleteUser(deps.db, target.id);
        await afterAuthChange(target.id);
        return ok(c);
      case "promote":
        if (actor.role !== Role.root) throw forbidden("api.only_root_promotes");
        if (target.role >= Role.admin) throw badRequest("api.already_admin");
        return await statusAnswer({ role: Role.admin });
      case "demote":
        if (target.role === Role.root) throw forbidden("api.cannot_demote_root");
        if (target.role === Role.common) throw badRequest("api.already_common");
        return await statusAnswer({ role: Role.common });
      case "add_quota":
        // An admin never moves their own money; root, whose money it is, may (issue 14: no self-credit).
        if (target.id === actor.id && actor.role !== Role.root) {
          throw forbidden("api.cannot_change_own_quota");
        }
        return await changeQuota(c, target, body.mode ?? "add", body.value ?? 0);
      default:
        throw badRequest("api.unknown_action", { action: body.action });
    }
  });

  const changeQuota = async (c: Context<AuthEnv>, target: User, mode: string, value: number) => {
    const max = maxQuota(deps.catalog);
    if (value > max) throw badRequest("api.quota_too_large", { max });
    // The store's balance must include every settlement the quota book has not written yet (an override
    // lands after them); live holds stay in memory, so a subtraction is also checked against the live
    // balance below.
    await deps.billing.flush();
    switch (mode) {
      case "add":
        if (value <= 0) throw badRequest("api.quota_change_zero");
        if (target.quota + value > max) throw badRequest("api.quota_too_large", { max });
        await addUserQuota(deps.db, target.id, value);
        await logQuota(c, target, msg("api.log_quota_added", { quota: quotaText(value) }), value);
        break;
      case "subtract":
        if (value <= 0) throw badRequest("api.quota_change_zero");
        if (deps.billing.book && (deps.catalog.user(target.id)?.quota ?? 0) < value) {
          throw badRequest("api.quota_insufficient");
        }
        if (!(await addUserQuota(deps.db, target.id, -value))) throw badRequest("api.quota_insufficient");
        await logQuota(c, target, msg("api.log_quota_subtracted", { quota: quotaText(value) }), -value);
        break;
      case "override":
        await setUserQuota(deps.db, target.id, value);
        await logQuota(
          c,
          target,
          msg("api.log_quota_overridden", { from: quotaText(target.quota), to: quotaText(value) }),
        );
        break;
      default:
        throw badRequest("api.unknown_quota_mode", { mode });
    }
    await deps.cache.publish({ kind: "user", id: target.id });
    return ok(c);
  };

  return app;
}
