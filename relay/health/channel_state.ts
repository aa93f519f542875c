/**
 * Taking channels out of rotation and back, New API's way: a single-key channel becomes auto-disabled
 * (status 3, reason and time in `other_info`); on a multi-key channel only the failing key is marked in
 * `channel_info.multi_key_status_list` (with `multi_key_disabled_reason`/`_time`) and the channel goes to
 * status 3 once no key is left. Re-enabling undoes exactly that. Manually disabled channels (status 2)
 * are never touched. The catalog is updated at once (and other instances are told); root is notified.
 */
import type { AppDeps } from "../../server/deps.ts";
import { asInt, nowSeconds, queryOne } from "../../store/db.ts";
import { type Channel, channelInfoText, ChannelStatus, getChannel } from "../../store/channels.ts";
import { Role } from "../../store/users.ts";
import { parseJsonObject } from "../providers/spec.ts";
import { channelDisabledNotice, channelEnabledNotice, type Notice } from "../../notify/notice.ts";
import { parseUserSetting } from "../../notify/user_setting.ts";
import { log } from "../../server/logger.ts";

type Deps = Pick<AppDeps, "db" | "cache" | "notifier">;

export type StateChange = "none" | "key" | "channel";

async function notifyRoot(deps: Deps, notice: Notice): Promise<void> {
  const root = await queryOne(
    deps.db,
    "SELECT id, email, setting FROM users WHERE role = ? AND deleted_at IS NULL ORDER BY id LIMIT 1",
    [Role.root],
  );
  if (!root) return;
  await deps.notifier.notifyUser(
    {
      userId: asInt(root.id),
      email: String(root.email ?? "") || undefined,
      setting: parseUserSetting(String(root.setting ?? "")),
    },
    notice,
  ).catch((err) => log.warn("channel notice not queued", { error: String(err) }));
}

/**
 * Writes a channel's status and multi-key state if `channel_info` is still what the caller read
 * (compare-and-swap), so a key disabled here and a key edited in the console at the same moment do not
 * overwrite each other. Returns false when another writer got there first.
 */
async function writeState(
  deps: Deps,
  id: number,
  expectedInfo: string,
  status: number,
  channelInfo: string,
  otherInfo: string,
): Promise<boolean> {
  const written = await deps.db.transaction(async (tx) => {
    const result = await tx.exec(
      `UPDATE channels SET status = ?, channel_info = ?, other_info = ? WHERE id = ? AND ${
        channelInfoText(tx.dialect)
      } = ?`,
      [status, channelInfo, otherInfo, id, expectedInfo],
    );
    if (result.changes !== 1) return false;
    await tx.exec("UPDATE abilities SET enabled = ? WHERE channel_id = ?", [
      status === ChannelStatus.enabled,
      id,
    ]);
    return true;
  });
  if (written) await deps.cache.publish({ kind: "channel", id });
  return written;
}

/** Re-reads and retries a state change that lost a compare-and-swap race (a few times, then gives up). */
async function withFreshChannel(
  deps: Deps,
  id: number,
  change: (ch: Channel) => Promise<StateChange | "retry">,
): Promise<StateChange> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const ch = await getChannel(deps.db, id);
    if (!ch) return "none";
    const result = await change(ch);
    if (result !== "retry") return result;
  }
  log.warn("channel state change gave up after repeated conflicts", { channel: id });
  return "none";
}

function keyCount(info: Record<string, unknown>, fallback: number): number {
  const n = Number(info.multi_key_size);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Disables the failing key (multi-key) or the channel. `keys` is the channel's key count. */
export function disableChannel(
  deps: Deps,
  id: number,
  keyIndex: number,
  keys: number,
  reason: string,
): Promise<StateChange> {
  return withFreshChannel(deps, id, async (ch) => {
    if (ch.status !== ChannelStatus.enabled) return "none";
    const info = parseJsonObject(ch.channelInfo);
    const other = parseJsonObject(ch.otherInfo);
    const now = nowSeconds();
    let status: number = ChannelStatus.autoDisabled;
    let change: StateChange = "channel";
    if (info.is_multi_key === true) {
      const list = parseJsonObject(JSON.stringify(info.multi_key_status_list ?? {}));
      if (list[keyIndex] === ChannelStatus.autoDisabled) return "none";
      list[keyIndex] = ChannelStatus.autoDisabled;
      info.multi_key_status_list = list;
      info.multi_key_disabled_reason = {
        ...parseJsonObject(JSON.stringify(info.multi_key_disabled_reason ?? {})),
        [keyIndex]: reason,
      };
      info.multi_key_disabled_time = {
        ...parseJsonObject(JSON.stringify(info.multi_key_disabled_time ?? {})),
        [keyIndex]: now,
      };
      const disabled = Object.values(list).filter((s) => s !== ChannelStatus.enabled).length;
      if (disabled < keyCount(info, keys)) {
        status = ChannelStatus.enabled;
        change = "key";
      }
    }
    if (change === "channel") Object.assign(other, { status_reason: reason, status_time: now });
    if (!await writeState(deps, id, ch.channelInfo, status, JSON.stringify(info), JSON.stringify(other))) {
      return "retry";
    }
    log.warn(change === "key" ? "channel key disabled" : "channel disabled", {
      channel: id,
      keyIndex,
      reason,
    });
    if (change === "channel") await notifyRoot(deps, channelDisabledNotice(id, ch.name, reason));
    return change;
  });
}

/** Re-enables an auto-disabled channel, or one auto-disabled key of it (`keyIndex`). */
export function enableChannel(deps: Deps, id: number, keyIndex?: number): Promise<StateChange> {
  return withFreshChannel(deps, id, async (ch) => {
    if (ch.status === ChannelStatus.manuallyDisabled) return "none";
    const info = parseJsonObject(ch.channelInfo);
    let change: StateChange = "none";
    if (info.is_multi_key === true && keyIndex !== undefined) {
      const list = parseJsonObject(JSON.stringify(info.multi_key_status_list ?? {}));
      if (list[keyIndex] !== undefined && list[keyIndex] !== ChannelStatus.enabled) {
        delete list[keyIndex];
        info.multi_key_status_list = list;
        for (const k of ["multi_key_disabled_reason", "multi_key_disabled_time"]) {
          const m = parseJsonObject(JSON.stringify(info[k] ?? {}));
          delete m[keyIndex];
          info[k] = m;
        }
        change = "key";
      }
    }
    if (ch.status === ChannelStatus.autoDisabled) change = "channel";
    if (change === "none") return change;
    const other = parseJsonObject(ch.otherInfo);
    delete other.status_reason;
    delete other.status_time;
    if (
      !await writeState(
        deps,
        id,
        ch.channelInfo,
        ChannelStatus.enabled,
        JSON.stringify(info),
        JSON.stringify(other),
      )
    ) {
      return "retry";
    }
    log.info(change === "key" ? "channel key re-enabled" : "channel re-enabled", { channel: id, keyIndex });
    if (change === "channel") await notifyRoot(deps, channelEnabledNotice(id, ch.name));
    return change;
  });
}
