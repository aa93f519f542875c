/**
 * The `logs` table (New API's columns and type codes), in the log database (`deps.logDb`: the main store
 * unless LOG_SQL_DSN is set). Rows that carry money (consume, top-up, refund) go with the change that moves
 * it (`transaction_logs.ts`); error and system rows go through the batched LogQueue. Quotas and token counts are never negative: the insert refuses them.
 */
import {
  asBool,
  asInt,
  type Db,
  insertReturningId,
  nowSeconds,
  queryOne,
  type Row,
  type SqlValue,
} from "./db.ts";

export const LogType = {
  unknown: 0,
  topup: 1,
  consume: 2,
  manage: 3,
  system: 4,
  error: 5,
  refund: 6,
  login: 7,
} as const;

export interface NewLog {
  userId: number;
  type: number;
  content?: string;
  username?: string;
  tokenName?: string;
  modelName?: string;
  quota?: number;
  promptTokens?: number;
  completionTokens?: number;
  /** Seconds. */
  useTime?: number;
  isStream?: boolean;
  channelId?: number;
  tokenId?: number;
  group?: string;
  ip?: string;
  /** JSON object (New API's `other`), stored as text. */
  other?: Record<string, unknown>;
  requestId?: string;
  createdAt?: number;
}

export interface LogRow {
  id: number;
  userId: number;
  createdAt: number;
  type: number;
  content: string;
  username: string;
  tokenName: string;
  modelName: string;
  quota: number;
  promptTokens: number;
  completionTokens: number;
  useTime: number;
  isStream: boolean;
  channelId: number;
  tokenId: number;
  group: string;
  ip: string;
  other: string;
  requestId: string;
}

const COLUMNS =
  `id, user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens,
  completion_tokens, use_time, is_stream, channel_id, token_id, "group", ip, other, request_id`;

const INSERT_COLUMNS =
  `user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens,
  completion_tokens, use_time, is_stream, channel_id, token_id, "group", ip, other, request_id`;

const str = (v: unknown) => (v == null ? "" : String(v));

export function logFromRow(r: Row): LogRow {
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    createdAt: asInt(r.created_at),
    type: asInt(r.type),
    content: str(r.content),
    username: str(r.username),
    tokenName: str(r.token_name),
    modelName: str(r.model_name),
    quota: asInt(r.quota),
    promptTokens: asInt(r.prompt_tokens),
    completionTokens: asInt(r.completion_tokens),
    useTime: asInt(r.use_time),
    isStream: asBool(r.is_stream),
    channelId: asInt(r.channel_id),
    tokenId: asInt(r.token_id),
    group: str(r.group),
    ip: str(r.ip),
    other: str(r.other),
    requestId: str(r.request_id),
  };
}

function nonNegative(name: string, v: number | undefined): number {
  const n = v ?? 0;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`log ${name} must be a non-negative integer, got ${n}`);
  }
  return n;
}

function values(l: NewLog): SqlValue[] {
  return [
    l.userId,
    l.createdAt ?? nowSeconds(),
    l.type,
    l.content ?? "",
    l.username ?? "",
    l.tokenName ?? "",
    l.modelName ?? "",
    nonNegative("quota", l.quota),
    nonNegative("prompt_tokens", l.promptTokens),
    nonNegative("completion_tokens", l.completionTokens),
    nonNegative("use_time", l.useTime),
    l.isStream ?? false,
    l.channelId ?? 0,
    l.tokenId ?? 0,
    l.group ?? "",
    l.ip ?? "",
    l.other ? JSON.stringify(l.other) : "",
    (l.requestId ?? "").slice(0, 64),
  ];
}

