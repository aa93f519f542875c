/**
 * Declarative table definitions and their DDL for each dialect. The schema is only ever extended:
 * a missing table is created, a missing column is added, a missing index is created. Nothing is
 * renamed or dropped, so a New API database can be adopted in place. On MySQL the types are the ones
 * New API's GORM creates there (bigint, longtext, varchar(191) for keyed strings, boolean, datetime(3)).
 */
import type { Dialect } from "../db.ts";

export type ColumnType =
  | "id"
  | "int"
  | "text"
  | "bool"
  | "float"
  | "json"
  | "timestamp"
  | `varchar(${number})`
  | `char(${number})`;

export interface Column {
  name: string;
  type: ColumnType;
  default?: string | number | boolean;
  notNull?: boolean;
}

export interface Index {
  name: string;
  columns: string[];
  unique?: boolean;
}

export interface Table {
  name: string;
  columns: Column[];
  /** Composite primary key; tables with an `id` column use it instead. */
  primaryKey?: string[];
  indexes?: Index[];
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * GORM on MySQL gives a string without a size `varchar(191)` when it is keyed (primary key, index) or has a
 * default, and `longtext` otherwise: 191 utf8mb4 characters fit InnoDB's key limit, and TEXT columns can
 * neither be indexed without a prefix length nor take a plain DEFAULT on MySQL.
 */
function mysqlTypeSql(type: ColumnType, keyed: boolean): string {
  switch (type) {
    case "id":
      return "bigint AUTO_INCREMENT PRIMARY KEY";
    case "int":
      return "bigint";
    case "text":
      return keyed ? "varchar(191)" : "longtext";
    case "bool":
      return "boolean";
    case "float":
      return "double";
    case "json":
      // GORM says `json`; longtext (what MariaDB's json is) also takes the empty strings we may write.
      return "longtext";
    case "timestamp":
      return "datetime(3)";
    default:
      return type;
  }
}

function typeSql(type: ColumnType, dialect: Dialect, keyed: boolean): string {
  if (dialect === "mysql") return mysqlTypeSql(type, keyed);
  if (dialect === "postgres") {
    switch (type) {
      case "id":
        return "bigserial PRIMARY KEY";
      case "int":
        return "bigint";
      case "text":
        return "text";
      case "bool":
        return "boolean";
      case "float":
        return "numeric";
      case "json":
        return "text";
      case "timestamp":
        return "timestamptz";
      default:
        return type;
    }
  }
  switch (type) {
    case "id":
      return "INTEGER PRIMARY KEY AUTOINCREMENT";
    case "int":
    case "bool":
      return "INTEGER";
    case "float":
      return "REAL";
    case "timestamp":
      return "DATETIME";
    default:
      return "TEXT";
  }
}

/** Columns that are part of a key of `table` (its primary key or an index). */
function keyedColumns(table: Table): Set<string> {
  return new Set([...(table.primaryKey ?? []), ...(table.indexes ?? []).flatMap((i) => i.columns)]);
}

function defaultSql(column: Column, dialect: Dialect): string {
  const d = column.default;
  if (d === undefined) return "";
  if (typeof d === "boolean") return ` DEFAULT ${dialect === "sqlite" ? (d ? 1 : 0) : String(d)}`;
  if (typeof d === "number") return ` DEFAULT ${d}`;
  return ` DEFAULT '${d.replaceAll("'", "''")}'`;
}

/** One column's definition; `keyed` says it is part of a key or has a default (MySQL: varchar, not longtext). */
export function columnSql(column: Column, dialect: Dialect, keyed = false): string {
  const notNull = column.notNull && column.type !== "id" ? " NOT NULL" : "";
  const type = typeSql(column.type, dialect, keyed || column.default !== undefined);
  return `${quoteIdent(column.name)} ${type}${notNull}${defaultSql(column, dialect)}`;
}

export function createTableSql(table: Table, dialect: Dialect): string {
  const keyed = keyedColumns(table);
  const parts = table.columns.map((c) => columnSql(c, dialect, keyed.has(c.name)));
  if (table.primaryKey) parts.push(`PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(", ")})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table.name)} (\n  ${parts.join(",\n  ")}\n)`;
}

export function addColumnSql(table: Table, column: Column, dialect: Dialect): string {
  // SQLite cannot add a NOT NULL column without a default; keep added columns nullable there.
  const col = dialect === "sqlite" && column.default === undefined ? { ...column, notNull: false } : column;
  return `ALTER TABLE ${quoteIdent(table.name)} ADD COLUMN ${
    columnSql(col, dialect, keyedColumns(table).has(column.name))
  }`;
}

/** CREATE INDEX; MySQL has no IF NOT EXISTS there, so the caller skips the indexes it already has. */
export function createIndexSql(table: Table, index: Index, dialect: Dialect): string {
  const unique = index.unique ? "UNIQUE " : "";
  const ifNotExists = dialect === "mysql" ? "" : "IF NOT EXISTS ";
  return `CREATE ${unique}INDEX ${ifNotExists}${quoteIdent(index.name)} ON ${quoteIdent(table.name)} (${
    index.columns.map(quoteIdent).join(", ")
  })`;
}
