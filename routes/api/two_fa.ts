/**
 * New API's TOTP 2FA routes: `GET /api/user/2fa/status`, `POST /api/user/2fa/setup` (a pending secret, its
 * otpauth URI for the QR code and 8 backup codes, shown once), `/enable {code}`, `/disable {code}` (TOTP
 * or backup code), `/backup_codes {code}` (new codes), `POST /api/user/login/2fa {code, flow_token?}` (the
 * sign-in step after the password), and for admins `GET /api/user/2fa/stats` and
 * `DELETE /api/user/:id/2fa` (lower roles only; the user's sessions end).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest, forbidden, notFound } from "./errors.ts";
import { idParam, readJson } from "./input.ts";
import { msgFor } from "./messages.ts";
import { type AuthEnv, authOf, requireAdmin, requireUser, sameOriginOnly } from "../../auth/middleware.ts";
import { canManageRole } from "../../auth/roles.ts";
import { newTotpSecret, otpauthUri } from "../../auth/totp.ts";
import {
  checkSecondFactor,
  endPendingLogin,
  type FactorAnswer,
  newBackupCodes,
  peekPendingLogin,
  sealTotpSecret,
  totpUse,
} from "../../auth/two_factor.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { retryAfterSeconds } from "../../kv/limits/rate.ts";
import {
  deleteTwoFa,
  enableTwoFa,
  getTwoFa,
  replaceBackupCodes,
  startTwoFaSetup,
  twoFaStats,
  unusedBackupCodes,
} from "../../store/two_fa.ts";
import { getUser, UserStatus } from "../../store/users.ts";
import { revokeUserSessions } from "../../store/sessions.ts";
import { nowSeconds } from "../../store/db.ts";
import { finishSignIn } from "./user_auth.ts";

const codeBody = z.object({ code: z.string().trim().min(1).max(32) });
const loginBody = codeBody.extend({ flow_token: z.string().max(64).optional() });

/** The refusal a failed check answers. */
export function refusal(c: Context, answer: FactorAnswer & { ok: false }): Response {
  if (answer.why === "locked") {
    c.header("Retry-After", String(retryAfterSeconds(answer.retryAfterSeconds * 1000)));
    return c.json(
      { success: false, message: msgFor(c, "api.two_fa_locked", { seconds: answer.retryAfterSeconds }) },
      429,
    );
  }
  if (answer.why === "not_enabled") throw badRequest("api.two_fa_not_enabled");
  throw badRequest("api.two_fa_code_wrong");
}

export function twoFaRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/api/user/2fa/status", requireUser(deps), async (c) => {
    const { user } = authOf(c);
    const row = await getTwoFa(deps.db, user.id);
    const data: Record<string, unknown> = {
      enabled: row?.enabled ?? false,
      locked: row ? row.lockedUntil > nowSeconds() : false,
    };
    if (row?.enabled) data.backup_codes_remaining = (await unusedBackupCodes(deps.db, user.id)).length;
    return ok(c, data);
  });

  app.post("/api/user/2fa/setup", requireUser(deps), async (c) => {
    const { user } = authOf(c);
    if ((await getTwoFa(deps.db, user.id))?.enabled) throw badRequest("api.two_fa_already_enabled");
    const secret = newTotpSecret();
    const { codes, hashes } = await newBackupCodes();
    await startTwoFaSetup(deps.db, user.id, sealTotpSecret(deps.secrets.cryptoSecret, secret), hashes);
    c.header("Cache-Control", "no-store");
    return ok(c, {
      secret,
      qr_code_data: otpauthUri(o.string(deps.catalog, "SystemName"), user.username, secret),
      backup_codes: codes,
    });
  });

  app.post("/api/user/2fa/enable", requireUser(deps), async (c) => {
    const { user } = authOf(c);
    const { code } = await readJson(c, codeBody);
    const row = await getTwoFa(deps.db, user.id);
    if (!row) throw badRequest("api.two_fa_setup_first");
    if (row.enabled) throw badRequest("api.two_fa_already_enabled");
    const usedAt = totpUse(deps.secrets.cryptoSecret, row, code);
    if (usedAt === undefined) throw badRequest("api.two_fa_code_wrong");
    if (!(await enableTwoFa(deps.db, user.id, usedAt))) throw badRequest("api.two_fa_already_enabled");
    // As New API: other sessions, signed in without the second factor, end; this one stays.
    await revokeUserSessions(deps.db, user.id, authOf(c).sessionId);
    return ok(c);
  });

  app.post("/api/user/2fa/disable", requireUser(deps), async (c) => {
    const { user } = authOf(c);
    const { code } = await readJson(c, codeBody);
    const answer = await checkSecondFactor(deps, user.id, code);
    if (!answer.ok) return refusal(c, answer);
    await deleteTwoFa(deps.db, user.id);
    await revokeUserSessions(deps.db, user.id, authOf(c).sessionId);
    return ok(c);
  });

  app.post("/api/user/2fa/backup_codes", requireUser(deps), async (c) => {
    const { user } = authOf(c);
    const { code } = await readJson(c, codeBody);
    // New API takes only a TOTP code here: a backup code cannot mint new ones.
    const answer = await checkSecondFactor(deps, user.id, code, false);
    if (!answer.ok) return refusal(c, answer);
    const { codes, hashes } = await newBackupCodes();
    await replaceBackupCodes(deps.db, user.id, hashes);
    c.header("Cache-Control", "no-store");
    return ok(c, { backup_codes: codes });
  });

  app.post("/api/user/login/2fa", sameOriginOnly(), async (c) => {
    const body = await readJson(c, loginBody, deps.config.anonymousRequestBodyBytes);
    const found = await peekPendingLogin(deps, c, body.flow_token);
    if (!found) throw apiError(401, "api.two_fa_flow_expired");
    const user = await getUser(deps.db, found.pending.userId);
    // A password, role or status change since the password step ends the flow.
    if (!user || user.authVersion !== found.pending.authVersion) {
      throw apiError(401, "api.two_fa_flow_expired");
    }
    if (user.status !== UserStatus.enabled) throw apiError(403, "api.user_disabled");
    const answer = await checkSecondFactor(deps, user.id, body.code);
    if (!answer.ok) return refusal(c, answer);
    if (!(await endPendingLogin(deps, c, found.token))) throw apiError(401, "api.two_fa_flow_expired");
    return await finishSignIn(deps, c, user.id, { secondFactorDone: true, method: "password_2fa" });
  });

  app.get("/api/user/2fa/stats", requireAdmin(deps), async (c) => {
    const { total, enabled } = await twoFaStats(deps.db);
    const rate = total > 0 ? (enabled / total) * 100 : 0;
    return ok(c, { total_users: total, enabled_users: enabled, enabled_rate: `${rate.toFixed(1)}%` });
  });

  app.delete("/api/user/:id/2fa", requireAdmin(deps), async (c) => {
    const id = idParam(c, "api.user_not_found");
    const target = await getUser(deps.db, id);
    if (!target) throw notFound("api.user_not_found");
    if (!canManageRole(authOf(c).user.role, target.role)) throw forbidden("api.cannot_manage_role");
    if (!(await deleteTwoFa(deps.db, id))) throw badRequest("api.two_fa_not_enabled");
    await revokeUserSessions(deps.db, id);
    return ok(c);
  });

  return app;
}
