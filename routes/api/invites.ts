/**
 * Invitations, New API's routes: `GET /api/user/aff` (the caller's invitation code, made on first ask)
 * and `POST /api/user/aff_transfer {quota}` (move earned invitation reward to the balance, at least one
 * unit of QuotaPerUnit, never more than was earned). Rewards are granted at registration
 * (`user_auth.ts`, QuotaForInviter / QuotaForInvitee).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { ok } from "./respond.ts";
import { badRequest } from "./errors.ts";
import { readJson } from "./input.ts";
import { msgFor } from "./messages.ts";
import { formatQuota } from "./quota_text.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { maxQuota } from "../../options/accounts.ts";
import { affQuotaOf, ensureAffCode, transferAffQuota } from "../../store/invites.ts";

export function inviteRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const user = requireUser(deps);

  app.get("/api/user/aff", user, async (c) => {
    const id = authOf(c).user.id;
    const code = await ensureAffCode(deps.db, id);
    await deps.cache.publish({ kind: "user", id });
    return ok(c, code);
  });

  app.post("/api/user/aff_transfer", user, async (c) => {
    const { quota } = await readJson(c, z.object({ quota: z.int().min(1).max(Number.MAX_SAFE_INTEGER) }));
    const id = authOf(c).user.id;
    const min = Math.floor(o.float(deps.catalog, "QuotaPerUnit") || 500000);
    if (quota < min) throw badRequest("api.aff_transfer_min", { min: formatQuota(deps.catalog, min) });
    if (quota > await affQuotaOf(deps.db, id)) throw badRequest("api.aff_transfer_insufficient");
    if (!await transferAffQuota(deps.db, id, quota, maxQuota(deps.catalog))) {
      throw badRequest("api.aff_transfer_insufficient");
    }
    await deps.cache.publish({ kind: "user", id });
    return ok(c, undefined, msgFor(c, "api.aff_transfer_done"));
  });

  return app;
}
