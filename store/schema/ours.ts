/** Tables of ours that New API does not have (added next to its tables, never replacing them). */
import type { Table } from "./table.ts";

/** Background jobs run on one instance at a time: whoever holds the unexpired lease. */
export const jobLeases: Table = {
  name: "job_leases",
  columns: [
    { name: "name", type: "varchar(100)", notNull: true },
    { name: "holder", type: "varchar(100)", notNull: true, default: "" },
    { name: "expires_at", type: "int", notNull: true, default: 0 },
  ],
  primaryKey: ["name"],
};

/**
 * The change feed for stores without LISTEN/NOTIFY (MySQL): every cache-invalidating write appends a row,
 * every instance polls for ids above the last it saw (store/cache/change_feed.ts). Rows are pruned by age.
 */
export const cacheChanges: Table = {
  name: "cache_changes",
  columns: [
    { name: "id", type: "id" },
    { name: "payload", type: "text", notNull: true },
    { name: "created_at", type: "int", notNull: true },
  ],
  indexes: [{ name: "idx_cache_changes_created_at", columns: ["created_at"] }],
};

export const ourTables: Table[] = [jobLeases, cacheChanges];
