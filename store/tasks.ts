/**
 * New API's `tasks` table: one row per platform task (Suno), written at submit and kept up to date by the
 * task poller. Times are Unix seconds, as New API stores them. Reads a caller makes are scoped to its
 * owner; the admin list is the only unscoped one.
 */
import { asInt, type Db, insertReturningId, nowSeconds, type Row, type SqlValue } from "./db.ts";

export const TaskStatus = {
  notStart: "NOT_START",
  submitted: "SUBMITTED",
  queued: "QUEUED",
  inProgress: "IN_PROGRESS",
  failure: "FAILURE",
  success: "SUCCESS",
  unknown: "UNKNOWN",
} as const;

export interface Task {
  id: number;
  createdAt: number;
  updatedAt: number;
  taskId: string;
  platform: string;
  userId: number;
  group: string;
  channelId: number;
  quota: number;
  action: string;
  status: string;
  failReason: string;
  submitTime: number;
  startTime: number;
  finishTime: number;
  progress: string;
  properties: string;
  data: string;
  requestId: string;
  /** Not a column: the token of the charge, kept in `private_data` as New API does. */
  tokenId: number;
}

export const TASK_COLUMNS =
  `id, created_at, updated_at, task_id, platform, user_id, "group", channel_id, quota, action, status,
  fail_reason, submit_time, start_time, finish_time, progress, properties, private_data, data, request_id`;

const str = (
  v: unknown,
) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

export function taskFromRow(r: Row): Task {
  let tokenId = 0;
  try {
    tokenId = asInt(JSON.parse(str(r.private_data) || "{}")?.token_id);
  } catch { /* not ours */ }
  return {
    id: asInt(r.id),
    createdAt: asInt(r.created_at),
    updatedAt: asInt(r.updated_at),
    taskId: str(r.task_id),
    platform: str(r.platform),
    userId: asInt(r.user_id),
    group: str(r.group),
    channelId: asInt(r.channel_id),
    quota: asInt(r.quota),
    action: str(r.action),
    status: str(r.status),
    failReason: str(r.fail_reason),
    submitTime: asInt(r.submit_time),
    startTime: asInt(r.start_time),
    finishTime: asInt(r.finish_time),
    progress: str(r.progress),
    properties: str(r.properties),
    data: str(r.data),
    requestId: str(r.request_id),
    tokenId,
  };
}

export type NewTask = Omit<Task, "id" | "createdAt" | "updatedAt">;

export async function insertTask(db: Db, t: NewTask): Promise<number> {
  const now = nowSeconds();
  return await insertReturningId(
    db,
    `INSERT INTO tasks (created_at, updated_at, task_id, platform, user_id, "group", channel_id, quota, action,
      status, fail_reason, submit_time, start_time, finish_time, progress, properties, private_data, data,
      request_id) VALUES (${Array(19).fill("?").join(", ")})`,
    [
      now,
      now,
      t.taskId,
      t.platform,
      t.userId,
      t.group,
      t.channelId,
      t.quota,
      t.action,
      t.status,
      t.failReason,
      t.submitTime,
      t.startTime,
      t.finishTime,
      t.progress,
      t.properties || null,
      JSON.stringify({ token_id: t.tokenId }),
      t.data || null,
      t.requestId,
    ],
  );
}

/**
 * The upstream's answer written over a submit's intent row (inserted before the upstream was called, with
 * no task id); false when the row is no longer that intent (the poller failed it as abandoned).
 */
export async function completeTaskIntent(db: Db, id: number, t: NewTask): Promise<boolean> {
  const r = await db.exec(
    `UPDATE tasks SET task_id = ?, status = ?, progress = ?, quota = ?, action = ?, properties = ?, data = ?,
      submit_time = ?, updated_at = ? WHERE id = ? AND task_id = '' AND status = ?`,
    [
      t.taskId,
      t.status,
      t.progress,
      t.quota,
      t.action,
      t.properties || null,
      t.data || null,
      t.submitTime,
      nowSeconds(),
      id,
      TaskStatus.notStart,
    ],
  );
  return r.changes === 1;
}

/** Removes a submit's intent row once the upstream refused (nothing was charged). */
export async function dropTaskIntent(db: Db, id: number): Promise<void> {
  await db.exec(`DELETE FROM tasks WHERE id = ? AND task_id = '' AND status = ?`, [id, TaskStatus.notStart]);
}

