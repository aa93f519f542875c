/**
 * Who is calling the management API, and may they: `requireUser`, `requireAdmin` and `requireRoot`
 * (roles 1 / 10 / 100) authenticate by access token (`Authorization: <token>` or `Bearer <token>`) or by
 * session cookie, re-check the user's status and role on every request, honour `New-Api-User`, and refuse
 * cross-site writes made with the cookie (a script's cookie write, with no Origin, passes with
 * `New-Api-User`). `sameOriginOnly` guards unauthenticated writes (login, setup). With the option
 * `AdminTwoFactorRequired`, admin and root routes also need the caller's TOTP 2FA enabled.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppDeps } from "../server/deps.ts";
import { publicUrl } from "../server/client_ip.ts";
import { getUserByAccessTokenHash, Role, type User, UserStatus } from "../store/users.ts";
import { apiError, forbidden } from "../routes/api/errors.ts";
import { accessTokenHash } from "./credentials.ts";
import { resolveSession } from "./sessions.ts";
import { getTwoFa } from "../store/two_fa.ts";
import { optionRegistry } from "../options/index.ts";
import { msgFor } from "../routes/api/messages.ts";

export interface AuthInfo {
  user: User;
  /** How the caller proved who they are; only cookie sessions need the same-origin check. */
  via: "session" | "token";
  /** The session row id when `via` is "session". */
  sessionId?: number;
  /** The session's public id (New API's `sid`) when `via` is "session". */
  sessionSid?: string;
}

export type AuthEnv = { Variables: { auth?: AuthInfo } };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether the request comes from another site. Browsers send Sec-Fetch-Site (preferred) or Origin;
 * without either, `whenUnknown` decides (scripts send neither, browsers always send one on writes).
 */
export function isCrossSite(c: Context, whenUnknown: boolean): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site) return site !== "same-origin";
  const origin = c.req.header("origin");
  if (!origin) return whenUnknown;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true;
  }
  return host !== publicUrl(c).host;
}

function presentedAccessToken(c: Context): string | undefined {
  const header = c.req.header("authorization");
  if (header === undefined) return undefined;
  const token = header.trim().replace(/^bearer\s+/i, "").trim();
  return token;
}

/** Whether the request names its user in `New-Api-User` (which `identify` holds to the credential's). */
function claimsUser(c: Context): boolean {
  return (c.req.header("new-api-user") ?? "").trim() !== "";
}

/**
 * Identifies the caller by access token or session cookie, or returns undefined when no credential was
 * presented; a bad token or a mismatched `New-Api-User` throws a 401 ApiError. Status and role are the
 * caller's to check (`requireRole` for the API, the console's page guard for pages).
 */
export async function identify(deps: AppDeps, c: Context): Promise<AuthInfo | undefined> {
  const token = presentedAccessToken(c);
  let auth: AuthInfo | undefined;
  if (token !== undefined) {
    if (token === "" || token.length > 256) throw apiError(401, "api.access_token_invalid");
    // The token lookup reads the user row, which is the freshest status and role there is.
    const user = await getUserByAccessTokenHash(deps.db, accessTokenHash(deps.secrets.cryptoSecret, token));
    if (!user) throw apiError(401, "api.access_token_invalid");
    auth = { user, via: "token" };
  } else {
    const found = await resolveSession(deps, c);
    if (found) {
      auth = { user: found.user, via: "session", sessionId: found.session.id, sessionSid: found.session.sid };
    }
  }
  if (!auth) return undefined;
  const claimed = c.req.header("new-api-user");
  if (claimed !== undefined && claimed.trim() !== "" && claimed.trim() !== String(auth.user.id)) {
    throw apiError(401, "api.user_header_invalid");
  }
  return auth;
}

/** Authenticates and requires at least `minRole`; cookie-authenticated writes must be same-origin. */
export function requireRole(deps: AppDeps, minRole: number): MiddlewareHandler<AuthEnv> {
  return async function requireRoleMiddleware(c, next) {
    const auth = await identify(deps, c);
    if (!auth) throw apiError(401, "api.not_logged_in");
    if (auth.user.status !== UserStatus.enabled) throw apiError(403, "api.user_disabled");
    // A cookie write with neither Origin nor Sec-Fetch-Site is no browser's (browsers send one on every
    // write); it is a script's, and passes when it carries `New-Api-User` (checked against the session in
    // `identify`), New API's own CSRF defence: a header no cross-site form can send.
    if (auth.via === "session" && !SAFE_METHODS.has(c.req.method) && isCrossSite(c, !claimsUser(c))) {
      throw forbidden("api.cross_site_refused");
    }
    if (auth.user.role < minRole) throw forbidden();
    c.set("auth", auth);
    if (minRole >= Role.admin && !(await adminSecondFactorOk(deps, auth.user.id))) {
      return c.json({
        success: false,
        message: msgFor(c, "api.admin_two_fa_required"),
        code: "ADMIN_2FA_REQUIRED",
      }, 403);
    }
    await next();
  };
}

/** With `AdminTwoFactorRequired` on, an admin route answers only a caller whose TOTP 2FA is enabled. */
async function adminSecondFactorOk(deps: AppDeps, userId: number): Promise<boolean> {
  if (!optionRegistry.bool(deps.catalog, "AdminTwoFactorRequired")) return true;
  return (await getTwoFa(deps.db, userId))?.enabled === true;
}

export const requireUser = (deps: AppDeps) => requireRole(deps, Role.common);
export const requireAdmin = (deps: AppDeps) => requireRole(deps, Role.admin);
export const requireRoot = (deps: AppDeps) => requireRole(deps, Role.root);

/** Identifies the caller when they present a valid credential; anonymous callers pass through. */
export function optionalUser(deps: AppDeps): MiddlewareHandler<AuthEnv> {
  return async function optionalUserMiddleware(c, next) {
    const auth = await identify(deps, c);
    if (auth && auth.user.status === UserStatus.enabled) c.set("auth", auth);
    await next();
  };
}

/** For writes that need no sign-in (login, register, setup): refuse them when a browser says cross-site. */
export function sameOriginOnly(): MiddlewareHandler {
  return async function sameOriginOnlyMiddleware(c, next) {
    if (!SAFE_METHODS.has(c.req.method) && isCrossSite(c, false)) throw forbidden("api.cross_site_refused");
    await next();
  };
}

/** The authenticated caller (only inside routes behind `requireRole`). */
export function authOf(c: Context<AuthEnv>): AuthInfo {
  const auth = c.get("auth");
  if (!auth) throw apiError(401, "api.not_logged_in");
  return auth;
}
