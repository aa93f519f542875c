/**
 * Model metadata and vendors (New API's `models` and `vendors` tables, its admin "Models" page): rows are
 * soft deleted (`deleted_at`) as GORM does, and every read skips deleted rows. A name is unique among the
 * rows not deleted; the check and the write share one transaction behind a per-table lock, so two
 * concurrent creates of one name cannot both pass.
 */
import {
  asInt,
  type Db,
  insertReturningId,
  lockTransaction,
  nowSeconds,
  queryOne,
  type Row,
  setClause,
  type SqlValue,
  timestampValue,
} from "./db.ts";
import { likeLiteral } from "./users.ts";

/** How `model_name` matches served models (New API's NameRule*). */
export const NameRule = { exact: 0, prefix: 1, contains: 2, suffix: 3 } as const;

export interface ModelMeta {
  id: number;
  modelName: string;
  description: string;
  icon: string;
  tags: string;
  vendorId: number;
  endpoints: string;
  status: number;
  syncOfficial: number;
  createdTime: number;
  updatedTime: number;
  nameRule: number;
}

export interface Vendor {
  id: number;
  name: string;
  description: string;
  icon: string;
  status: number;
  createdTime: number;
  updatedTime: number;
}

export type ModelFields = Omit<ModelMeta, "id" | "createdTime" | "updatedTime">;
export type VendorFields = Omit<Vendor, "id" | "createdTime" | "updatedTime">;

const MODEL_COLUMNS =
  "id, model_name, description, icon, tags, vendor_id, endpoints, status, sync_official, created_time, updated_time, name_rule";
const VENDOR_COLUMNS = "id, name, description, icon, status, created_time, updated_time";

const MODEL_FIELDS: Record<keyof ModelFields, string> = {
  modelName: "model_name",
  description: "description",
  icon: "icon",
  tags: "tags",
  vendorId: "vendor_id",
  endpoints: "endpoints",
  status: "status",
  syncOfficial: "sync_official",
  nameRule: "name_rule",
};
const VENDOR_FIELDS: Record<keyof VendorFields, string> = {
  name: "name",
  description: "description",
  icon: "icon",
  status: "status",
};

/** Lock keys serialising name checks with writes (see lockTransaction). */
const MODEL_NAME_LOCK = 0x6d6f_6431;
const VENDOR_NAME_LOCK = 0x7665_6e31;

const text = (v: unknown) => v === null || v === undefined ? "" : String(v);

function modelFromRow(r: Row): ModelMeta {
  return {
    id: asInt(r.id),
    modelName: text(r.model_name),
    description: text(r.description),
    icon: text(r.icon),
    tags: text(r.tags),
    vendorId: asInt(r.vendor_id),
    endpoints: text(r.endpoints),
    status: asInt(r.status),
    syncOfficial: asInt(r.sync_official),
    createdTime: asInt(r.created_time),
    updatedTime: asInt(r.updated_time),
    nameRule: asInt(r.name_rule),
  };
}

function vendorFromRow(r: Row): Vendor {
  return {
    id: asInt(r.id),
    name: text(r.name),
    description: text(r.description),
    icon: text(r.icon),
    status: asInt(r.status),
    createdTime: asInt(r.created_time),
    updatedTime: asInt(r.updated_time),
  };
}

/** Thrown inside the write transaction when the name is already taken by a row not deleted. */
export class DuplicateName extends Error {
  override name = "DuplicateName";
}

async function nameTaken(db: Db, table: string, column: string, name: string, exceptId: number) {
  const row = await queryOne(
    db,
    `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ? AND id <> ? AND deleted_at IS NULL`,
    [name, exceptId],
  );
  return asInt(row?.n) > 0;
}

/** What the shared writes need to know of `models` and `vendors`. */
interface NamedTable {
  table: "models" | "vendors";
  nameColumn: string;
  nameField: string;
  lock: number;
  columns: Record<string, string>;
}
const MODELS: NamedTable = {
  table: "models",
  nameColumn: "model_name",
  nameField: "modelName",
  lock: MODEL_NAME_LOCK,
  columns: MODEL_FIELDS,
};
const VENDORS: NamedTable = {
  table: "vendors",
  nameColumn: "name",
  nameField: "name",
  lock: VENDOR_NAME_LOCK,
  columns: VENDOR_FIELDS,
};

/** Updates the given fields of a row not deleted; false when none. Throws DuplicateName for a taken name. */
async function updateNamed(
  db: Db,
  t: NamedTable,
  id: number,
  patch: Record<string, unknown>,
): Promise<boolean> {
  return await db.transaction(async (tx) => {
    await lockTransaction(tx, t.lock);
    const name = patch[t.nameField];
    if (typeof name === "string" && await nameTaken(tx, t.table, t.nameColumn, name, id)) {
      throw new DuplicateName();
    }
    const { sets, params } = setClause(patch, t.columns);
    sets.push("updated_time = ?");
    params.push(nowSeconds());
    const res = await tx.exec(
      `UPDATE ${t.table} SET ${sets.join(", ")} WHERE id = ? AND deleted_at IS NULL`,
      [...params, id],
    );
    return res.changes > 0;
  });
}

