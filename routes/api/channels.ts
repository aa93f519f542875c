/**
 * Channel administration (`/api/channel`, admins): list (paged, sortable, filtered, tag mode), search,
 * read (never the key), create (single, batch = one channel per key line, multi_to_single), update (an
 * empty key keeps the stored one) and delete. Every write is published to the catalog.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { asJsonObject } from "../../store/db.ts";
import { ok } from "./respond.ts";
import { badRequest, notFound } from "./errors.ts";
import {
  idParam,
  pageData,
  parseWith,
  queryBool,
  queryInt,
  readJson,
  readPaging,
  readQuery,
} from "./input.ts";
import { channelView } from "./views.ts";
import {
  channelFieldsFrom,
  channelFieldsSchema,
  type ChannelInput,
  channelModeBody,
  needsBaseUrl,
  updateChannelBody,
} from "./channel_input.ts";
import { type AuthEnv, requireAdmin } from "../../auth/middleware.ts";
import { splitChannelKeys } from "../../store/cache/catalog.ts";
import {
  type Channel,
  type ChannelFields,
  type ChannelFilter,
  countChannelsByType,
  deleteChannels,
  getChannel,
  insertChannel,
  listChannels,
  listChannelTags,
  loadChannelsWithKeys,
  updateChannel,
} from "../../store/channels.ts";

const listQuery = z.object({
  id_sort: queryBool.optional(),
  tag_mode: queryBool.optional(),
  sort_by: z.string().max(32).optional(),
  sort_order: z.enum(["asc", "desc"]).optional(),
  status: z.string().max(16).optional(),
  type: queryInt(0, 1000).optional(),
  tag: z.string().max(255).optional(),
  group: z.string().max(64).optional(),
  keyword: z.string().max(256).optional(),
  model: z.string().max(255).optional(),
});

/** New API's status filter: enabled|1 → enabled, disabled|0 → every other status, anything else → all. */
function statusFilter(status: string | undefined): Pick<ChannelFilter, "status" | "disabled"> {
  const s = (status ?? "").toLowerCase();
  if (s === "enabled" || s === "1") return { status: 1 };
  if (s === "disabled" || s === "0") return { disabled: true };
  return {};
}

/** The channels to create from one request: one per key line in batch mode, else one. */
function keysForMode(mode: string, key: string): string[] {
  switch (mode) {
    case "single":
      return [key.trim()];
    case "batch":
      return splitChannelKeys(key);
    case "multi_to_single":
      return [splitChannelKeys(key).join("\n")];
    default:
      throw badRequest("api.channel_mode_unsupported", { mode: mode.slice(0, 32) });
  }
}

