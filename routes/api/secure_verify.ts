/**
 * New API's step-up routes: `POST /api/verify` (`{method:"2fa", code}`; ours also `{method:"password",
 * password}` for a user with no second factor) and the root-only `POST /api/channel/:id/key`, the
 * channel secret New API reveals behind SecureVerificationRequired. A passkey proves itself only through
 * `/api/user/passkey/verify/{begin,finish}` (routes/api/passkey.ts): `{method:"passkey"}` here is refused.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireRoot, requireUser } from "../../auth/middleware.ts";
import {
  markSecureVerified,
  requireSecureVerification,
  type StepUpMethod,
} from "../../auth/secure_verification.ts";
import { checkSecondFactor } from "../../auth/two_factor.ts";
import { verifySignIn } from "../../auth/credentials.ts";
import { getTwoFa } from "../../store/two_fa.ts";
import { getPasskeyByUser } from "../../store/passkeys.ts";
import { getPasswordHash } from "../../store/users.ts";
import { loadChannelsWithKeys } from "../../store/channels.ts";
import { log } from "../../server/logger.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest, notFound } from "./errors.ts";
import { idParam, readJson } from "./input.ts";
import { msgFor } from "./messages.ts";
import { refusal } from "./two_fa.ts";
import { lockedAnswer, passwordAttempts } from "./user_auth.ts";

const verifyBody = z.object({
  method: z.string().max(16),
  code: z.string().max(128).optional(),
  password: z.string().max(1024).optional(),
});

export function secureVerifyRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const attempts = passwordAttempts(deps);

  app.post("/api/verify", requireUser(deps), async (c) => {
    c.header("Cache-Control", "no-store");
    const auth = authOf(c);
    if (auth.via !== "session" || auth.sessionId === undefined) {
      return c.json({ success: false, message: msgFor(c, "api.secure_verification_session_only") }, 401);
    }
    const body = await readJson(c, verifyBody);
    let method: StepUpMethod;
    if (body.method === "2fa") {
      if (!body.code?.trim()) throw badRequest("api.two_fa_code_wrong");
      const answer = await checkSecondFactor(deps, auth.user.id, body.code);
      if (!answer.ok) return refusal(c, answer);
      method = "2fa";
    } else if (body.method === "passkey") {
      throw badRequest("api.secure_verification_passkey_flow");
    } else if (body.method === "password") {
      // A password is the weakest proof: it counts only for users who have nothing stronger.
      const twoFa = await getTwoFa(deps.db, auth.user.id);
      if (twoFa?.enabled || await getPasskeyByUser(deps.db, auth.user.id)) {
        throw badRequest("api.secure_verification_use_factor");
      }
      const lock = await attempts.take(auth.user.username);
      if (!lock.ok) return lockedAnswer(c, lock.retryAfterMs);
      if (!(await verifySignIn(body.password ?? "", await getPasswordHash(deps.db, auth.user.id)))) {
        throw badRequest("api.original_password_wrong");
      }
      await attempts.clear(auth.user.username);
      method = "password";
    } else {
      throw badRequest("api.secure_verification_method");
    }
    const until = await markSecureVerified(deps, auth.sessionId, method);
    return ok(c, { verified: true, method, expires_at: Math.floor(until / 1000) }, msgFor(c, "api.verified"));
  });

  app.post(
    "/api/channel/:id{[0-9]+}/key",
    requireRoot(deps),
    requireSecureVerification(deps),
    async (c) => {
      c.header("Cache-Control", "no-store");
      const id = idParam(c, "api.channel_not_found");
      const [channel] = await loadChannelsWithKeys(deps.db, deps.secrets.cryptoSecret, id);
      if (!channel) throw notFound("api.channel_not_found");
      if (!channel.key) throw apiError(404, "api.channel_not_found");
      // Who saw which secret, never the secret itself.
      log.info("channel key revealed", { channel_id: id, user_id: authOf(c).user.id });
      return ok(c, { key: channel.key });
    },
  );

  return app;
}