/** Inserts one row (pass the transaction handle when money moves with it). */
export async function insertLog(db: Db, l: NewLog): Promise<number> {
  return await insertReturningId(
    db,
    `INSERT INTO logs (${INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    values(l),
  );
}

/** Inserts many rows with multi-row INSERTs (used by the batched queue and bulk loads). */
export async function insertLogs(db: Db, logs: readonly NewLog[], chunk = 200): Promise<void> {
  const one = `(${new Array(18).fill("?").join(", ")})`;
  for (let i = 0; i < logs.length; i += chunk) {
    const part = logs.slice(i, i + chunk);
    await db.exec(
      `INSERT INTO logs (${INSERT_COLUMNS}) VALUES ${part.map(() => one).join(", ")}`,
      part.flatMap(values),
    );
  }
}

export interface LogFilter {
  /** 0 or absent = every type. */
  type?: number;
  /** Unix seconds, inclusive; 0 or absent = open. */
  start?: number;
  end?: number;
  userId?: number;
  username?: string;
  tokenName?: string;
  tokenId?: number;
  modelName?: string;
  channelId?: number;
  group?: string;
  requestId?: string;
}

/**
 * WHERE clause for the console's filters. Every filter is an equality or a range on an indexed column
 * (New API matched model names with LIKE, which no index serves and which let `%_%` patterns scan).
 */
function where(f: LogFilter): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const eq = (column: string, value: SqlValue | undefined) => {
    if (value === undefined || value === "" || value === 0) return;
    parts.push(`${column} = ?`);
    params.push(value);
  };
  eq("user_id", f.userId);
  eq("type", f.type);
  eq("username", f.username);
  eq("token_name", f.tokenName);
  eq("token_id", f.tokenId);
  eq("model_name", f.modelName);
  eq("channel_id", f.channelId);
  eq('"group"', f.group);
  eq("request_id", f.requestId);
  if (f.start) {
    parts.push("created_at >= ?");
    params.push(f.start);
  }
  if (f.end) {
    parts.push("created_at <= ?");
    params.push(f.end);
  }
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/** A page of rows, newest first, and the total matching. */
export async function listLogs(
  db: Db,
  f: LogFilter,
  offset: number,
  limit: number,
): Promise<{ items: LogRow[]; total: number }> {
  const w = where(f);
  const [rows, count] = await Promise.all([
    // Pick the page's ids first (index-only where possible), then read just those rows: sorting ids is
    // cheap where sorting whole rows (with their `other` JSON) is not. The derived table (page) is for
    // MySQL, which refuses LIMIT inside an IN subquery.
    db.query(
      `SELECT ${COLUMNS} FROM logs WHERE id IN (SELECT id FROM (
         SELECT id FROM logs ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?
       ) page) ORDER BY created_at DESC, id DESC`,
      [...w.params, limit, offset],
    ),
    queryOne(db, `SELECT COUNT(*) AS n FROM logs ${w.sql}`, w.params),
  ]);
  return { items: rows.map(logFromRow), total: asInt(count?.n) };
}

export interface LogStat {
  quota: number;
  /** Consume rows in the last 60 s. */
  rpm: number;
  /** Prompt + completion tokens in the last 60 s. */
  tpm: number;
}

/** New API's stat: consumed quota over the filter, plus requests and tokens in the last minute. */
export async function logStat(db: Db, f: LogFilter, now = nowSeconds()): Promise<LogStat> {
  const all = where({ ...f, type: LogType.consume });
  const recent = where({ ...f, type: LogType.consume, start: now - 60, end: undefined });
  const [sum, last] = await Promise.all([
    queryOne(db, `SELECT COALESCE(SUM(quota), 0) AS q FROM logs ${all.sql}`, all.params),
    queryOne(
      db,
      `SELECT COUNT(*) AS n, COALESCE(SUM(prompt_tokens), 0) + COALESCE(SUM(completion_tokens), 0) AS t
       FROM logs ${recent.sql}`,
      recent.params,
    ),
  ]);
  return { quota: asInt(sum?.q), rpm: asInt(last?.n), tpm: asInt(last?.t) };
}

/**
 * Deletes the rows created before `before` (New API's DeleteOldLog), in batches of `batch` so a large cleanup
 * never holds one long lock; `types` limits it to those log types (all when absent), `maxBatches` the statements
 * of one call (a scheduled job resumes at its next run). Returns how many went.
 * Ids are read first: MySQL cannot LIMIT a DELETE's subquery. No ORDER BY: any matching rows will do, and
 * without one PostgreSQL and MySQL read them from a (type, created_at) index instead of walking the primary key
 * (5,000 of 300,000 rows: 4.7 ms instead of 7.9 on PostgreSQL, 2.2 instead of 13.5 on MySQL).
 */
export async function deleteLogsBefore(
  db: Db,
  before: number,
  { batch = 1000, types, maxBatches = Infinity }: {
    batch?: number;
    types?: readonly number[];
    maxBatches?: number;
  } = {},
): Promise<number> {
  if (types?.length === 0) return 0;
  const typeSql = types ? ` AND type IN (${types.map(() => "?").join(", ")})` : "";
  let deleted = 0;
  for (let round = 0; round < maxBatches; round++) {
    const ids = (await db.query<{ id: number }>(
      `SELECT id FROM logs WHERE created_at < ?${typeSql} LIMIT ?`,
      [before, ...(types ?? []), batch],
    )).map((r) => asInt(r.id));
    if (ids.length === 0) return deleted;
    const done = await db.exec(`DELETE FROM logs WHERE id IN (${ids.map(() => "?").join(", ")})`, ids);
    deleted += done.changes;
    if (ids.length < batch) return deleted;
  }
  return deleted;
}

/** Channel names (from the main store) for the admin view (one query per page, not per row). */
export async function channelNames(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids.filter((id) => id > 0))];
  if (unique.length === 0) return new Map();
  const rows = await db.query<{ id: number; name: string }>(
    `SELECT id, name FROM channels WHERE id IN (${unique.map(() => "?").join(", ")})`,
    unique,
  );
  return new Map(rows.map((r) => [asInt(r.id), str(r.name)]));
}
