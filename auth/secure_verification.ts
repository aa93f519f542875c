/**
 * New API's "secure verification" (step-up): a console session proves its user again — a TOTP or backup
 * code through `POST /api/verify`, a passkey assertion through `/api/user/passkey/verify/{begin,finish}`,
 * or, for a user with neither, the password — and for 5 minutes (New API's SecureVerificationTimeout)
 * that session may use the routes behind `requireSecureVerification`. The mark lives in KV under the
 * session's row id, so it is this session's alone and dies with it. Unlike New API before its advisory
 * GHSA-5353-f8fq-65vc, `{"method":"passkey"}` on `/api/verify` proves nothing: only a verified assertion
 * sets the mark.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppDeps } from "../server/deps.ts";
import { updateKey } from "../kv/key_update.ts";
import { type AuthEnv, authOf } from "./middleware.ts";
import { msgFor } from "../routes/api/messages.ts";

export const SECURE_VERIFICATION_SECONDS = 300;
export type StepUpMethod = "2fa" | "passkey" | "password";

interface Mark {
  at: number;
  method: StepUpMethod;
}

const markKey = (sessionId: number): Deno.KvKey => ["secure_verified", sessionId];

/** Records that session `sessionId` proved its user now, by `method`; answers when it lapses (ms). */
export async function markSecureVerified(
  deps: AppDeps,
  sessionId: number,
  method: StepUpMethod,
): Promise<number> {
  return await updateKey<Mark, number>(deps.kv, markKey(sessionId), (_s, now) => ({
    state: { at: now, method },
    result: now + SECURE_VERIFICATION_SECONDS * 1000,
    expireInMs: SECURE_VERIFICATION_SECONDS * 1000,
  }));
}

/** The session's mark if it is still fresh. */
export async function secureVerification(
  deps: AppDeps,
  sessionId: number,
): Promise<Mark | "expired" | undefined> {
  return await updateKey<Mark, Mark | "expired" | undefined>(deps.kv, markKey(sessionId), (s, now) => {
    if (!s) return { state: undefined, result: undefined };
    if (now - s.at >= SECURE_VERIFICATION_SECONDS * 1000) return { state: undefined, result: "expired" };
    return { state: s, result: s };
  });
}

function refuse(c: Context, code: string, key: Parameters<typeof msgFor>[1]) {
  return c.json({ success: false, message: msgFor(c, key), code }, 403);
}

/**
 * After `requireUser`: lets the request through only when its console session passed secure
 * verification in the last 5 minutes (New API's SecureVerificationRequired: 403 `VERIFICATION_REQUIRED`
 * or `VERIFICATION_EXPIRED`). An access token has no session, so it can never pass.
 */
export function requireSecureVerification(deps: AppDeps): MiddlewareHandler<AuthEnv> {
  return async function secureVerificationRequired(c, next) {
    const auth = authOf(c);
    if (auth.via !== "session" || auth.sessionId === undefined) {
      return refuse(c, "VERIFICATION_REQUIRED", "api.secure_verification_required");
    }
    const mark = await secureVerification(deps, auth.sessionId);
    if (mark === "expired") return refuse(c, "VERIFICATION_EXPIRED", "api.secure_verification_expired");
    if (!mark) return refuse(c, "VERIFICATION_REQUIRED", "api.secure_verification_required");
    await next();
  };
}
