/**
 * The signed-in user's own account: `GET/PUT/DELETE /api/user/self` and the console access token
 * (`GET /api/user/token`, also POST). Only display name, username, password and console preferences can
 * change here; quota, role, group and status in a request body are ignored.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest, forbidden } from "./errors.ts";
import { readJson } from "./input.ts";
import { selfView } from "./views.ts";
import { type AuthEnv, authOf, isCrossSite, requireUser } from "../../auth/middleware.ts";
import {
  accessTokenHash,
  checkPassword,
  checkUsername,
  generateAccessToken,
  verifySignIn,
} from "../../auth/credentials.ts";
import { endSession, startSession } from "../../auth/sessions.ts";
import { hashPassword } from "../../crypto/password.ts";
import { asJsonObject, UniqueViolation } from "../../store/db.ts";
import {
  getPasswordHash,
  getUser,
  Role,
  setAccessTokenHash,
  softDeleteUser,
  updateUser,
  type UserPatch,
} from "../../store/users.ts";
import { revokeUserSessions } from "../../store/sessions.ts";
import { sealAccessToken } from "../../crypto/token_key_seal.ts";
import { lockedAnswer, passwordAttempts } from "./user_auth.ts";

const selfBody = z.object({
  username: z.string().max(256).optional(),
  display_name: z.string().max(20).optional(),
  password: z.string().max(1024).optional(),
  original_password: z.string().max(1024).optional(),
  sidebar_modules: z.string().max(65536).optional(),
  language: z.string().max(16).optional(),
});

export function userSelfRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const signedIn = requireUser(deps);
  const attempts = passwordAttempts(deps);

  app.get("/api/user/self", signedIn, async (c) => {
    const user = await getUser(deps.db, authOf(c).user.id);
    if (!user) throw apiError(401, "api.not_logged_in");
    return ok(c, selfView(user, deps.secrets.cryptoSecret));
  });

  app.put("/api/user/self", signedIn, async (c) => {
    const auth = authOf(c);
    const body = await readJson(c, selfBody);
    const user = await getUser(deps.db, auth.user.id);
    if (!user) throw apiError(401, "api.not_logged_in");

    // Console preferences: a field-scoped write of `setting` only (never a stale copy of the whole row).
    if (body.sidebar_modules !== undefined || body.language !== undefined) {
      const setting = asJsonObject(user.setting);
      if (body.sidebar_modules !== undefined) setting.sidebar_modules = body.sidebar_modules;
      if (body.language !== undefined) setting.language = body.language;
      await updateUser(deps.db, user.id, { setting: JSON.stringify(setting) });
      await deps.cache.publish({ kind: "user", id: user.id });
      return ok(c);
    }

    const patch: UserPatch = {};
    if (
      body.username !== undefined && body.username.trim() !== "" && body.username.trim() !== user.username
    ) {
      patch.username = checkUsername(body.username);
    }
    if (body.display_name !== undefined) patch.displayName = body.display_name.trim();
    const changingPassword = body.password !== undefined && body.password !== "";
    if (changingPassword) {
      if (!body.original_password) throw badRequest("api.original_password_required");
      checkPassword(body.password!);
      // The same per-account lock as sign-in: a stolen session cannot guess the password here instead.
      const lock = await attempts.take(user.username);
      if (!lock.ok) return lockedAnswer(c, lock.retryAfterMs);
      const current = await getPasswordHash(deps.db, user.id);
      if (!(await verifySignIn(body.original_password, current))) {
        throw badRequest("api.original_password_wrong");
      }
      await attempts.clear(user.username);
      patch.passwordHash = await hashPassword(body.password!);
    }
    try {
      await updateUser(deps.db, user.id, patch);
    } catch (err) {
      if (err instanceof UniqueViolation) throw apiError(409, "api.username_taken");
      throw err;
    }
    if (changingPassword) {
      // The new auth_version ends every session; the one making the change gets a fresh cookie.
      await revokeUserSessions(deps.db, user.id);
    }
    await deps.cache.publish({ kind: "user", id: user.id });
    if (changingPassword && auth.via === "session") {
      await startSession(deps, c, (await getUser(deps.db, user.id))!);
    }
    return ok(c);
  });

  app.delete("/api/user/self", signedIn, async (c) => {
    const { user } = authOf(c);
    if (user.role === Role.root) throw forbidden("api.cannot_delete_root");
    await softDeleteUser(deps.db, user.id);
    await revokeUserSessions(deps.db, user.id);
    await deps.cache.publish({ kind: "user", id: user.id });
    await endSession(deps, c);
    return ok(c);
  });

  const issueAccessToken = async (userId: number) => {
    const token = generateAccessToken();
    await setAccessTokenHash(
      deps.db,
      userId,
      accessTokenHash(deps.secrets.cryptoSecret, token),
      sealAccessToken(deps.secrets.cryptoSecret, token),
    );
    return token;
  };

  // New API generates the token on GET; a cross-site GET (which could rotate it) is refused.
  app.get("/api/user/token", signedIn, async (c) => {
    if (isCrossSite(c, false)) throw forbidden("api.cross_site_refused");
    return ok(c, await issueAccessToken(authOf(c).user.id));
  });

  app.post("/api/user/token", signedIn, async (c) => ok(c, await issueAccessToken(authOf(c).user.id)));

  return app;
}
