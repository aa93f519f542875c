/**
 * THE seam between the console routes and console authentication: `getAuthUser(c)` is the only way a
 * route learns who is calling. The accounts module's session/access-token middleware sets
 * `c.set("authUser", …)` once it has verified the caller; until then nothing sets it and every route
 * guarded here answers 401. (Tests set it through tests/support/test_auth.ts, never reachable here.)
 */
import type { Context, MiddlewareHandler } from "hono";
import { Role } from "../../store/users.ts";
import { fail } from "./respond.ts";

export interface AuthUser {
  id: number;
  username: string;
  role: number;
  group: string;
}

declare module "hono" {
  interface ContextVariableMap {
    authUser?: AuthUser;
  }
}

export function getAuthUser(c: Context): AuthUser | undefined {
  return c.get("authUser");
}

/** Requires a logged-in user (New API's UserAuth). */
export function userAuth(): MiddlewareHandler {
  return async function userAuthGuard(c, next) {
    if (!getAuthUser(c)) return fail(c, 401, "not logged in and no access token provided");
    await next();
  };
}

/** Requires an admin or root (New API's AdminAuth). */
export function adminAuth(): MiddlewareHandler {
  return async function adminAuthGuard(c, next) {
    const user = getAuthUser(c);
    if (!user) return fail(c, 401, "not logged in and no access token provided");
    if (user.role < Role.admin) return fail(c, 403, "insufficient privileges");
    await next();
  };
}