/** The owner's task of `platform` by its upstream id. */
export async function taskOf(
  db: Db,
  userId: number,
  platform: string,
  taskId: string,
): Promise<Task | undefined> {
  if (!taskId) return undefined; // an intent row's (a submit under way)
  const rows = await db.query(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE user_id = ? AND platform = ? AND task_id = ?`,
    [userId, platform, taskId],
  );
  return rows[0] ? taskFromRow(rows[0]) : undefined;
}

/** The owner's tasks among `taskIds` (at most 100). */
export async function tasksOf(
  db: Db,
  userId: number,
  platform: string,
  taskIds: readonly string[],
): Promise<Task[]> {
  const ids = [...new Set(taskIds)].filter(Boolean).slice(0, 100);
  if (ids.length === 0) return [];
  const rows = await db.query(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE user_id = ? AND platform = ? AND task_id IN (${
      ids.map(() => "?").join(", ")
    })
     ORDER BY id`,
    [userId, platform, ...ids],
  );
  return rows.map(taskFromRow);
}

/** Tasks still to follow (New API: status neither SUCCESS nor FAILURE, progress not 100%), oldest first. */
export async function unfinishedTasks(db: Db, platform: string, limit = 1000): Promise<Task[]> {
  const rows = await db.query(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE platform = ? AND COALESCE(status, '') NOT IN ('SUCCESS', 'FAILURE')
      AND COALESCE(progress, '') <> '100%' ORDER BY id LIMIT ${Math.floor(limit)}`,
    [platform],
  );
  return rows.map(taskFromRow);
}

/**
 * Intent rows of `platforms` (no task id, NOT_START) whose submit began before `beforeS` (Unix seconds):
 * read apart from `unfinishedTasks`, so a backlog of tasks still running can never keep them from the
 * poller (they would hold a charge and show NOT_START in the listings for good).
 */
export async function abandonedTaskIntents(
  db: Db,
  platforms: readonly string[],
  beforeS: number,
  limit = 1000,
): Promise<Task[]> {
  if (platforms.length === 0) return [];
  const rows = await db.query(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE task_id = '' AND status = ? AND submit_time < ?
      AND platform IN (${platforms.map(() => "?").join(", ")}) ORDER BY id LIMIT ${Math.floor(limit)}`,
    [TaskStatus.notStart, Math.floor(beforeS), ...platforms],
  );
  return rows.map(taskFromRow);
}

export type TaskUpdate = Pick<
  Task,
  "status" | "progress" | "failReason" | "startTime" | "finishTime" | "data"
>;

/** Writes `u` over `prev` if its status and progress are still as read; true when written. */
export async function updateTask(db: Db, prev: Task, u: TaskUpdate): Promise<boolean> {
  const r = await db.exec(
    `UPDATE tasks SET status = ?, progress = ?, fail_reason = ?, start_time = ?, finish_time = ?, data = ?,
      updated_at = ? WHERE id = ? AND COALESCE(status, '') = ? AND COALESCE(progress, '') = ?`,
    [
      u.status,
      u.progress,
      u.failReason,
      u.startTime,
      u.finishTime,
      u.data || null,
      nowSeconds(),
      prev.id,
      prev.status,
      prev.progress,
    ],
  );
  return r.changes === 1;
}

export interface TaskListFilter {
  userId?: number;
  channelId?: number;
  platform?: string;
  taskId?: string;
  status?: string;
  action?: string;
  startTimestamp?: number;
  endTimestamp?: number;
}

/** One page, newest first, and the total (New API's `TaskGetAllTasks` / `TaskGetAllUserTask`). */
export async function listTasks(
  db: Db,
  f: TaskListFilter,
  offset: number,
  limit: number,
): Promise<{ items: Task[]; total: number }> {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const add = (sql: string, v: SqlValue | undefined) => {
    if (v === undefined || v === "" || v === 0) return;
    parts.push(sql);
    params.push(v);
  };
  if (f.userId !== undefined) parts.push("user_id = ?"), params.push(f.userId);
  add("channel_id = ?", f.channelId);
  add("platform = ?", f.platform);
  add("task_id = ?", f.taskId);
  add("status = ?", f.status);
  add("action = ?", f.action);
  add("submit_time >= ?", f.startTimestamp);
  add("submit_time <= ?", f.endTimestamp);
  const where = parts.length ? `WHERE ${parts.join(" AND ")}` : "";
  const rows = await db.query(
    `SELECT ${TASK_COLUMNS} FROM tasks ${where} ORDER BY id DESC LIMIT ${Math.floor(limit)} OFFSET ${
      Math.floor(offset)
    }`,
    params,
  );
  const total = await db.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM tasks ${where}`, params);
  return { items: rows.map(taskFromRow), total: asInt(total[0]?.n) };
}
