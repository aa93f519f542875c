/**
 * New API's `system_tasks`: background jobs an admin starts (today: log cleanup), one active task per type
 * (the unique `active_key`, cleared when the task ends), claimed by one instance (`locked_by`), its progress
 * in `state` and its outcome in `result`/`error`, JSON texts as New API keeps them. A running task whose
 * runner stopped updating it for `STALE_RUNNING_SECONDS` may be claimed again (the runner died).
 */
import { asInt, asJsonValue, type Db, nowSeconds, queryOne, type Row } from "./db.ts";
import { randomAlphanumeric } from "../crypto/token_key.ts";

export type SystemTaskStatus = "pending" | "running" | "succeeded" | "failed";

export const STALE_RUNNING_SECONDS = 60;

export interface SystemTask {
  id: number;
  taskId: string;
  type: string;
  status: SystemTaskStatus;
  activeKey: string;
  payload: string;
  state: string;
  result: string;
  error: string;
  lockedBy: string;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS =
  "id, task_id, type, status, active_key, payload, state, result, error, locked_by, created_at, updated_at";

function fromRow(r: Row): SystemTask {
  return {
    id: asInt(r.id),
    taskId: String(r.task_id ?? ""),
    type: String(r.type ?? ""),
    status: String(r.status ?? "pending") as SystemTaskStatus,
    activeKey: String(r.active_key ?? ""),
    payload: String(r.payload ?? ""),
    state: String(r.state ?? ""),
    result: String(r.result ?? ""),
    error: String(r.error ?? ""),
    lockedBy: String(r.locked_by ?? ""),
    createdAt: asInt(r.created_at),
    updatedAt: asInt(r.updated_at),
  };
}

const text = (v: unknown) => (v === undefined || v === null ? "" : JSON.stringify(v));

/** The active (pending or running) task of `type`, if any. */
export async function activeSystemTask(db: Db, type: string): Promise<SystemTask | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${COLUMNS} FROM system_tasks WHERE type = ? AND active_key IS NOT NULL
     AND status IN ('pending', 'running') ORDER BY id DESC LIMIT 1`,
    [type],
  );
  return row ? fromRow(row) : undefined;
}

/**
 * Creates a pending task of `type`, or returns the active one: the unique `active_key` (the type) lets
 * only one be active however many admins or instances ask at once.
 */
export async function startSystemTask(
  db: Db,
  type: string,
  payload: unknown,
): Promise<{ task: SystemTask; created: boolean }> {
  const taskId = `systask_${randomAlphanumeric(32)}`;
  const now = nowSeconds();
  try {
    await db.exec(
      `INSERT INTO system_tasks (task_id, type, status, active_key, payload, state, result, error, locked_by,
         created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, '', '', '', '', ?, ?)`,
      [taskId, type, type, text(payload), now, now],
    );
  } catch (err) {
    const active = await activeSystemTask(db, type);
    if (active) return { task: active, created: false };
    throw err;
  }
  return { task: (await systemTaskById(db, taskId))!, created: true };
}

export async function systemTaskById(db: Db, taskId: string): Promise<SystemTask | undefined> {
  const row = await queryOne(db, `SELECT ${COLUMNS} FROM system_tasks WHERE task_id = ?`, [taskId]);
  return row ? fromRow(row) : undefined;
}

/** The latest tasks, newest first (of one type when given). */
export async function listSystemTasks(
  db: Db,
  type: string | undefined,
  limit: number,
): Promise<SystemTask[]> {
  const rows = type
    ? await db.query(`SELECT ${COLUMNS} FROM system_tasks WHERE type = ? ORDER BY id DESC LIMIT ?`, [
      type,
      limit,
    ])
    : await db.query(`SELECT ${COLUMNS} FROM system_tasks ORDER BY id DESC LIMIT ?`, [limit]);
  return rows.map(fromRow);
}

/**
 * Claims the oldest runnable task of `type` for `runner`: pending, or running but not updated for
 * STALE_RUNNING_SECONDS. One conditional UPDATE, so two instances never run the same task.
 */
export async function claimSystemTask(db: Db, type: string, runner: string): Promise<SystemTask | undefined> {
  const now = nowSeconds();
  const candidates = await db.query(
    `SELECT id, status, updated_at FROM system_tasks WHERE type = ? AND active_key IS NOT NULL
     AND (status = 'pending' OR (status = 'running' AND updated_at < ?)) ORDER BY id LIMIT 5`,
    [type, now - STALE_RUNNING_SECONDS],
  );
  for (const c of candidates) {
    const claimed = await db.exec(
      `UPDATE system_tasks SET status = 'running', locked_by = ?, updated_at = ?
       WHERE id = ? AND status = ? AND updated_at = ?`,
      [runner, now, asInt(c.id), String(c.status), asInt(c.updated_at)],
    );
    if (claimed.changes === 1) {
      return fromRow(
        (await queryOne(db, `SELECT ${COLUMNS} FROM system_tasks WHERE id = ?`, [asInt(c.id)]))!,
      );
    }
  }
  return undefined;
}

/** Records progress; false when another runner took the task over. */
export async function updateSystemTaskState(
  db: Db,
  taskId: string,
  runner: string,
  state: unknown,
): Promise<boolean> {
  const done = await db.exec(
    `UPDATE system_tasks SET state = ?, updated_at = ? WHERE task_id = ? AND status = 'running' AND locked_by = ?`,
    [text(state), nowSeconds(), taskId, runner],
  );
  return done.changes === 1;
}

/** Ends the task (succeeded or failed) and frees its type for the next one. */
export async function finishSystemTask(
  db: Db,
  taskId: string,
  runner: string,
  status: "succeeded" | "failed",
  result: unknown,
  error = "",
): Promise<boolean> {
  const done = await db.exec(
    `UPDATE system_tasks SET status = ?, active_key = NULL, result = ?, error = ?, locked_by = '', updated_at = ?
     WHERE task_id = ? AND status = 'running' AND locked_by = ?`,
    [status, text(result), error, nowSeconds(), taskId, runner],
  );
  return done.changes === 1;
}

/** New API's SystemTaskResponse. */
export function systemTaskResponse(t: SystemTask): Record<string, unknown> {
  return {
    id: t.id,
    task_id: t.taskId,
    type: t.type,
    status: t.status,
    ...(t.activeKey ? { active_key: t.activeKey } : {}),
    payload: asJsonValue(t.payload),
    state: asJsonValue(t.state),
    result: asJsonValue(t.result),
    error: t.error,
    locked_by: t.lockedBy,
    locked_until: 0,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}
