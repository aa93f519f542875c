/**
 * New API's Telegram routes: `GET /api/oauth/telegram/login?<widget answer>` signs in the user bound to
 * that Telegram account (Telegram never signs anyone up), and binding takes two steps: the signed-in
 * console asks `POST /api/oauth/telegram/bind/start` for a flow token tied to its session (5 minutes),
 * then the widget sends the browser to `GET /api/oauth/telegram/bind/:flow_token?<answer>`, which binds
 * and redirects to `/oauth/telegram?telegram_bind=success|error` with New API's error codes. Each widget
 * answer is spent once (auth/telegram.ts).
 */
import { type Context, Hono } from "hono";
import { createHmac } from "node:crypto";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, forbidden } from "./errors.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { claimTelegramAnswer, verifyTelegramAnswer } from "../../auth/telegram.ts";
import { randomToken } from "../../auth/oauth_state.ts";
import { deriveKey } from "../../crypto/keys.ts";
import { updateKey } from "../../kv/key_update.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { findUserByBinding, getUser, setUserBinding, UserStatus } from "../../store/users.ts";
import { listLiveSessions } from "../../store/sessions.ts";
import { nowSeconds } from "../../store/db.ts";
import { SESSION_IDLE_SECONDS } from "../../auth/sessions.ts";
import { finishSignIn } from "./user_auth.ts";

/** How long a bind flow token waits for the widget (New API's telegramBindFlowTTL). */
export const TELEGRAM_BIND_SECONDS = 5 * 60;

interface BindFlow {
  userId: number;
  sessionId: number;
  expiresAt: number;
}

type BindError =
  | "TELEGRAM_BIND_DISABLED"
  | "TELEGRAM_BIND_INVALID_REQUEST"
  | "TELEGRAM_BIND_FLOW_INVALID"
  | "TELEGRAM_BIND_SESSION_INVALID"
  | "TELEGRAM_BIND_ALREADY_BOUND"
  | "TELEGRAM_BIND_USER_DELETED"
  | "TELEGRAM_BIND_USER_DISABLED";

export function telegramRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const enabled = () => o.bool(deps.catalog, "TelegramOAuthEnabled");
  const botToken = () => o.string(deps.catalog, "TelegramBotToken").trim();
  const flowKey = (token: string): Deno.KvKey => [
    "telegram_bind",
    createHmac("sha256", deriveKey(deps.secrets.sessionSecret, "oauth-state")).update(
      `telegram-bind:${token}`,
    )
      .digest("base64url"),
  ];
  const refuseDisabled = () => apiError(403, "api.oauth_not_enabled", { provider: "Telegram" });

  app.get("/api/oauth/telegram/login", async (c) => {
    c.header("Cache-Control", "no-store");
    if (!enabled()) throw refuseDisabled();
    const now = nowSeconds();
    const answer = verifyTelegramAnswer(new URL(c.req.url).searchParams, botToken(), now);
    if (!answer) throw apiError(401, "api.telegram_answer_invalid");
    const bound = await findUserByBinding(deps.db, "telegram_id", answer.id);
    if (!bound) throw apiError(404, "api.telegram_not_bound");
    if (bound.deleted) throw apiError(403, "api.oauth_user_deleted", { provider: "Telegram" });
    if (!(await claimTelegramAnswer(deps.kv, answer, now))) throw apiError(403, "api.telegram_answer_spent");
    return await finishSignIn(deps, c, bound.id, { method: "telegram" });
  });

  app.post("/api/oauth/telegram/bind/start", requireUser(deps), async (c) => {
    c.header("Cache-Control", "no-store");
    if (!enabled()) throw refuseDisabled();
    const auth = authOf(c);
    // The flow belongs to a console session (New API ties it to the session id); a token has none.
    if (auth.via !== "session" || auth.sessionId === undefined) throw forbidden("api.telegram_bind_session");
    const token = randomToken(24);
    const expiresAt = nowSeconds() + TELEGRAM_BIND_SECONDS;
    const flow: BindFlow = { userId: auth.user.id, sessionId: auth.sessionId, expiresAt };
    await updateKey<BindFlow, void>(deps.kv, flowKey(token), () => ({
      state: flow,
      result: undefined,
      expireInMs: TELEGRAM_BIND_SECONDS * 1000,
    }));
    return ok(c, {
      flow_token: token,
      callback_url: `/api/oauth/telegram/bind/${token}`,
      expires_at: expiresAt,
    });
  });

  const bindRedirect = (c: Context, token: string, error?: BindError) => {
    const query = new URLSearchParams(
      error ? { telegram_bind: "error", flow_token: token, error_code: error } : {
        telegram_bind: "success",
        flow_token: token,
      },
    );
    c.header("Cache-Control", "no-store");
    return c.redirect(`/oauth/telegram?${query}`, 302);
  };

  app.get("/api/oauth/telegram/bind/:flow_token", async (c) => {
    const token = (c.req.param("flow_token") ?? "").slice(0, 64);
    if (!enabled()) return bindRedirect(c, token, "TELEGRAM_BIND_DISABLED");
    const now = nowSeconds();
    const params = new URL(c.req.url).searchParams;
    const answer = verifyTelegramAnswer(params, botToken(), now);
    if (!answer) return bindRedirect(c, token, "TELEGRAM_BIND_INVALID_REQUEST");
    // Spent on first use, whatever happens next: a flow token is good for one try.
    const flow = await updateKey<BindFlow, BindFlow | undefined>(deps.kv, flowKey(token), (s) => ({
      state: undefined,
      result: s && s.expiresAt > now ? s : undefined,
    }));
    if (!flow) return bindRedirect(c, token, "TELEGRAM_BIND_FLOW_INVALID");
    const user = await getUser(deps.db, flow.userId);
    if (!user) return bindRedirect(c, token, "TELEGRAM_BIND_USER_DELETED");
    if (user.status !== UserStatus.enabled) return bindRedirect(c, token, "TELEGRAM_BIND_USER_DISABLED");
    const live = await listLiveSessions(deps.db, user.id, now, SESSION_IDLE_SECONDS);
    const session = live.find((s) => s.id === flow.sessionId);
    if (!session || session.authVersion < user.authVersion) {
      return bindRedirect(c, token, "TELEGRAM_BIND_SESSION_INVALID");
    }
    if (!(await claimTelegramAnswer(deps.kv, answer, now))) {
      return bindRedirect(c, token, "TELEGRAM_BIND_INVALID_REQUEST");
    }
    if (user.telegramId || await findUserByBinding(deps.db, "telegram_id", answer.id)) {
      return bindRedirect(c, token, "TELEGRAM_BIND_ALREADY_BOUND");
    }
    if (!(await setUserBinding(deps.db, user.id, "telegram_id", answer.id))) {
      return bindRedirect(c, token, "TELEGRAM_BIND_USER_DELETED");
    }
    await deps.cache.publish({ kind: "user", id: user.id });
    return bindRedirect(c, token);
  });

  return app;
}
