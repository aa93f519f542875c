/**
 * `GET /api/pricing` (public; a signed-in caller sees their own groups): every model an enabled channel
 * serves, with the groups it is enabled in that the caller may use and its price (a fixed price per call,
 * `quota_type` 1, or a model ratio and completion ratio, `quota_type` 0), in New API's shape: the list in
 * `data`, `group_ratio` and `usable_group` beside it.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, optionalUser } from "../../auth/middleware.ts";
import { groupRatioFor, groupRatios, usableGroups } from "../../options/groups.ts";

export function pricingRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const catalog = deps.catalog;

  app.get("/api/pricing", optionalUser(deps), (c) => {
    const userGroup = c.get("auth")?.user.group ?? "";
    const usable = usableGroups(catalog, userGroup);
    const enabledIn = new Map<string, string[]>();
    for (const group of catalog.groups()) {
      if (!(group in usable)) continue;
      for (const model of catalog.groupModels(group)) {
        const groups = enabledIn.get(model) ?? [];
        groups.push(group);
        enabledIn.set(model, groups);
      }
    }
    const prices = deps.billing.priceTable();
    const data = [...enabledIn].sort(([a], [b]) => a.localeCompare(b)).map(([model, groups]) => {
      const price = prices.modelPrice(model);
      return {
        model_name: model,
        quota_type: price === undefined ? 0 : 1,
        model_ratio: price === undefined ? prices.modelRatio(model) ?? 0 : 0,
        model_price: price ?? 0,
        owner_by: "",
        completion_ratio: price === undefined ? prices.completionRatio(model) : 0,
        enable_groups: groups.sort(),
        supported_endpoint_types: [],
      };
    });
    const groupRatio: Record<string, number> = {};
    for (const group of Object.keys(groupRatios(catalog))) {
      if (group in usable) groupRatio[group] = groupRatioFor(catalog, userGroup, group);
    }
    return c.json({
      success: true,
      message: "",
      data,
      vendors: [],
      group_ratio: groupRatio,
      usable_group: usable,
      supported_endpoint: {},
      auto_groups: [],
    });
  });

  return app;
}
