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

export const ourTables: Table[] = [jobLeases];
