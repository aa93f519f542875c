/**
 * Channel operations on many rows (admins): enable/disable one or many (`/:id/status`, `status/batch`),
 * by tag (`tag/enabled`, `tag/disabled`, `PUT tag`, `batch/tag`, `tag/models`), delete in batch or all
 * disabled, rebuild abilities (`fix`), and the model lists (`models`, `models_enabled`).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { badRequest, notFound } from "./errors.ts";
import { bodyId, idParam, readJson, readQuery } from "./input.ts";
import { channelFieldsFrom } from "./channel_input.ts";
import { type AuthEnv, requireAdmin } from "../../auth/middleware.ts";
import {
  type ChannelFields,
  channelIds,
  ChannelStatus,
  deleteChannels,
  getChannel,
  listChannels,
  rebuildAllAbilities,
  setChannelStatus,
  updateChannel,
} from "../../store/channels.ts";

const statusValue = z.union([z.literal(ChannelStatus.enabled), z.literal(ChannelStatus.manuallyDisabled)]);
const ids = z.array(bodyId).min(1).max(10000);
const tagBody = z.object({ tag: z.string().trim().min(1).max(255) });
const editTagBody = tagBody.extend({
  new_tag: z.string().max(255).nullable().optional(),
  priority: z.int().min(-1_000_000_000).max(1_000_000_000).nullable().optional(),
  weight: z.int().min(0).max(1_000_000).nullable().optional(),
  model_mapping: z.string().max(1_000_000).nullable().optional(),
  models: z.string().max(2_000_000).nullable().optional(),
  groups: z.string().max(1024).nullable().optional(),
  param_override: z.string().max(1_000_000).nullable().optional(),
  header_override: z.string().max(1_000_000).nullable().optional(),
});

export function channelBulkRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const admin = requireAdmin(deps);
  const secret = deps.secrets.cryptoSecret;
  const publish = async (list: number[]) => {
    for (const id of list) await deps.cache.publish({ kind: "channel", id });
  };

  /** Sets the status of each channel in `list`; returns how many changed. */
  const setStatuses = async (list: number[], status: number) => {
    let changed = 0;
    for (const id of list) {
      const channel = await getChannel(deps.db, id);
      if (!channel || channel.status === status) continue;
      if (await setChannelStatus(deps.db, id, status)) changed++;
    }
    await publish(list);
    return changed;
  };

  app.post("/api/channel/:id{[0-9]+}/status", admin, async (c) => {
    const id = idParam(c, "api.channel_not_found");
    const { status } = await readJson(c, z.object({ status: statusValue }));
    if (!(await getChannel(deps.db, id))) throw notFound("api.channel_not_found");
    return ok(c, (await setStatuses([id], status)) > 0);
  });

  app.post("/api/channel/status/batch", admin, async (c) => {
    const body = await readJson(c, z.object({ ids, status: statusValue }));
    return ok(c, await setStatuses([...new Set(body.ids)], body.status));
  });

  app.post("/api/channel/batch", admin, async (c) => {
    const body = await readJson(c, z.object({ ids }));
    const list = [...new Set(body.ids)];
    const count = await deleteChannels(deps.db, list);
    await publish(list);
    return ok(c, count);
  });

  app.delete("/api/channel/disabled", admin, async (c) => {
    const list = await channelIds(deps.db, { disabled: true });
    const count = await deleteChannels(deps.db, list);
    await publish(list);
    return ok(c, count);
  });

  app.post("/api/channel/tag/disabled", admin, async (c) => {
    const { tag } = await readJson(c, tagBody);
    await setStatuses(await channelIds(deps.db, { tag }), ChannelStatus.manuallyDisabled);
    return ok(c);
  });

  app.post("/api/channel/tag/enabled", admin, async (c) => {
    const { tag } = await readJson(c, tagBody);
    await setStatuses(await channelIds(deps.db, { tag }), ChannelStatus.enabled);
    return ok(c);
  });

  app.put("/api/channel/tag", admin, async (c) => {
    const body = await readJson(c, editTagBody);
    const fields: ChannelFields = channelFieldsFrom(
      {
        tag: body.new_tag ?? undefined,
        priority: body.priority ?? undefined,
        weight: body.weight ?? undefined,
        model_mapping: body.model_mapping ?? undefined,
        models: body.models ?? undefined,
        group: body.groups ?? undefined,
        param_override: body.param_override ?? undefined,
        header_override: body.header_override ?? undefined,
      },
      false,
      0,
    );
    const list = await channelIds(deps.db, { tag: body.tag });
    for (const id of list) await updateChannel(deps.db, secret, id, fields);
    await publish(list);
    return ok(c);
  });

  app.post("/api/channel/batch/tag", admin, async (c) => {
    const body = await readJson(c, z.object({ ids, tag: z.string().max(255).nullable() }));
    const list = [...new Set(body.ids)];
    for (const id of list) await updateChannel(deps.db, secret, id, { tag: (body.tag ?? "").trim() });
    await publish(list);
    return ok(c, list.length);
  });

  app.get("/api/channel/tag/models", admin, async (c) => {
    const { tag } = readQuery(c, z.object({ tag: z.string().max(255).optional() }));
    if (!tag) throw badRequest("api.tag_required");
    const { items } = await listChannels(deps.db, { tag, offset: 0, limit: 100_000 });
    let longest = "";
    let most = 0;
    for (const ch of items) {
      const count = ch.models ? ch.models.split(",").length : 0;
      if (count > most) [most, longest] = [count, ch.models];
    }
    return ok(c, longest);
  });

  app.post("/api/channel/fix", admin, async (c) => {
    const result = await rebuildAllAbilities(deps.db);
    await deps.cache.publish({ kind: "all" });
    return ok(c, result);
  });

  app.get("/api/channel/models", admin, (c) => {
    const names = new Set<string>();
    for (const ch of deps.catalog.channels()) for (const m of ch.modelList) names.add(m);
    return ok(
      c,
      [...names].sort().map((id) => ({ id, object: "model", created: 1626777600, owned_by: "custom" })),
    );
  });

  app.get("/api/channel/models_enabled", admin, (c) => {
    const names = new Set<string>();
    for (const ch of deps.catalog.channels()) {
      if (ch.status === ChannelStatus.enabled) { for (const m of ch.modelList) names.add(m); }
    }
    return ok(c, [...names].sort());
  });

  return app;
}
