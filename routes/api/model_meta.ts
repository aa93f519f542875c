/**
 * New API's model metadata and vendors (admins): `/api/vendors/` (list, search, read, create, update with
 * the id in the body, soft delete) and `/api/models/` (the same, plus `?status_only=true` updates,
 * `missing`: models enabled channels serve that have no metadata row, and `sync_upstream` + `preview`,
 * which read `SYNC_UPSTREAM_BASE`'s `models.json`/`vendors.json` through the SSRF guard).
 *
 * `GET /api/models` (no slash) stays the signed-in user's dashboard list (routes/api/groups.ts); the app
 * is not strict about trailing slashes, so the admin list answers only a path that ends in `/`.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, requireAdmin } from "../../auth/middleware.ts";
import { apiError, badRequest, notFound } from "./errors.ts";
import { idParam, pageData, queryBool, readJson, readPaging, readQuery } from "./input.ts";
import { ok } from "./respond.ts";
import { type ModelExtras, modelMetaView, vendorView } from "./views.ts";
import {
  modelBody,
  modelSearchQuery,
  modelUpdateBody,
  syncBody,
  syncLocale,
  vendorBody,
  vendorSearchQuery,
  vendorUpdateBody,
} from "./model_meta_input.ts";
import { z } from "zod";
import {
  boundChannels,
  deleteModelMeta,
  deleteVendor,
  DuplicateName,
  getModelMeta,
  getModelMetaByName,
  getVendor,
  getVendorByName,
  insertModelMeta,
  insertVendor,
  listModelMeta,
  listVendors,
  missingModels,
  type ModelMeta,
  NameRule,
  syncedModelsByNames,
  updateModelMeta,
  updateVendor,
  vendorModelCounts,
  vendorsByIds,
} from "../../store/model_meta.ts";
import { guardedFetch } from "../../net/ssrf_fetch.ts";
import { fetchSetting } from "../../notify/settings.ts";

/** A model as `models.json` lists it (New API's upstreamModel, the fields this schema stores). */
interface UpstreamModel {
  model_name: string;
  description: string;
  icon: string;
  tags: string;
  vendor_name: string;
  name_rule: number;
  status: number;
}

interface UpstreamVendor {
  name: string;
  description: string;
  icon: string;
  status: number;
}

const str = (v: unknown) => typeof v === "string" ? v : "";
const int = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) ? v : 0;

/** New API's chooseStatus: the upstream's status unless it is 0, then the fallback, then 1. */
const chooseStatus = (primary: number, fallback: number) =>
  primary !== 0 ? primary : fallback !== 0 ? fallback : 1;

/** New API's normalizeLocale, without its lower-casing slip: en, zh-CN, zh-TW, ja, or none. */
function normalizeLocale(locale: string | undefined): string | undefined {
  const l = (locale ?? "").trim().toLowerCase();
  return ({ en: "en", "zh-cn": "zh-CN", "zh-tw": "zh-TW", ja: "ja" } as Record<string, string>)[l];
}

