/**
 * The keys of a multi-key channel (admins, New API's `POST /api/channel/multi_key/manage`): list them with
 * their state (paged, filterable by status, counts of each), enable or disable one or all, delete one or
 * every automatically disabled one. Keys are never returned, only a preview. Enabling a key of a channel
 * the relay disabled (all its keys failed) puts the channel back in service.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, requireAdmin } from "../../auth/middleware.ts";
import { asJsonObject, nowSeconds } from "../../store/db.ts";
import {
  type ChannelFields,
  ChannelStatus,
  loadChannelsWithKeys,
  updateChannel,
} from "../../store/channels.ts";
import { splitChannelKeys } from "../../store/cache/catalog.ts";
import { keyStates, KeyStatus, withKeyStatus, withoutKeys } from "../../store/channel_keys.ts";
import { apiError, badRequest, notFound } from "./errors.ts";
import { bodyId, readJson } from "./input.ts";
import { ok } from "./respond.ts";

const manageBody = z.object({
  channel_id: bodyId,
  action: z.enum([
    "get_key_status",
    "enable_key",
    "disable_key",
    "enable_all_keys",
    "disable_all_keys",
    "delete_key",
    "delete_disabled_keys",
  ]),
  key_index: z.int().min(0).max(1_000_000).optional(),
  page: z.int().min(1).max(1_000_000).optional(),
  page_size: z.int().min(1).max(500).optional(),
  status: z.int().min(1).max(3).optional(),
});

export function channelKeyRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const secret = deps.secrets.cryptoSecret;

  app.post("/api/channel/multi_key/manage", requireAdmin(deps), async (c) => {
    const body = await readJson(c, manageBody);
    // The relay may disable a key at the same moment: the write is a compare-and-swap on channel_info,
    // re-read and re-applied when it loses.
    for (let attempt = 0; attempt < 8; attempt++) {
      const answer = await manage(body);
      if (answer !== "retry") return ok(c, answer);
    }
    throw apiError(409, "api.channel_keys_busy");
  });

  async function manage(body: z.infer<typeof manageBody>): Promise<unknown> {
    const [channel] = await loadChannelsWithKeys(deps.db, secret, body.channel_id);
    if (!channel) throw notFound("api.channel_not_found");
    const info = asJsonObject(channel.channelInfo);
    if (info.is_multi_key !== true) throw badRequest("api.channel_not_multi_key");
    const keys = splitChannelKeys(channel.key);
    const states = keyStates(info, keys);

    if (body.action === "get_key_status") {
      const count = (s: number) => states.filter((k) => k.status === s).length;
      const shown = body.status === undefined ? states : states.filter((k) => k.status === body.status);
      const pageSize = body.page_size ?? 50;
      const totalPages = Math.max(1, Math.ceil(shown.length / pageSize));
      const page = Math.min(body.page ?? 1, totalPages);
      return {
        keys: shown.slice((page - 1) * pageSize, page * pageSize),
        total: shown.length,
        page,
        page_size: pageSize,
        total_pages: totalPages,
        enabled_count: count(KeyStatus.enabled),
        manual_disabled_count: count(KeyStatus.manuallyDisabled),
        auto_disabled_count: count(KeyStatus.autoDisabled),
      };
    }

    const one = () => {
      if (body.key_index === undefined || body.key_index >= keys.length) {
        throw badRequest("api.channel_key_index_invalid", { index: String(body.key_index ?? "") });
      }
      return body.key_index;
    };
    const fields: ChannelFields = {};
    let changed: number;
    switch (body.action) {
      case "enable_key":
      case "disable_key":
      case "enable_all_keys":
      case "disable_all_keys": {
        const enable = body.action.startsWith("enable");
        const indexes = body.action.endsWith("all_keys") ? states.map((s) => s.index) : [one()];
        const status = enable ? KeyStatus.enabled : KeyStatus.manuallyDisabled;
        const next = withKeyStatus(info, keys.length, indexes, status, nowSeconds());
        changed = next.changed;
        fields.channelInfo = JSON.stringify(next.info);
        if (enable && changed > 0 && channel.status === ChannelStatus.autoDisabled) {
          fields.status = ChannelStatus.enabled;
        }
        break;
      }
      default: {
        const index = body.action === "delete_key" ? one() : -1;
        const next = withoutKeys(
          info,
          keys,
          (s) => index >= 0 ? s.index === index : s.status === KeyStatus.autoDisabled,
        );
        if (next.keys.length === 0) throw badRequest("api.channel_last_key");
        changed = next.removed;
        fields.channelInfo = JSON.stringify(next.info);
        fields.key = next.keys.join("\n");
      }
    }
    if (changed === 0) throw badRequest("api.channel_keys_unchanged");
    if (!(await updateChannel(deps.db, secret, channel.id, fields, channel.channelInfo))) return "retry";
    await deps.cache.publish({ kind: "channel", id: channel.id });
    return { changed };
  }

  return app;
}
