/**
 * New API's `midjourneys` table: one row per Midjourney-proxy task, written at submit and kept up to date
 * by the task poller. Times are Unix milliseconds, as New API stores them. Every read a caller makes is
 * scoped to its owner; the admin list is the only unscoped one.
 */
import { asInt, type Db, insertReturningId, type Row, type SqlValue } from "./db.ts";

export interface MjTask {
  id: number;
  code: number;
  userId: number;
  action: string;
  mjId: string;
  prompt: string;
  promptEn: string;
  description: string;
  state: string;
  submitTime: number;
  startTime: number;
  finishTime: number;
  imageUrl: string;
  videoUrl: string;
  videoUrls: string;
  status: string;
  progress: string;
  failReason: string;
  channelId: number;
  quota: number;
  buttons: string;
  properties: string;
  tokenId: number;
  requestId: string;
}

const COLUMNS = "id, code, user_id, action, mj_id, prompt, prompt_en, description, state, submit_time, " +
  "start_time, finish_time, image_url, video_url, video_urls, status, progress, fail_reason, channel_id, " +
  "quota, buttons, properties, token_id, request_id";

const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));

function fromRow(r: Row): MjTask {
  return {
    id: asInt(r.id),
    code: asInt(r.code),
    userId: asInt(r.user_id),
    action: str(r.action),
    mjId: str(r.mj_id),
    prompt: str(r.prompt),
    promptEn: str(r.prompt_en),
    description: str(r.description),
    state: str(r.state),
    submitTime: asInt(r.submit_time),
    startTime: asInt(r.start_time),
    finishTime: asInt(r.finish_time),
    imageUrl: str(r.image_url),
    videoUrl: str(r.video_url),
    videoUrls: str(r.video_urls),
    status: str(r.status),
    progress: str(r.progress),
    failReason: str(r.fail_reason),
    channelId: asInt(r.channel_id),
    quota: asInt(r.quota),
    buttons: str(r.buttons),
    properties: str(r.properties),
    tokenId: asInt(r.token_id),
    requestId: str(r.request_id),
  };
}

export type NewMjTask = Omit<MjTask, "id">;

export async function insertMjTask(db: Db, t: NewMjTask): Promise<number> {
  return await insertReturningId(
    db,
    `INSERT INTO midjourneys (code, user_id, action, mj_id, prompt, prompt_en, description, state, submit_time,
      start_time, finish_time, image_url, video_url, video_urls, status, progress, fail_reason, channel_id, quota,
      buttons, properties, token_id, request_id) VALUES (${Array(23).fill("?").join(", ")})`,
    [
      t.code,
      t.userId,
      t.action,
      t.mjId,
      t.prompt,
      t.promptEn,
      t.description,
      t.state,
      t.submitTime,
      t.startTime,
      t.finishTime,
      t.imageUrl,
      t.videoUrl,
      t.videoUrls,
      t.status,
      t.progress,
      t.failReason,
      t.channelId,
      t.quota,
      t.buttons,
      t.properties,
      t.tokenId,
      t.requestId,
    ],
  );
}

/**
 * The upstream's answer written over a submit's intent row (inserted before the upstream was called, with
 * no Midjourney id, 0%); false when the row is no longer that intent (the poller failed it as abandoned).
 */
export async function completeMjIntent(db: Db, id: number, t: NewMjTask): Promise<boolean> {
  const r = await db.exec(
    `UPDATE midjourneys SET code = ?, mj_id = ?, description = ?, submit_time = ?, start_time = ?,
      finish_time = ?, image_url = ?, status = ?, progress = ?, fail_reason = ?, quota = ?
      WHERE id = ? AND mj_id = '' AND COALESCE(status, '') = '' AND COALESCE(progress, '') = '0%'`,
    [
      t.code,
      t.mjId,
      t.description,
      t.submitTime,
      t.startTime,
      t.finishTime,
      t.imageUrl,
      t.status,
      t.progress,
      t.failReason,
      t.quota,
      id,
    ],
  );
  return r.changes === 1;
}

