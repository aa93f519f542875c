/**
 * First-run setup (`GET/POST /api/setup`): there is no default account; the first POST creates the root
 * user and stores the operating modes, and every later POST is refused.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest } from "./errors.ts";
import { readJson } from "./input.ts";
import { msgFor } from "./messages.ts";
import { sameOriginOnly } from "../../auth/middleware.ts";
import { checkPassword, checkUsername, MAX_SETUP_USERNAME_CHARS } from "../../auth/credentials.ts";
import { hashPassword } from "../../crypto/password.ts";
import { completeSetup, setupState } from "../../store/setup.ts";
import { UniqueViolation } from "../../store/db.ts";
import { VERSION } from "../../server/version.ts";

/** True once setup created a root user (cached: it never goes back to false). */
export async function isSetUp(deps: AppDeps): Promise<boolean> {
  if (deps.state.setUp) return true;
  const { setUp } = await setupState(deps.db);
  if (setUp) deps.state.setUp = true;
  return setUp;
}

const setupBody = z.object({
  username: z.string().max(256),
  password: z.string().max(1024),
  confirmPassword: z.string().max(1024),
  SelfUseModeEnabled: z.boolean().optional(),
  DemoSiteEnabled: z.boolean().optional(),
});

export function setupRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/api/setup", async (c) => {
    const { setUp, rootExists } = await setupState(deps.db);
    if (setUp) deps.state.setUp = true;
    return ok(c, { status: setUp, root_init: rootExists, database_type: deps.db.dialect });
  });

  app.post("/api/setup", sameOriginOnly(), async (c) => {
    if (await isSetUp(deps)) throw apiError(403, "api.setup_done");
    const body = await readJson(c, setupBody, deps.config.anonymousRequestBodyBytes);
    if ([...body.username.trim()].length > MAX_SETUP_USERNAME_CHARS) {
      throw badRequest("api.setup_username_too_long");
    }
    const username = checkUsername(body.username, MAX_SETUP_USERNAME_CHARS);
    if (body.password !== body.confirmPassword) throw badRequest("api.password_mismatch");
    checkPassword(body.password);
    let result;
    try {
      result = await completeSetup(deps.db, {
        username,
        passwordHash: await hashPassword(body.password),
        selfUseModeEnabled: body.SelfUseModeEnabled ?? false,
        demoSiteEnabled: body.DemoSiteEnabled ?? false,
        version: deps.config.versionOverride ?? VERSION,
      });
    } catch (err) {
      if (err instanceof UniqueViolation) throw apiError(409, "api.username_taken");
      throw err;
    }
    if (!result.ok) throw apiError(403, "api.setup_done");
    deps.state.setUp = true;
    await deps.cache.publish({ kind: "user", id: result.rootId });
    await deps.cache.publish({ kind: "options" });
    return ok(c, undefined, msgFor(c, "api.setup_succeeded"));
  });

  return app;
}
