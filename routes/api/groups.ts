/**
 * Groups and the models they reach: `GET /api/group/` (admins: every group with a ratio),
 * `GET /api/user/groups` (anyone; signed-in users see their own usable groups) and `/api/user/self/groups`
 * with ratio and description, `GET /api/user/models` and `GET /api/models` (what the user may call, from
 * the catalog's routing index).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { readQuery } from "./input.ts";
import { type AuthEnv, authOf, optionalUser, requireAdmin, requireUser } from "../../auth/middleware.ts";
import { groupRatioFor, groupRatios, usableGroups } from "../../options/groups.ts";

export function groupRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const catalog = deps.catalog;

  /** `{group: {ratio, desc}}` for the groups a user in `userGroup` may use. */
  const usableWithRatios = (userGroup: string) => {
    const usable = usableGroups(catalog, userGroup);
    const out: Record<string, { ratio: number | string; desc: string }> = {};
    for (const name of Object.keys(groupRatios(catalog))) {
      if (name in usable) out[name] = { ratio: groupRatioFor(catalog, userGroup, name), desc: usable[name] };
    }
    if ("auto" in usable) out.auto = { ratio: "auto", desc: usable.auto };
    return out;
  };

  /** Models with an enabled channel in any group the user may use (or just `only`, if usable). */
  const modelsByGroup = (userGroup: string, only?: string) => {
    const groups = Object.keys(usableGroups(catalog, userGroup)).filter((g) =>
      only === undefined || g === only
    );
    return Object.fromEntries(groups.map((g) => [g, catalog.groupModels(g).sort()]));
  };

  app.get("/api/group", requireAdmin(deps), (c) => ok(c, Object.keys(groupRatios(catalog))));

  app.get(
    "/api/user/groups",
    optionalUser(deps),
    (c) => ok(c, usableWithRatios(c.get("auth")?.user.group ?? "")),
  );

  app.get("/api/user/self/groups", requireUser(deps), (c) => ok(c, usableWithRatios(authOf(c).user.group)));

  app.get("/api/user/models", requireUser(deps), (c) => {
    const { group } = readQuery(c, z.object({ group: z.string().max(64).optional() }));
    const models = new Set(Object.values(modelsByGroup(authOf(c).user.group, group)).flat());
    return ok(c, [...models].sort());
  });

  app.get("/api/models", requireUser(deps), (c) => ok(c, modelsByGroup(authOf(c).user.group)));

  return app;
}
