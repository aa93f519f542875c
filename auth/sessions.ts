/**
 * Console sessions: a random id from the CSPRNG in an HttpOnly, SameSite=Strict cookie named `session`
 * (Secure over HTTPS or with SESSION_COOKIE_SECURE), stored server-side only as a keyed hash. A session
 * ends at logout, after 24 h idle or 7 days in all, and whenever the user's `auth_version` moves on
 * (password, role or status change, deletion).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createHmac } from "node:crypto";
import type { AppDeps } from "../server/deps.ts";
import { forwardedView } from "../server/client_ip.ts";
import { deriveKey } from "../crypto/keys.ts";
import { nowSeconds } from "../store/db.ts";
import type { User } from "../store/users.ts";
import {
  findSession,
  insertSession,
  purgeOldSessions,
  revokeSession,
  type Session,
  touchSession,
} from "../store/sessions.ts";

export const SESSION_COOKIE = "session";
export const SESSION_IDLE_SECONDS = 24 * 3600;
export const SESSION_MAX_SECONDS = 7 * 24 * 3600;
/** `last_seen_at` is written at most this often, so reads do not turn into writes. */
const TOUCH_EVERY_SECONDS = 60;

function sessionHash(sessionSecret: string, sid: string): string {
  return "s1:" + createHmac("sha256", deriveKey(sessionSecret, "session")).update(sid).digest("base64url");
}

function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function isHttps(deps: AppDeps, c: Context): boolean {
  return deps.config.sessionCookieSecure || forwardedView(c).proto === "https";
}

/** The live session named by the request's cookie, checked against expiry and the user's auth version. */
export async function resolveSession(
  deps: AppDeps,
  c: Context,
): Promise<{ session: Session; user: User } | undefined> {
  const sid = getCookie(c, SESSION_COOKIE);
  if (!sid || sid.length > 128) return undefined;
  const session = await findSession(deps.db, sessionHash(deps.secrets.sessionSecret, sid));
  if (!session) return undefined;
  const now = nowSeconds();
  const user = deps.catalog.user(session.userId);
  // A session older than the user's auth_version predates a password/role/status change. (A newer one
  // only means this instance's catalog has not heard of the change yet; auth_version never decreases.)
  const stale = now >= session.expiresAt || now - session.lastSeenAt > SESSION_IDLE_SECONDS ||
    !user || user.authVersion > session.authVersion;
  if (stale) {
    await revokeSession(deps.db, session.id);
    return undefined;
  }
  if (now - session.lastSeenAt >= TOUCH_EVERY_SECONDS) await touchSession(deps.db, session.id, now);
  return { session, user };
}

/**
 * Signs `user` in: ends the session the request came with (so an id planted before sign-in is never
 * promoted), stores a fresh one and sets its cookie.
 */
export async function startSession(
  deps: AppDeps,
  c: Context,
  user: User,
  loginMethod = "password",
): Promise<void> {
  await revokeRequestSession(deps, c);
  const sid = newSessionId();
  const expiresAt = nowSeconds() + SESSION_MAX_SECONDS;
  await insertSession(deps.db, {
    userId: user.id,
    hash: sessionHash(deps.secrets.sessionSecret, sid),
    authVersion: user.authVersion,
    expiresAt,
    userAgent: c.req.header("user-agent") ?? "",
    ip: c.get("clientIp") ?? "",
    loginMethod,
  });
  setCookie(c, SESSION_COOKIE, sid, {
    path: "/",
    httpOnly: true,
    sameSite: "Strict",
    secure: isHttps(deps, c),
    maxAge: SESSION_MAX_SECONDS,
  });
  // Housekeeping at sign-in keeps the table small without a background job.
  await purgeOldSessions(deps.db);
}

async function revokeRequestSession(deps: AppDeps, c: Context): Promise<void> {
  const sid = getCookie(c, SESSION_COOKIE);
  if (!sid || sid.length > 128) return;
  const session = await findSession(deps.db, sessionHash(deps.secrets.sessionSecret, sid));
  if (session) await revokeSession(deps.db, session.id);
}

/** Revokes the request's session (if any) and clears its cookie. */
export async function endSession(deps: AppDeps, c: Context): Promise<void> {
  await revokeRequestSession(deps, c);
  if (getCookie(c, SESSION_COOKIE) !== undefined) {
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(deps, c) });
  }
}