export function channelRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const admin = requireAdmin(deps);
  const secret = deps.secrets.cryptoSecret;

  const list = async (c: Context<AuthEnv>, defaultSize: number) => {
    const q = readQuery(c, listQuery);
    const paging = readPaging(c, defaultSize);
    const filter: ChannelFilter = {
      ...statusFilter(q.status),
      keyword: q.keyword,
      model: q.model,
      group: q.group,
      tag: q.tag,
    };
    const sort = { sortBy: q.sort_by, sortOrder: q.sort_order, idSort: q.id_sort };
    let items: Channel[];
    let total: number;
    if (q.tag_mode) {
      const tags = await listChannelTags(deps.db, {
        ...filter,
        type: q.type,
        ...paging,
        limit: paging.pageSize,
      });
      total = tags.total;
      items = tags.tags.length === 0 ? [] : (await listChannels(deps.db, {
        ...filter,
        type: q.type,
        tags: tags.tags,
        ...sort,
        offset: 0,
        limit: 100_000,
      })).items;
    } else {
      ({ items, total } = await listChannels(deps.db, {
        ...filter,
        type: q.type,
        ...sort,
        offset: paging.offset,
        limit: paging.pageSize,
      }));
    }
    // New API's channel page: the shared page object plus the per-type counts of the filter bar.
    return ok(c, {
      ...pageData(paging, items.map(channelView), total),
      type_counts: await countChannelsByType(deps.db, filter),
    });
  };

  app.get("/api/channel", admin, (c) => list(c, 10));
  app.get("/api/channel/search", admin, (c) => list(c, 20));

  app.get("/api/channel/:id{[0-9]+}", admin, async (c) => {
    const channel = await getChannel(deps.db, idParam(c, "api.channel_not_found"));
    if (!channel) throw notFound("api.channel_not_found");
    return ok(c, channelView(channel));
  });

  app.post("/api/channel", admin, async (c) => {
    const raw = await readJson(c, z.record(z.string(), z.unknown()));
    const request = "channel" in raw || "mode" in raw
      ? parseWith(channelModeBody, raw)
      : { mode: "batch", channel: parseWith(channelFieldsSchema, raw) } as const;
    const input: ChannelInput = request.channel;
    const fields = channelFieldsFrom(input, true, input.type ?? 0);
    if (needsBaseUrl(fields.type!) && !fields.baseUrl) throw badRequest("api.channel_base_url_required");
    const keys = keysForMode(request.mode, input.key ?? "").filter(Boolean);
    if (keys.length === 0) throw badRequest("api.channel_key_required");
    if (keys.length > 1000) {
      throw badRequest("api.too_many_keys", { max: 1000 });
    }
    const multi = request.mode === "multi_to_single";
    const multiKeyMode = "multi_key_mode" in request ? request.multi_key_mode : undefined;
    const prefixName = "batch_add_set_key_prefix_2_name" in request &&
      request.batch_add_set_key_prefix_2_name;
    const ids = await deps.db.transaction(async (tx) => {
      const created: number[] = [];
      for (const key of keys) {
        const one: ChannelFields = { ...fields, key };
        if (prefixName && keys.length > 1) one.name = `${fields.name} ${key.slice(0, 8)}`;
        if (multi) {
          one.channelInfo = JSON.stringify({
            is_multi_key: true,
            multi_key_size: key.split("\n").length,
            multi_key_status_list: {},
            multi_key_polling_index: 0,
            multi_key_mode: multiKeyMode ?? "random",
          });
        }
        created.push(await insertChannel(tx, secret, one));
      }
      return created;
    });
    for (const id of ids) await deps.cache.publish({ kind: "channel", id });
    return ok(c, { ids });
  });

  app.put("/api/channel", admin, async (c) => {
    const input = await readJson(c, updateChannelBody);
    const existing = await getChannel(deps.db, input.id);
    if (!existing) throw notFound("api.channel_not_found");
    const type = input.type ?? existing.type;
    const fields: ChannelFields = channelFieldsFrom(input, false, type);
    if (needsBaseUrl(type) && !(fields.baseUrl ?? existing.baseUrl)) {
      throw badRequest("api.channel_base_url_required");
    }
    const info = asJsonObject(existing.channelInfo);
    const newKey = (input.key ?? "").trim();
    if (newKey !== "") {
      let keys = splitChannelKeys(newKey);
      if (info.is_multi_key === true && input.key_mode === "append") {
        const [stored] = await loadChannelsWithKeys(deps.db, secret, existing.id);
        keys = [...new Set([...splitChannelKeys(stored?.key ?? ""), ...keys])];
      }
      fields.key = info.is_multi_key === true ? keys.join("\n") : newKey;
      if (info.is_multi_key === true) info.multi_key_size = keys.length;
    }
    if (info.is_multi_key === true && input.multi_key_mode) info.multi_key_mode = input.multi_key_mode;
    if (info.is_multi_key === true) fields.channelInfo = JSON.stringify(info);
    if (!(await updateChannel(deps.db, secret, existing.id, fields))) throw notFound("api.channel_not_found");
    await deps.cache.publish({ kind: "channel", id: existing.id });
    return ok(c, channelView((await getChannel(deps.db, existing.id))!));
  });

  app.delete("/api/channel/:id{[0-9]+}", admin, async (c) => {
    const id = idParam(c, "api.channel_not_found");
    if (await deleteChannels(deps.db, [id]) === 0) throw notFound("api.channel_not_found");
    await deps.cache.publish({ kind: "channel", id });
    return ok(c);
  });

  return app;
}