/** Soft delete; false when there was no such row. */
async function softDelete(db: Db, t: NamedTable, id: number): Promise<boolean> {
  const res = await db.exec(`UPDATE ${t.table} SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`, [
    timestampValue(db.dialect),
    id,
  ]);
  return res.changes > 0;
}

// ---- models ----

export async function getModelMeta(db: Db, id: number): Promise<ModelMeta | undefined> {
  const row = await queryOne(db, `SELECT ${MODEL_COLUMNS} FROM models WHERE id = ? AND deleted_at IS NULL`, [
    id,
  ]);
  return row ? modelFromRow(row) : undefined;
}

export async function getModelMetaByName(db: Db, name: string): Promise<ModelMeta | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${MODEL_COLUMNS} FROM models WHERE model_name = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`,
    [name],
  );
  return row ? modelFromRow(row) : undefined;
}

/** Rows not deleted whose name is one of `names` and that take official updates (`sync_official` ≠ 0). */
export async function syncedModelsByNames(db: Db, names: string[]): Promise<ModelMeta[]> {
  const unique = [...new Set(names)];
  const out: ModelMeta[] = [];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await db.query(
      `SELECT ${MODEL_COLUMNS} FROM models WHERE deleted_at IS NULL AND sync_official <> 0
       AND model_name IN (${chunk.map(() => "?").join(", ")}) ORDER BY id`,
      chunk,
    );
    out.push(...rows.map(modelFromRow));
  }
  return out;
}

export interface ModelQuery {
  offset: number;
  limit: number;
  /** Matches a fragment of the name, description or tags. */
  keyword?: string;
  /** A vendor id, or a fragment of a vendor's name. */
  vendor?: string;
  status?: number;
  syncOfficial?: number;
}

/** Newest first, as New API lists them. */
export async function listModelMeta(db: Db, q: ModelQuery): Promise<{ items: ModelMeta[]; total: number }> {
  const where = ["m.deleted_at IS NULL"];
  const params: SqlValue[] = [];
  let join = "";
  if (q.keyword) {
    const like = likeLiteral(q.keyword);
    where.push(
      "(m.model_name LIKE ? ESCAPE '!' OR m.description LIKE ? ESCAPE '!' OR m.tags LIKE ? ESCAPE '!')",
    );
    params.push(like, like, like);
  }
  if (q.vendor) {
    if (/^\d{1,15}$/.test(q.vendor)) {
      where.push("m.vendor_id = ?");
      params.push(Number(q.vendor));
    } else {
      join = "JOIN vendors v ON v.id = m.vendor_id AND v.deleted_at IS NULL";
      where.push("v.name LIKE ? ESCAPE '!'");
      params.push(likeLiteral(q.vendor));
    }
  }
  if (q.status !== undefined) {
    where.push("m.status = ?");
    params.push(q.status);
  }
  if (q.syncOfficial !== undefined) {
    where.push("m.sync_official = ?");
    params.push(q.syncOfficial);
  }
  const from = `FROM models m ${join} WHERE ${where.join(" AND ")}`;
  const total = asInt((await queryOne(db, `SELECT COUNT(*) AS n ${from}`, params))?.n);
  const columns = MODEL_COLUMNS.split(", ").map((c) => `m.${c}`).join(", ");
  const rows = await db.query(`SELECT ${columns} ${from} ORDER BY m.id DESC LIMIT ? OFFSET ?`, [
    ...params,
    q.limit,
    q.offset,
  ]);
  return { items: rows.map(modelFromRow), total };
}

/** Rows not deleted per vendor id (0 = no vendor), over the whole table. */
export async function vendorModelCounts(db: Db): Promise<Map<number, number>> {
  const rows = await db.query(
    "SELECT vendor_id, COUNT(*) AS n FROM models WHERE deleted_at IS NULL GROUP BY vendor_id",
  );
  return new Map(rows.map((r) => [asInt(r.vendor_id), asInt(r.n)]));
}

/** Inserts a model; throws DuplicateName when a row not deleted already has its name. */
export async function insertModelMeta(db: Db, fields: ModelFields): Promise<number> {
  return await db.transaction(async (tx) => {
    await lockTransaction(tx, MODEL_NAME_LOCK);
    if (await nameTaken(tx, "models", "model_name", fields.modelName, 0)) throw new DuplicateName();
    const now = nowSeconds();
    return await insertReturningId(
      tx,
      `INSERT INTO models (model_name, description, icon, tags, vendor_id, endpoints, status, sync_official,
         created_time, updated_time, name_rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        fields.modelName,
        fields.description,
        fields.icon,
        fields.tags,
        fields.vendorId,
        fields.endpoints,
        fields.status,
        fields.syncOfficial,
        now,
        now,
        fields.nameRule,
      ],
    );
  });
}

