/**
 * The `channels` table and its denormalised routing index `abilities` (group × model → channel),
 * rebuilt in the same transaction whenever a channel is saved. Keys are encrypted on write and only
 * decrypted by `loadChannelsWithKeys` for the relay's cache; list and detail reads never select them.
 */
import {
  asInt,
  castText,
  type Db,
  type Dialect,
  insertReturningId,
  nowSeconds,
  queryOne,
  type Row,
  type SqlValue,
} from "./db.ts";
import { decryptChannelKey, encryptChannelKey } from "../crypto/channel_key.ts";
import { likeLiteral } from "./users.ts";

export const ChannelStatus = { enabled: 1, manuallyDisabled: 2, autoDisabled: 3 } as const;

export interface Channel {
  id: number;
  type: number;
  name: string;
  status: number;
  weight: number;
  priority: number;
  baseUrl: string;
  /** Comma-separated model names. */
  models: string;
  /** Comma-separated groups. */
  group: string;
  modelMapping: string;
  statusCodeMapping: string;
  testModel: string;
  autoBan: number;
  other: string;
  otherInfo: string;
  setting: string;
  settings: string;
  paramOverride: string;
  headerOverride: string;
  tag: string;
  remark: string;
  openaiOrganization: string;
  /** JSON: multi-key state (is_multi_key, multi_key_status_list, multi_key_mode, ...). */
  channelInfo: string;
  createdTime: number;
  testTime: number;
  responseTime: number;
  balance: number;
  balanceUpdatedTime: number;
  usedQuota: number;
}

export interface ChannelWithKey extends Channel {
  /** The decrypted key text (newline-separated for multi-key channels). */
  key: string;
}

const COLUMNS = `id, type, name, status, weight, priority, base_url, models, "group", model_mapping,
  status_code_mapping, test_model, auto_ban, other, other_info, setting, settings, param_override,
  header_override, tag, remark, open_ai_organization, channel_info, created_time, test_time, response_time,
  balance, balance_updated_time, used_quota`;

const str = (v: unknown) => (v == null ? "" : String(v));

export function channelFromRow(r: Row): Channel {
  return {
    id: asInt(r.id),
    type: asInt(r.type),
    name: str(r.name),
    status: asInt(r.status),
    weight: asInt(r.weight),
    priority: asInt(r.priority),
    baseUrl: str(r.base_url),
    models: str(r.models),
    group: str(r.group),
    modelMapping: str(r.model_mapping),
    statusCodeMapping: str(r.status_code_mapping),
    testModel: str(r.test_model),
    autoBan: r.auto_ban == null ? 1 : asInt(r.auto_ban),
    other: str(r.other),
    otherInfo: str(r.other_info),
    setting: str(r.setting),
    settings: str(r.settings),
    paramOverride: str(r.param_override),
    headerOverride: str(r.header_override),
    tag: str(r.tag),
    remark: str(r.remark),
    openaiOrganization: str(r.open_ai_organization),
    channelInfo: str(r.channel_info),
    createdTime: asInt(r.created_time),
    testTime: asInt(r.test_time),
    responseTime: asInt(r.response_time),
    balance: Number(r.balance ?? 0) || 0,
    balanceUpdatedTime: asInt(r.balance_updated_time),
    usedQuota: asInt(r.used_quota),
  };
}

/** Fields that can be written; `key` is plaintext here and encrypted before it reaches SQL. */
export type ChannelFields = Partial<Omit<Channel, "id" | "createdTime" | "usedQuota">> & { key?: string };

const FIELD_COLUMNS: Record<string, string> = {
  type: "type",
  name: "name",
  status: "status",
  weight: "weight",
  priority: "priority",
  baseUrl: "base_url",
  models: "models",
  group: '"group"',
  modelMapping: "model_mapping",
  statusCodeMapping: "status_code_mapping",
  testModel: "test_model",
  autoBan: "auto_ban",
  other: "other",
  otherInfo: "other_info",
  setting: "setting",
  settings: "settings",
  paramOverride: "param_override",
  headerOverride: "header_override",
  tag: "tag",
  remark: "remark",
  openaiOrganization: "open_ai_organization",
  channelInfo: "channel_info",
  testTime: "test_time",
  responseTime: "response_time",
  balance: "balance",
  balanceUpdatedTime: "balance_updated_time",
};

export const splitList = (text: string): string[] => [
  ...new Set(text.split(",").map((s) => s.trim()).filter(Boolean)),
];

