/**
 * TEST ONLY: signs requests in as a user through the production seam (`c.set("authUser")`, read by
 * routes/api/auth_user.ts) by wrapping the app with a middleware that trusts an `x-test-user` header.
 * It lives under tests/ and is never mounted by server/app.ts or main.ts.
 */
import { Hono } from "hono";
import type { AppHarness } from "./app.ts";
import { getUser } from "../../store/users.ts";

export type AuthedCall = (
  method: string,
  path: string,
  opts?: { as?: number; headers?: Record<string, string> },
) => Promise<Response>;

export function withTestAuth(h: AppHarness): AuthedCall {
  const outer = new Hono();
  outer.use("*", async function testAuth(c, next) {
    const id = Number(c.req.header("x-test-user"));
    if (id > 0) {
      const u = await getUser(h.deps.db, id);
      if (u) c.set("authUser", { id: u.id, username: u.username, role: u.role, group: u.group });
    }
    await next();
  });
  outer.route("/", h.app);
  return (method, path, opts = {}) =>
    Promise.resolve(outer.request(path, {
      method,
      headers: { ...(opts.as ? { "x-test-user": String(opts.as) } : {}), ...(opts.headers ?? {}) },
    }));
}