/** Updates the given fields; false when no such row. Throws DuplicateName for a name another row has. */
export function updateModelMeta(db: Db, id: number, patch: Partial<ModelFields>): Promise<boolean> {
  return updateNamed(db, MODELS, id, patch);
}

/** Soft delete; false when there was no such row. */
export function deleteModelMeta(db: Db, id: number): Promise<boolean> {
  return softDelete(db, MODELS, id);
}

/** Models an enabled ability serves that have no metadata row (New API's GetMissingModels), sorted. */
export async function missingModels(db: Db): Promise<string[]> {
  const rows = await db.query(
    `SELECT DISTINCT a.model AS model FROM abilities a
     WHERE a.enabled = ? AND NOT EXISTS (
       SELECT 1 FROM models m WHERE m.model_name = a.model AND m.deleted_at IS NULL)`,
    [true],
  );
  return rows.map((r) => text(r.model)).sort();
}

/** Channels with an enabled ability per model name: New API's `bound_channels` ({name, type}, distinct). */
export async function boundChannels(
  db: Db,
  modelNames: string[],
): Promise<Map<string, { name: string; type: number }[]>> {
  const out = new Map<string, { name: string; type: number }[]>();
  const names = [...new Set(modelNames)];
  for (let i = 0; i < names.length; i += 500) {
    const chunk = names.slice(i, i + 500);
    const rows = await db.query(
      `SELECT DISTINCT a.model AS model, c.name AS name, c.type AS type FROM abilities a
       JOIN channels c ON c.id = a.channel_id
       WHERE a.enabled = ? AND a.model IN (${chunk.map(() => "?").join(", ")})
       ORDER BY a.model, c.name, c.type`,
      [true, ...chunk],
    );
    for (const r of rows) {
      const list = out.get(text(r.model)) ?? [];
      list.push({ name: text(r.name), type: asInt(r.type) });
      out.set(text(r.model), list);
    }
  }
  return out;
}

// ---- vendors ----

export async function getVendor(db: Db, id: number): Promise<Vendor | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${VENDOR_COLUMNS} FROM vendors WHERE id = ? AND deleted_at IS NULL`,
    [
      id,
    ],
  );
  return row ? vendorFromRow(row) : undefined;
}

export async function getVendorByName(db: Db, name: string): Promise<Vendor | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${VENDOR_COLUMNS} FROM vendors WHERE name = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`,
    [name],
  );
  return row ? vendorFromRow(row) : undefined;
}

/** Vendors with these ids (deleted ones left out). */
export async function vendorsByIds(db: Db, ids: number[]): Promise<Vendor[]> {
  const unique = [...new Set(ids)].filter((id) => id > 0);
  if (unique.length === 0) return [];
  const rows = await db.query(
    `SELECT ${VENDOR_COLUMNS} FROM vendors WHERE deleted_at IS NULL AND id IN (${
      unique.map(() => "?").join(", ")
    })`,
    unique,
  );
  return rows.map(vendorFromRow);
}

/**
 * A page of vendors. Without a keyword in id order (New API's list); with one (a fragment of the name or
 * description) newest first (its search).
 */
export async function listVendors(
  db: Db,
  q: { offset: number; limit: number; keyword?: string },
): Promise<{ items: Vendor[]; total: number }> {
  const where = ["deleted_at IS NULL"];
  const params: SqlValue[] = [];
  if (q.keyword) {
    const like = likeLiteral(q.keyword);
    where.push("(name LIKE ? ESCAPE '!' OR description LIKE ? ESCAPE '!')");
    params.push(like, like);
  }
  const clause = where.join(" AND ");
  const total = asInt((await queryOne(db, `SELECT COUNT(*) AS n FROM vendors WHERE ${clause}`, params))?.n);
  const order = q.keyword ? "id DESC" : "id";
  const rows = await db.query(
    `SELECT ${VENDOR_COLUMNS} FROM vendors WHERE ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...params, q.limit, q.offset],
  );
  return { items: rows.map(vendorFromRow), total };
}

/** Inserts a vendor; throws DuplicateName when a row not deleted already has its name. */
export async function insertVendor(db: Db, fields: VendorFields): Promise<number> {
  return await db.transaction(async (tx) => {
    await lockTransaction(tx, VENDOR_NAME_LOCK);
    if (await nameTaken(tx, "vendors", "name", fields.name, 0)) throw new DuplicateName();
    const now = nowSeconds();
    return await insertReturningId(
      tx,
      `INSERT INTO vendors (name, description, icon, status, created_time, updated_time) VALUES (?, ?, ?, ?, ?, ?)`,
      [fields.name, fields.description, fields.icon, fields.status, now, now],
    );
  });
}

export function updateVendor(db: Db, id: number, patch: Partial<VendorFields>): Promise<boolean> {
  return updateNamed(db, VENDORS, id, patch);
}

/** Soft delete; false when there was no such row. Models keep their `vendor_id`, as in New API. */
export function deleteVendor(db: Db, id: number): Promise<boolean> {
  return softDelete(db, VENDORS, id);
}