/** The owner's task by its Midjourney id (New API's `GetByMJId`). */
export async function mjTaskOf(db: Db, userId: number, mjId: string): Promise<MjTask | undefined> {
  if (!mjId) return undefined; // an intent row's (a submit under way)
  const rows = await db.query(`SELECT ${COLUMNS} FROM midjourneys WHERE user_id = ? AND mj_id = ?`, [
    userId,
    mjId,
  ]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** The owner's tasks among `mjIds` (New API's `GetByMJIds`), at most 100 ids. */
export async function mjTasksOf(db: Db, userId: number, mjIds: readonly string[]): Promise<MjTask[]> {
  const ids = [...new Set(mjIds)].filter(Boolean).slice(0, 100);
  if (ids.length === 0) return [];
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM midjourneys WHERE user_id = ? AND mj_id IN (${ids.map(() => "?").join(", ")})
     ORDER BY id`,
    [userId, ...ids],
  );
  return rows.map(fromRow);
}

/** Tasks the poller still has to follow (New API: progress not 100%), oldest first. */
export async function unfinishedMjTasks(db: Db, limit = 1000): Promise<MjTask[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM midjourneys WHERE COALESCE(progress, '') <> '100%' ORDER BY id LIMIT ${
      Math.floor(limit)
    }`,
  );
  return rows.map(fromRow);
}

/**
 * Intent rows (no Midjourney id, no status, 0%) whose submit began before `beforeMs`: read apart from
 * `unfinishedMjTasks`, so a backlog of running tasks can never keep them from the poller.
 */
export async function abandonedMjIntents(db: Db, beforeMs: number, limit = 1000): Promise<MjTask[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM midjourneys WHERE mj_id = '' AND COALESCE(status, '') = ''
      AND COALESCE(progress, '') = '0%' AND submit_time < ? ORDER BY id LIMIT ${Math.floor(limit)}`,
    [Math.floor(beforeMs)],
  );
  return rows.map(fromRow);
}

/** What the poller learned of a task; written only if the row is still as it was read. */
export type MjTaskUpdate = Pick<
  MjTask,
  | "code"
  | "progress"
  | "promptEn"
  | "state"
  | "submitTime"
  | "startTime"
  | "finishTime"
  | "imageUrl"
  | "videoUrl"
  | "videoUrls"
  | "status"
  | "failReason"
  | "buttons"
  | "properties"
>;

/**
 * Writes `u` over task `prev` if its status and progress are still what `prev` read (New API's
 * `UpdateWithStatus`): of two pollers, only one moves a task, so only one refunds it. True when written.
 */
export async function updateMjTask(db: Db, prev: MjTask, u: MjTaskUpdate): Promise<boolean> {
  const values: SqlValue[] = [
    u.code,
    u.progress,
    u.promptEn,
    u.state,
    u.submitTime,
    u.startTime,
    u.finishTime,
    u.imageUrl,
    u.videoUrl,
    u.videoUrls,
    u.status,
    u.failReason,
    u.buttons,
    u.properties,
  ];
  const r = await db.exec(
    `UPDATE midjourneys SET code = ?, progress = ?, prompt_en = ?, state = ?, submit_time = ?, start_time = ?,
      finish_time = ?, image_url = ?, video_url = ?, video_urls = ?, status = ?, fail_reason = ?, buttons = ?,
      properties = ? WHERE id = ? AND COALESCE(status, '') = ? AND COALESCE(progress, '') = ?`,
    [...values, prev.id, prev.status, prev.progress],
  );
  return r.changes === 1;
}

export interface MjListFilter {
  userId?: number;
  channelId?: number;
  mjId?: string;
  /** Unix seconds, compared with `submit_time` in milliseconds. */
  startTimestamp?: number;
  endTimestamp?: number;
}

function where(f: MjListFilter): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  if (f.userId !== undefined) parts.push("user_id = ?"), params.push(f.userId);
  if (f.channelId) parts.push("channel_id = ?"), params.push(f.channelId);
  if (f.mjId) parts.push("mj_id = ?"), params.push(f.mjId);
  if (f.startTimestamp) parts.push("submit_time >= ?"), params.push(f.startTimestamp * 1000);
  if (f.endTimestamp) parts.push("submit_time <= ?"), params.push(f.endTimestamp * 1000);
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/** One page, newest first, and the total (New API's `GetAllTasks` / `GetAllUserTask`). */
export async function listMjTasks(
  db: Db,
  f: MjListFilter,
  offset: number,
  limit: number,
): Promise<{ items: MjTask[]; total: number }> {
  const w = where(f);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM midjourneys ${w.sql} ORDER BY id DESC LIMIT ${Math.floor(limit)} OFFSET ${
      Math.floor(offset)
    }`,
    w.params,
  );
  const total = await db.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM midjourneys ${w.sql}`, w.params);
  return { items: rows.map(fromRow), total: asInt(total[0]?.n) };
}