export function modelMetaRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const admin = requireAdmin(deps);
  const db = deps.db;

  // ---- enrichment (New API's enrichModels) ----

  /** Every model an enabled channel serves, with the groups it is served in. */
  const served = () => {
    const groupsOf = new Map<string, Set<string>>();
    for (const group of deps.catalog.groups()) {
      for (const model of deps.catalog.groupModels(group)) {
        const set = groupsOf.get(model) ?? new Set<string>();
        set.add(group);
        groupsOf.set(model, set);
      }
    }
    return groupsOf;
  };

  const matches = (rule: number, pattern: string, name: string) =>
    rule === NameRule.prefix
      ? name.startsWith(pattern)
      : rule === NameRule.suffix
      ? name.endsWith(pattern)
      : rule === NameRule.contains
      ? name.includes(pattern)
      : name === pattern;

  /** Bound channels, enabled groups and quota types per model; rule models also get what they match. */
  async function enrich(models: ModelMeta[]): Promise<ModelExtras[]> {
    const groupsOf = served();
    const prices = deps.billing.priceTable();
    const quotaType = (name: string) => prices.modelPrice(name) === undefined ? 0 : 1;
    const matched = models.map((m) =>
      m.nameRule === NameRule.exact
        ? [m.modelName]
        : [...groupsOf.keys()].filter((n) => matches(m.nameRule, m.modelName, n)).sort()
    );
    const channels = await boundChannels(db, matched.flat());
    return models.map((m, i) => {
      const names = matched[i];
      const groups = new Set<string>();
      const quotaTypes = new Set<number>();
      const bound = new Map<string, { name: string; type: number }>();
      for (const name of names) {
        const inGroups = groupsOf.get(name);
        if (inGroups) {
          for (const g of inGroups) groups.add(g);
          quotaTypes.add(quotaType(name));
        }
        for (const ch of channels.get(name) ?? []) bound.set(`${ch.name}_${ch.type}`, ch);
      }
      return {
        boundChannels: [...bound.values()],
        enableGroups: [...groups].sort(),
        quotaTypes: [...quotaTypes].sort((a, b) => a - b),
        matchedModels: m.nameRule === NameRule.exact ? undefined : names,
      };
    });
  }

  const views = async (models: ModelMeta[]) => {
    const extras = await enrich(models);
    return models.map((m, i) => modelMetaView(m, extras[i]));
  };

  const duplicate = async <T>(
    key: "api.model_name_exists" | "api.vendor_name_exists",
    write: () => Promise<T>,
  ) => {
    try {
      return await write();
    } catch (err) {
      if (err instanceof DuplicateName) throw badRequest(key);
      throw err;
    }
  };

  // ---- vendors ----

  const vendorList = async (c: Context<AuthEnv>) => {
    const { keyword } = readQuery(c, vendorSearchQuery);
    const paging = readPaging(c);
    const { items, total } = await listVendors(db, {
      offset: paging.offset,
      limit: paging.pageSize,
      keyword,
    });
    const counts = await vendorModelCounts(db);
    return ok(c, pageData(paging, items.map((v) => vendorView(v, counts.get(v.id) ?? 0)), total));
  };
  app.get("/api/vendors", admin, vendorList);
  app.get("/api/vendors/search", admin, vendorList);

  app.get("/api/vendors/:id{[0-9]+}", admin, async (c) => {
    const vendor = await getVendor(db, idParam(c, "api.vendor_not_found"));
    if (!vendor) throw notFound("api.vendor_not_found");
    return ok(c, vendorView(vendor));
  });

  app.post("/api/vendors", admin, async (c) => {
    const body = await readJson(c, vendorBody);
    if (!body.name) throw badRequest("api.vendor_name_required");
    const id = await duplicate("api.vendor_name_exists", () =>
      insertVendor(db, {
        name: body.name!,
        description: body.description ?? "",
        icon: body.icon ?? "",
        // GORM's `default:1` turns a zero status into 1 on insert.
        status: body.status || 1,
      }));
    return ok(c, vendorView((await getVendor(db, id))!));
  });

  app.put("/api/vendors", admin, async (c) => {
    const body = await readJson(c, vendorUpdateBody);
    if (!body.name) throw badRequest("api.vendor_name_required");
    const changed = await duplicate("api.vendor_name_exists", () =>
      updateVendor(db, body.id, {
        name: body.name,
        description: body.description,
        icon: body.icon,
        status: body.status,
      }));
    if (!changed) throw notFound("api.vendor_not_found");
    return ok(c, vendorView((await getVendor(db, body.id))!));
  });

  app.delete("/api/vendors/:id{[0-9]+}", admin, async (c) => {
    if (!(await deleteVendor(db, idParam(c, "api.vendor_not_found")))) throw notFound("api.vendor_not_found");
    return ok(c);
  });

  // ---- models ----

  const modelList = async (c: Context<AuthEnv>) => {
    const q = readQuery(c, modelSearchQuery);
    const paging = readPaging(c);
    const { items, total } = await listModelMeta(db, {
      offset: paging.offset,
      limit: paging.pageSize,
      keyword: q.keyword,
      vendor: q.vendor,
      status: q.status,
      syncOfficial: q.sync_official,
    });
    // New API's model list is its own page object: no timestamps, vendor counts over the whole table.
    return ok(c, {
      items: await views(items),
      total,
      page: paging.page,
      page_size: paging.pageSize,
      vendor_counts: Object.fromEntries(await vendorModelCounts(db)),
    });
  };

  // `/api/models/` is the admin list; `/api/models` falls through to the user's dashboard list.
  app.get("/api/models", async (c, next) => {
    if (!new URL(c.req.url).pathname.endsWith("/")) return await next();
    let answer: Response | undefined;
    const refused = await admin(c, async () => {
      answer = await modelList(c);
    });
    return refused ?? answer!;
  });
  app.get("/api/models/search", admin, modelList);

  app.get("/api/models/missing", admin, async (c) => ok(c, await missingModels(db)));

  app.get("/api/models/:id{[0-9]+}", admin, async (c) => {
    const model = await getModelMeta(db, idParam(c, "api.model_not_found"));
    if (!model) throw notFound("api.model_not_found");
    return ok(c, (await views([model]))[0]);
  });

  app.post("/api/models", admin, async (c) => {
    const body = await readJson(c, modelBody);
    if (!body.model_name) throw badRequest("api.model_name_required");
    const id = await duplicate("api.model_name_exists", () =>
      insertModelMeta(db, {
        modelName: body.model_name!,
        description: body.description ?? "",
        icon: body.icon ?? "",
        tags: body.tags ?? "",
        vendorId: body.vendor_id ?? 0,
        endpoints: body.endpoints ?? "",
        // New API stores the status and sync flag as sent, a zero (or absent) one included.
        status: body.status ?? 0,
        syncOfficial: body.sync_official ?? 0,
        nameRule: body.name_rule ?? NameRule.exact,
      }));
    return ok(c, (await views([(await getModelMeta(db, id))!]))[0]);
  });

  app.put("/api/models", admin, async (c) => {
    const statusOnly = readQuery(c, z.object({ status_only: queryBool.optional() })).status_only ?? false;
    const body = await readJson(c, modelUpdateBody);
    if (statusOnly) {
      if (body.status === undefined) throw apiError(400, "api.field_required", { field: "status" });
      if (!(await updateModelMeta(db, body.id, { status: body.status }))) {
        throw notFound("api.model_not_found");
      }
    } else {
      if (body.model_name !== undefined && !body.model_name) throw badRequest("api.model_name_required");
      const changed = await duplicate("api.model_name_exists", () =>
        updateModelMeta(db, body.id, {
          modelName: body.model_name,
          description: body.description,
          icon: body.icon,
          tags: body.tags,
          vendorId: body.vendor_id,
          endpoints: body.endpoints,
          status: body.status,
          syncOfficial: body.sync_official,
          nameRule: body.name_rule,
        }));
      if (!changed) throw notFound("api.model_not_found");
    }
    return ok(c, (await views([(await getModelMeta(db, body.id))!]))[0]);
  });

  app.delete("/api/models/:id{[0-9]+}", admin, async (c) => {
    if (!(await deleteModelMeta(db, idParam(c, "api.model_not_found")))) {
      throw notFound("api.model_not_found");
    }
    return ok(c);
  });

  // ---- upstream metadata ----

  const sourceUrls = (locale: string | undefined) => {
    const base = deps.config.syncUpstream.base;
    const l = normalizeLocale(locale);
    const dir = l ? `${base}/api/i18n/${l}/newapi` : `${base}/api/newapi`;
    return { models_url: `${dir}/models.json`, vendors_url: `${dir}/vendors.json` };
  };

  /** The `data` list of an upstream file (an envelope or a bare array), tried SYNC_HTTP_RETRY times. */
  async function fetchList(url: string): Promise<Record<string, unknown>[]> {
    const { timeoutSeconds, retry, maxBytes } = deps.config.syncUpstream;
    let last: unknown;
    for (let attempt = 0; attempt < retry; attempt++) {
      try {
        const res = await guardedFetch(url, {
          setting: fetchSetting(deps.catalog),
          timeoutMs: timeoutSeconds * 1000,
          maxBytes,
          headers: { accept: "application/json" },
        });
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        const body = JSON.parse(res.text());
        const list = Array.isArray(body) ? body : body?.data;
        if (!Array.isArray(list)) throw new Error("no data list");
        return list.filter((x) => x && typeof x === "object");
      } catch (err) {
        last = err;
        if (attempt + 1 < retry) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    throw last;
  }

  /** Upstream models and vendors by name; the vendor list may fail (as in New API), the model list may not. */
  async function upstream(locale: string | undefined) {
    const urls = sourceUrls(locale);
    const [models, vendors] = await Promise.all([
      fetchList(urls.models_url).catch((err) => {
        throw apiError(502, "api.sync_upstream_failed", { error: (err as Error).message ?? String(err) });
      }),
      fetchList(urls.vendors_url).catch(() => []),
    ]);
    const modelByName = new Map<string, UpstreamModel>();
    for (const m of models) {
      const name = str(m.model_name);
      if (!name) continue;
      modelByName.set(name, {
        model_name: name,
        description: str(m.description),
        icon: str(m.icon),
        tags: str(m.tags),
        vendor_name: str(m.vendor_name),
        name_rule: int(m.name_rule),
        status: int(m.status),
      });
    }
    const vendorByName = new Map<string, UpstreamVendor>();
    for (const v of vendors) {
      const name = str(v.name);
      if (name) {
        vendorByName.set(name, {
          name,
          description: str(v.description),
          icon: str(v.icon),
          status: int(v.status),
        });
      }
    }
    return { urls, modelByName, vendorByName };
  }

  app.get("/api/models/sync_upstream/preview", admin, async (c) => {
    const { locale } = readQuery(c, z.object({ locale: syncLocale }));
    const { urls, modelByName } = await upstream(locale);
    const locals = await syncedModelsByNames(db, [...modelByName.keys()]);
    const vendorNames = new Map(
      (await vendorsByIds(db, locals.map((m) => m.vendorId))).map((v) => [v.id, v.name]),
    );
    const missing = (await missingModels(db)).filter((name) => modelByName.has(name));
    const conflicts = [];
    for (const local of locals) {
      const up = modelByName.get(local.modelName)!;
      const fields: { field: string; local: unknown; upstream: unknown }[] = [];
      const differs = (field: string, a: string, b: string) => {
        if (a.trim() !== b.trim()) fields.push({ field, local: a, upstream: b });
      };
      differs("description", local.description, up.description);
      differs("icon", local.icon, up.icon);
      differs("tags", local.tags, up.tags);
      differs("vendor", vendorNames.get(local.vendorId) ?? "", up.vendor_name);
      if (local.nameRule !== up.name_rule) {
        fields.push({ field: "name_rule", local: local.nameRule, upstream: up.name_rule });
      }
      if (local.status !== chooseStatus(up.status, local.status)) {
        fields.push({ field: "status", local: local.status, upstream: up.status });
      }
      if (fields.length) conflicts.push({ model_name: local.modelName, fields });
    }
    return ok(c, { missing, conflicts, source: { locale: locale ?? "", ...urls } });
  });

  app.post("/api/models/sync_upstream", admin, async (c) => {
    // New API takes an empty body too.
    const body = await readJson(c, syncBody, undefined, "as_object");
    const overwrite = body.overwrite ?? [];
    const missing = await missingModels(db);
    const result = {
      created_models: 0,
      created_vendors: 0,
      updated_models: 0,
      skipped_models: [] as string[],
      created_list: [] as string[],
      updated_list: [] as string[],
      source: { locale: body.locale ?? "", ...sourceUrls(body.locale) },
    };
    if (missing.length === 0 && overwrite.length === 0) return ok(c, result);
    const { modelByName, vendorByName } = await upstream(body.locale);

    const vendorIds = new Map<string, number>();
    const vendorId = async (name: string): Promise<number> => {
      if (!name) return 0;
      const known = vendorIds.get(name);
      if (known !== undefined) return known;
      let id = (await getVendorByName(db, name))?.id ?? 0;
      if (!id) {
        const up = vendorByName.get(name);
        try {
          id = await insertVendor(db, {
            name,
            description: up?.description ?? "",
            icon: up?.icon ?? "",
            status: chooseStatus(up?.status ?? 0, 1),
          });
          result.created_vendors++;
        } catch (err) {
          if (!(err instanceof DuplicateName)) throw err;
          id = (await getVendorByName(db, name))?.id ?? 0;
        }
      }
      vendorIds.set(name, id);
      return id;
    };

    for (const name of missing) {
      const up = modelByName.get(name);
      if (!up) {
        result.skipped_models.push(name);
        continue;
      }
      try {
        await insertModelMeta(db, {
          modelName: name,
          description: up.description,
          icon: up.icon,
          tags: up.tags,
          vendorId: await vendorId(up.vendor_name),
          endpoints: "",
          status: chooseStatus(up.status, 1),
          // Rows made from the official list take its later updates (New API's column default).
          syncOfficial: 1,
          nameRule: up.name_rule,
        });
        result.created_models++;
        result.created_list.push(name);
      } catch (err) {
        if (!(err instanceof DuplicateName)) throw err;
        result.skipped_models.push(name);
      }
    }

    for (const ow of overwrite) {
      const up = modelByName.get(ow.model_name);
      if (!up) continue;
      const local = await getModelMetaByName(db, ow.model_name);
      if (!local || local.syncOfficial === 0) continue;
      const fields = new Set(ow.fields.map((f) => f.trim().toLowerCase()));
      const patch: Parameters<typeof updateModelMeta>[2] = {};
      if (fields.has("description")) patch.description = up.description;
      if (fields.has("icon")) patch.icon = up.icon;
      if (fields.has("tags")) patch.tags = up.tags;
      if (fields.has("vendor")) patch.vendorId = await vendorId(up.vendor_name);
      if (fields.has("name_rule")) patch.nameRule = up.name_rule;
      if (fields.has("status")) patch.status = chooseStatus(up.status, local.status);
      if (Object.keys(patch).length === 0) continue;
      if (await updateModelMeta(db, local.id, patch)) {
        result.updated_models++;
        result.updated_list.push(ow.model_name);
      }
    }
    return ok(c, result);
  });

  return app;
}