/** Rewrites the channel's abilities rows from its groups × models (inside the caller's transaction). */
export async function rebuildAbilities(tx: Db, channel: Channel): Promise<void> {
  await tx.exec("DELETE FROM abilities WHERE channel_id = ?", [channel.id]);
  const enabled = channel.status === ChannelStatus.enabled;
  for (const group of splitList(channel.group)) {
    for (const model of splitList(channel.models)) {
      await tx.exec(
        `INSERT INTO abilities ("group", model, channel_id, enabled, priority, weight, tag) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [group, model, channel.id, enabled, channel.priority, channel.weight, channel.tag || null],
      );
    }
  }
}

function assignments(fields: ChannelFields, cryptoSecret: string): { sets: string[]; params: SqlValue[] } {
  const sets: string[] = [];
  const params: SqlValue[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (field === "key") {
      sets.push('"key" = ?');
      params.push(encryptChannelKey(cryptoSecret, value as string));
      continue;
    }
    const column = FIELD_COLUMNS[field];
    if (!column) continue;
    sets.push(`${column} = ?`);
    params.push(value as SqlValue);
  }
  return { sets, params };
}

/** `channel_info` as text on every store (an adopted New API database has it as a `json` column). */
export const channelInfoText = (dialect: Dialect) => `COALESCE(${castText(dialect, "channel_info")}, '')`;

export async function getChannel(db: Db, id: number): Promise<Channel | undefined> {
  const row = await queryOne(db, `SELECT ${COLUMNS} FROM channels WHERE id = ?`, [id]);
  return row ? channelFromRow(row) : undefined;
}

/** Inserts a channel (key encrypted) and its abilities in one transaction; returns the new id. */
export async function insertChannel(db: Db, cryptoSecret: string, fields: ChannelFields): Promise<number> {
  return await db.transaction(async (tx) => {
    const { sets, params } = assignments({ status: ChannelStatus.enabled, key: "", ...fields }, cryptoSecret);
    const columns = sets.map((s) => s.slice(0, s.indexOf(" =")));
    const id = await insertReturningId(
      tx,
      `INSERT INTO channels (${[...columns, "created_time"].join(", ")}) VALUES (${
        [...columns.map(() => "?"), "?"].join(", ")
      })`,
      [...params, nowSeconds()],
    );
    await rebuildAbilities(tx, (await getChannel(tx, id))!);
    return id;
  });
}

/** Updates a channel (key re-encrypted when given) and rebuilds its abilities. */
export async function updateChannel(
  db: Db,
  cryptoSecret: string,
  id: number,
  fields: ChannelFields,
  /** Compare-and-swap: update only if `channel_info` is still this text (multi-key state edits). */
  expectChannelInfo?: string,
): Promise<boolean> {
  return await db.transaction(async (tx) => {
    const { sets, params } = assignments(fields, cryptoSecret);
    if (sets.length > 0) {
      const guard = expectChannelInfo === undefined ? "" : ` AND ${channelInfoText(tx.dialect)} = ?`;
      const result = await tx.exec(`UPDATE channels SET ${sets.join(", ")} WHERE id = ?${guard}`, [
        ...params,
        id,
        ...(expectChannelInfo === undefined ? [] : [expectChannelInfo]),
      ]);
      if (result.changes !== 1) return false;
    }
    const channel = await getChannel(tx, id);
    if (!channel) return false;
    await rebuildAbilities(tx, channel);
    return true;
  });
}

/** Sets a channel's status and its abilities' `enabled` flag together. */
export async function setChannelStatus(db: Db, id: number, status: number): Promise<boolean> {
  return await db.transaction(async (tx) => {
    const result = await tx.exec("UPDATE channels SET status = ? WHERE id = ?", [status, id]);
    await tx.exec("UPDATE abilities SET enabled = ? WHERE channel_id = ?", [
      status === ChannelStatus.enabled,
      id,
    ]);
    return result.changes === 1;
  });
}

export async function deleteChannels(db: Db, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const marks = ids.map(() => "?").join(", ");
  return await db.transaction(async (tx) => {
    await tx.exec(`DELETE FROM abilities WHERE channel_id IN (${marks})`, ids);
    return (await tx.exec(`DELETE FROM channels WHERE id IN (${marks})`, ids)).changes;
  });
}

export interface ChannelFilter {
  keyword?: string;
  group?: string;
  model?: string;
  status?: number;
  /** Every status but enabled (manually and automatically disabled). */
  disabled?: boolean;
  tag?: string;
  /** Channels whose tag is one of these. */
  tags?: string[];
  type?: number;
}

export interface ChannelQuery extends ChannelFilter {
  offset: number;
  limit: number;
  /** One of `id`, `name`, `priority`, `balance`, `response_time`, `test_time` (New API's list). */
  sortBy?: string;
  sortOrder?: "asc" | "desc";
  /** Newest first instead of New API's default (highest priority first). */
  idSort?: boolean;
}

const CHANNEL_SORT_COLUMNS: Record<string, string> = {
  id: "id",
  name: "name",
  priority: "priority",
  balance: "balance",
  response_time: "response_time",
  test_time: "test_time",
};

function channelWhere(q: ChannelFilter): { clause: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.keyword) {
    const id = /^\d+$/.test(q.keyword) ? Number(q.keyword) : -1;
    where.push("(id = ? OR name LIKE ? ESCAPE '!' OR base_url LIKE ? ESCAPE '!')");
    params.push(id, likeLiteral(q.keyword), likeLiteral(q.keyword));
  }
  if (q.group) {
    where.push(`(',' || "group" || ',') LIKE ? ESCAPE '!'`);
    params.push(likeLiteral(`,${q.group},`));
  }
  if (q.model) {
    where.push("models LIKE ? ESCAPE '!'");
    params.push(likeLiteral(q.model));
  }
  if (q.disabled) {
    where.push("status <> ?");
    params.push(ChannelStatus.enabled);
  }
  if (q.tags) {
    if (q.tags.length === 0) where.push("1 = 0");
    else {
      where.push(`tag IN (${q.tags.map(() => "?").join(", ")})`);
      params.push(...q.tags);
    }
  }
  for (const [value, column] of [[q.status, "status"], [q.tag, "tag"], [q.type, "type"]] as const) {
    if (value !== undefined && value !== "") {
      where.push(`${column} = ?`);
      params.push(value);
    }
  }
  return { clause: where.length ? `WHERE ${where.join(" AND ")}` : "", params };
}

function channelOrder(q: ChannelQuery): string {
  const column = CHANNEL_SORT_COLUMNS[q.sortBy ?? ""];
  if (column) return `${column} ${q.sortOrder === "asc" ? "ASC" : "DESC"}, id DESC`;
  return q.idSort ? "id DESC" : "priority DESC, id DESC";
}

export async function listChannels(db: Db, q: ChannelQuery): Promise<{ items: Channel[]; total: number }> {
  const { clause, params } = channelWhere(q);
  const total = asInt((await queryOne(db, `SELECT COUNT(*) AS n FROM channels ${clause}`, params))?.n);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM channels ${clause} ORDER BY ${channelOrder(q)} LIMIT ? OFFSET ?`,
    [...params, q.limit, q.offset],
  );
  return { items: rows.map(channelFromRow), total };
}

/** How many channels of each type match `q` (the console's type filter counts). */
export async function countChannelsByType(db: Db, q: ChannelFilter): Promise<Record<number, number>> {
  const { clause, params } = channelWhere(q);
  const rows = await db.query(`SELECT type, COUNT(*) AS n FROM channels ${clause} GROUP BY type`, params);
  return Object.fromEntries(rows.map((r) => [asInt(r.type), asInt(r.n)]));
}

/** A page of the distinct non-empty tags among channels matching `q` (tag mode), and their count. */
export async function listChannelTags(
  db: Db,
  q: ChannelFilter & { offset: number; limit: number },
): Promise<{ tags: string[]; total: number }> {
  const { clause, params } = channelWhere(q);
  const tagged = `${clause ? `${clause} AND` : "WHERE"} tag IS NOT NULL AND tag <> ''`;
  const total = asInt(
    (await queryOne(db, `SELECT COUNT(DISTINCT tag) AS n FROM channels ${tagged}`, params))?.n,
  );
  const rows = await db.query<{ tag: string }>(
    `SELECT DISTINCT tag FROM channels ${tagged} ORDER BY tag LIMIT ? OFFSET ?`,
    [...params, q.limit, q.offset],
  );
  return { tags: rows.map((r) => String(r.tag)), total };
}

/** Ids of the channels matching `q`, for bulk operations (by tag, all disabled, ...). */
export async function channelIds(db: Db, q: ChannelFilter): Promise<number[]> {
  const { clause, params } = channelWhere(q);
  return (await db.query(`SELECT id FROM channels ${clause} ORDER BY id`, params)).map((r) => asInt(r.id));
}

/** Rebuilds every channel's abilities (New API's "fix abilities"); one transaction per channel. */
export async function rebuildAllAbilities(db: Db): Promise<{ success: number; fails: number }> {
  let success = 0;
  let fails = 0;
  await db.exec("DELETE FROM abilities WHERE channel_id NOT IN (SELECT id FROM channels)");
  for (const id of await channelIds(db, {})) {
    try {
      await db.transaction(async (tx) => {
        const channel = await getChannel(tx, id);
        if (channel) await rebuildAbilities(tx, channel);
      });
      success++;
    } catch {
      fails++;
    }
  }
  return { success, fails };
}

/** Every channel with its decrypted key, for the relay cache (never for API responses). */
export async function loadChannelsWithKeys(
  db: Db,
  cryptoSecret: string,
  id?: number,
): Promise<ChannelWithKey[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS}, "key" FROM channels${id === undefined ? "" : " WHERE id = ?"}`,
    id === undefined ? [] : [id],
  );
  return rows.map((r) => ({
    ...channelFromRow(r),
    key: decryptChannelKey(cryptoSecret, String(r.key ?? "")),
  }));
}

/** Adds to a channel's used quota (settlement). */
export async function addChannelUsedQuota(db: Db, id: number, quota: number): Promise<void> {
  await db.exec("UPDATE channels SET used_quota = used_quota + ? WHERE id = ?", [quota, id]);
}
