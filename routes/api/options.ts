/**
 * Site options (root only): `GET /api/option/` lists every declared option (stored value or default)
 * and any other stored key, leaving out secret ones entirely, as New API does, each declared one marked
 * `implemented` true or false; `PUT /api/option/` updates one declared option (every New API key is
 * declared) after its own validation. Unknown keys are refused.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { badRequest } from "./errors.ts";
import { readJson } from "./input.ts";
import { type AuthEnv, authOf, requireRoot } from "../../auth/middleware.ts";
import { getTwoFa } from "../../store/two_fa.ts";
import { optionRegistry } from "../../options/index.ts";
import { saveOptions } from "../../store/options.ts";
import { ApiError } from "./errors.ts";
import type { ApiMessageKey } from "./messages.ts";

const updateBody = z.object({
  key: z.string().min(1).max(128),
  value: z.union([z.string().max(4_000_000), z.number(), z.boolean(), z.null()]),
});

export function optionRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const root = requireRoot(deps);

  app.get("/api/option", root, (c) => {
    const keys = new Set([...optionRegistry.all().map((d) => d.key), ...deps.catalog.options().keys()]);
    // `implemented` is an extra field New API's clients ignore (they read key and value): false for keys
    // stored but not acted on, absent from stored keys nobody declared.
    const data = [...keys].filter((key) => !optionRegistry.isSecret(key)).sort().map((key) => {
      const def = optionRegistry.get(key);
      const value = optionRegistry.string(deps.catalog, key);
      return def ? { key, value, implemented: def.implemented ?? true } : { key, value };
    });
    return ok(c, data);
  });

  app.put("/api/option", root, async (c) => {
    const body = await readJson(c, updateBody);
    const def = optionRegistry.get(body.key);
    if (!def) throw badRequest("api.option_unknown", { key: body.key.slice(0, 128) });
    const value = body.value === null ? "" : String(body.value);
    const problem = def.validate?.(value);
    if (problem) throw new ApiError(400, problem.key as ApiMessageKey, problem.params);
    // Turning the admin 2FA rule on without 2FA of one's own would lock this root out of these routes.
    if (def.key === "AdminTwoFactorRequired" && value === "true") {
      if (!(await getTwoFa(deps.db, authOf(c).user.id))?.enabled) {
        throw badRequest("api.admin_two_fa_enable_first");
      }
    }
    await saveOptions(deps.db, { [def.key]: value });
    await deps.cache.publish({ kind: "options" });
    return ok(c);
  });

  return app;
}
