/** Every table the gateway uses, New API's first. Add a table by adding a module and listing it here. */
import type { Table } from "./table.ts";
import { logs, newApiTables } from "./new_api.ts";
import { newApiFeatureTables } from "./new_api_features.ts";
import { ourTables } from "./ours.ts";
import { billingTables } from "./billing.ts";
import { consoleSessions, newApiUserSessions } from "./sessions.ts";

export const allTables: Table[] = [
  ...newApiTables,
  ...newApiFeatureTables,
  ...ourTables,
  ...billingTables,
  consoleSessions,
  newApiUserSessions,
];

/** The tables a separate log database (LOG_SQL_DSN) holds. */
export const logTables: Table[] = [logs];
