/**
 * New API's login-session routes: `GET /api/user/sessions` (the caller's live sessions, in its
 * LoginSessionView shape), `DELETE /api/user/sessions/:sid`, `POST /api/user/sessions/revoke-others` and
 * `POST /api/user/auth/logout`. Sessions are looked up in the database on every request, so a revoked one
 * is refused on its very next request. As New API, the list and revocations need a console session (an
 * access token is not one): `403 AUTH_SESSION_REQUIRED`.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireUser, sameOriginOnly } from "../../auth/middleware.ts";
import { endSession, SESSION_IDLE_SECONDS } from "../../auth/sessions.ts";
import {
  listLiveSessions,
  revokeSessionBySid,
  revokeUserSessions,
  type Session,
} from "../../store/sessions.ts";
import { nowSeconds } from "../../store/db.ts";
import { ok } from "./respond.ts";
import { type ApiMessageKey, msgFor } from "./messages.ts";

/** New API's `LoginSessionView`. */
function sessionView(s: Session, current: boolean) {
  return {
    sid: s.sid,
    current,
    login_method: s.loginMethod,
    ip: s.ip,
    user_agent: s.userAgent,
    created_at: s.createdAt,
    last_active_at: s.lastSeenAt,
    expires_at: s.expiresAt,
  };
}

/** New API's coded refusals of these routes (`{success:false, code, message}`). */
function refuse(c: Context, status: 403 | 404, code: string, key: ApiMessageKey) {
  return c.json({ success: false, code, message: msgFor(c, key) }, status);
}

export function loginSessionRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const noStore = (c: Context) => c.header("Cache-Control", "no-store");

  app.get("/api/user/sessions", requireUser(deps), async (c) => {
    noStore(c);
    const auth = authOf(c);
    if (auth.via !== "session") return refuse(c, 403, "AUTH_SESSION_REQUIRED", "api.session_required");
    const sessions = await listLiveSessions(deps.db, auth.user.id, nowSeconds(), SESSION_IDLE_SECONDS);
    return ok(c, sessions.map((s) => sessionView(s, s.id === auth.sessionId)));
  });

  app.delete("/api/user/sessions/:sid", requireUser(deps), async (c) => {
    noStore(c);
    const auth = authOf(c);
    if (auth.via !== "session") return refuse(c, 403, "AUTH_SESSION_REQUIRED", "api.session_required");
    const sid = c.req.param("sid").trim();
    const current = auth.sessionSid === sid;
    if (!sid || sid.length > 64 || !(await revokeSessionBySid(deps.db, auth.user.id, sid))) {
      return refuse(c, 404, "AUTH_SESSION_NOT_FOUND", "api.session_not_found");
    }
    if (current) await endSession(deps, c);
    return ok(c, { revoked_sid: sid, current });
  });

  app.post("/api/user/sessions/revoke-others", requireUser(deps), async (c) => {
    noStore(c);
    const auth = authOf(c);
    if (auth.via !== "session") return refuse(c, 403, "AUTH_SESSION_REQUIRED", "api.session_required");
    const count = await revokeUserSessions(deps.db, auth.user.id, auth.sessionId);
    return ok(c, { revoked_count: count });
  });

  // New API's sign-out; without a session it still answers success (and clears nothing).
  app.post("/api/user/auth/logout", sameOriginOnly(), async (c) => {
    noStore(c);
    await endSession(deps, c);
    return ok(c);
  });

  return app;
}
