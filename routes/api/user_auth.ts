/**
 * Signing up, in and out: `POST /api/user/register`, `POST /api/user/login` (rotates the session
 * cookie), `POST /api/user/logout`. Unknown users and wrong passwords get the same answer in the same time;
 * after repeated failures a username's password sign-in is locked for a while (`login_lockout.ts`). With
 * `EmailVerificationEnabled` registration needs `email` and the `verification_code` mailed by
 * `GET /api/verification` (`email_auth.ts`).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest } from "./errors.ts";
import { readJson } from "./input.ts";
import { createAccount } from "../../auth/accounts.ts";
import { msgFor } from "./messages.ts";
import { sameOriginOnly } from "../../auth/middleware.ts";
import { checkPassword, checkUsername, verifySignIn } from "../../auth/credentials.ts";
import { endSession, startSession } from "../../auth/sessions.ts";
import { emailCodeStore, normalizeEmail } from "../../auth/email_codes.ts";
import { hashPassword } from "../../crypto/password.ts";
import { optionRegistry } from "../../options/index.ts";
import { nowSeconds, UniqueViolation } from "../../store/db.ts";
import {
  getPasswordHash,
  getUser,
  getUserByUsername,
  getUserIdByAffCode,
  updateUser,
  UserStatus,
} from "../../store/users.ts";
import { type AttemptAnswer, clearLoginAttempts, takeLoginAttempt } from "../../kv/limits/login_lockout.ts";
import { retryAfterSeconds } from "../../kv/limits/rate.ts";
import { log } from "../../server/logger.ts";
import { getTwoFa } from "../../store/two_fa.ts";
import { startPendingLogin } from "../../auth/two_factor.ts";

const loginBody = z.object({
  username: z.string().trim().min(1).max(256),
  password: z.string().min(1).max(1024),
});

const registerBody = z.object({
  username: z.string().max(256),
  password: z.string().max(1024),
  email: z.string().max(50).optional(),
  verification_code: z.string().max(64).optional(),
  aff_code: z.string().max(32).optional(),
});

/** 429 in New API's envelope, saying when to retry. */
export function lockedAnswer(c: Context, retryAfterMs: number): Response {
  const seconds = retryAfterSeconds(retryAfterMs);
  c.header("Retry-After", String(seconds));
  return c.json({ success: false, message: msgFor(c, "api.login_locked", { seconds }) }, 429);
}

/**
 * The per-account password lock (`login_lockout.ts`) for every route that checks a password: sign-in, and
 * the original password of a password change. Like the per-IP limits it fails open: an unavailable KV
 * must not stop every sign-in.
 */
export function passwordAttempts(deps: AppDeps): {
  take(username: string): Promise<AttemptAnswer>;
  clear(username: string): Promise<void>;
} {
  const policy = deps.config.loginLockout;
  return {
    take: (username) =>
      takeLoginAttempt(deps.kv, username, policy).catch((err) => {
        log.error("login lockout unavailable; attempt allowed", { error: String(err) });
        return { ok: true };
      }),
    clear: (username) =>
      clearLoginAttempts(deps.kv, username, policy).catch((err) => {
        log.error("login lockout unavailable; attempts not cleared", { error: String(err) });
      }),
  };
}

/**
 * Signs a checked user in (every sign-in method ends here) and answers New API's `setupLogin` data; with 2FA
 * enabled and no second factor yet, parks the sign-in and answers New API's `require_2fa` instead.
 */
export async function finishSignIn(
  deps: AppDeps,
  c: Context,
  userId: number,
  opts: { secondFactorDone?: boolean; method?: string } = {},
): Promise<Response> {
  if (!opts.secondFactorDone && (await getTwoFa(deps.db, userId))?.enabled) {
    const pending = await getUser(deps.db, userId);
    if (!pending || pending.status !== UserStatus.enabled) throw apiError(403, "api.user_disabled");
    const flowToken = await startPendingLogin(deps, c, userId, pending.authVersion);
    return ok(c, { require_2fa: true, flow_token: flowToken }, msgFor(c, "api.two_fa_required"));
  }
  await updateUser(deps.db, userId, { lastLoginAt: nowSeconds() });
  await deps.cache.publish({ kind: "user", id: userId });
  const user = await getUser(deps.db, userId);
  if (!user || user.status !== UserStatus.enabled) throw apiError(403, "api.user_disabled");
  await startSession(deps, c, user, opts.method ?? "password");
  return ok(c, {
    id: user.id,
    username: user.username,
    display_name: user.displayName,
    role: user.role,
    status: user.status,
    group: user.group,
  });
}

export function userAuthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const bool = (key: string) => optionRegistry.bool(deps.catalog, key);
  const attempts = passwordAttempts(deps);
  const takeAttempt = attempts.take;
  const clearAttempts = attempts.clear;
  const codes = emailCodeStore(deps.kv, deps.secrets.sessionSecret);

  app.post("/api/user/register", sameOriginOnly(), async (c) => {
    if (!bool("RegisterEnabled")) throw apiError(403, "api.register_disabled");
    if (!bool("PasswordRegisterEnabled")) throw apiError(403, "api.password_register_disabled");
    const body = await readJson(c, registerBody, deps.config.anonymousRequestBodyBytes);
    const username = checkUsername(body.username);
    checkPassword(body.password);
    let email: string | undefined;
    if (bool("EmailVerificationEnabled")) {
      // New API's rule: the address and the code it mailed (`GET /api/verification`), spent here.
      if (!body.email || !body.verification_code) throw badRequest("api.email_verification_required");
      email = normalizeEmail(body.email);
      if (!(await codes.consume("v", email, body.verification_code))) {
        throw badRequest("api.verification_code_wrong");
      }
    }
    const inviterId = body.aff_code ? await getUserIdByAffCode(deps.db, body.aff_code) : undefined;
    const passwordHash = await hashPassword(body.password);
    try {
      await createAccount(deps, { username, passwordHash, displayName: username, email, inviterId });
    } catch (err) {
      if (err instanceof UniqueViolation) throw apiError(409, "api.username_taken");
      throw err;
    }
    return ok(c);
  });

  app.post("/api/user/login", sameOriginOnly(), async (c) => {
    if (!bool("PasswordLoginEnabled")) throw apiError(403, "api.password_login_disabled");
    const body = await readJson(c, loginBody, deps.config.anonymousRequestBodyBytes);
    // Checked before the user is looked up: a locked name answers the same whether or not it exists.
    const lock = await takeAttempt(body.username);
    if (!lock.ok) return lockedAnswer(c, lock.retryAfterMs);
    const found = await getUserByUsername(deps.db, body.username);
    const hash = found ? await getPasswordHash(deps.db, found.id) : undefined;
    const passwordOk = await verifySignIn(body.password, hash);
    if (!found || !passwordOk || found.status !== UserStatus.enabled) {
      throw apiError(401, "api.wrong_credentials");
    }
    await clearAttempts(body.username);
    return await finishSignIn(deps, c, found.id);
  });

  app.post("/api/user/logout", sameOriginOnly(), async (c) => {
    await endSession(deps, c);
    return ok(c);
  });

  // New API signs out with GET; a GET must not change state here, so point callers to POST.
  app.get("/api/user/logout", (c) => {
    return c.json({ success: false, message: msgFor(c, "api.method_not_allowed", { method: "POST" }) }, 405);
  });

  return app;
}
