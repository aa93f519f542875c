/**
 * Declarative table definitions and their DDL for both dialects. The schema is only ever extended:
 * a missing table is created, a missing column is added, a missing index is created. Nothing is
 * renamed or dropped, so a New API database can be adopted in place.
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

function typeSql(type: ColumnType, dialect: Dialect): string {
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

function defaultSql(column: Column, dialect: Dialect): string {
  const d = column.default;
  if (d === undefined) return "";
  if (typeof d === "boolean") return ` DEFAULT ${dialect === "postgres" ? String(d) : d ? 1 : 0}`;
  if (typeof d === "number") return ` DEFAULT ${d}`;
  return ` DEFAULT '${d.replaceAll("'", "''")}'`;
}

export function columnSql(column: Column, dialect: Dialect): string {
  const notNull = column.notNull && column.type !== "id" ? " NOT NULL" : "";
  return `${quoteIdent(column.name)} ${typeSql(column.type, dialect)}${notNull}${
    defaultSql(column, dialect)
  }`;
}

export function createTableSql(table: Table, dialect: Dialect): string {
  const parts = table.columns.map((c) => columnSql(c, dialect));
  if (table.primaryKey) parts.push(`PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(", ")})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table.name)} (\n  ${parts.join(",\n  ")}\n)`;
}

export function addColumnSql(table: Table, column: Column, dialect: Dialect): string {
  // SQLite cannot add a NOT NULL column without a default; keep added columns nullable there.
  const col = dialect === "sqlite" && column.default === undefined ? { ...column, notNull: false } : column;
  return `ALTER TABLE ${quoteIdent(table.name)} ADD COLUMN ${columnSql(col, dialect)}`;
}

export function createIndexSql(table: Table, index: Index): string {
  const unique = index.unique ? "UNIQUE " : "";
  return `CREATE ${unique}INDEX IF NOT EXISTS ${quoteIdent(index.name)} ON ${quoteIdent(table.name)} (${
    index.columns.map(quoteIdent).join(", ")
  })`;
}
