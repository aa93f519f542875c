/**
 * Earlier versions kept console sessions in a table called `user_sessions`, the name New API gives its
 * own (other-shaped) session table, so a database last run by New API could not be migrated. Runs before
 * the schema sync: a `user_sessions` of ours (it has `session_hash`) becomes `console_sessions`, and its
 * indexes are dropped because their names are New API's too (the sync recreates ours under new names).
 * New API's `user_sessions` is left as it is.
 */
import type { Migration } from "../migrate.ts";
import { dropIndexIfExists, existingColumns } from "../migrate.ts";

const oldIndexes = [
  "idx_user_sessions_session_hash",
  "idx_user_sessions_user_id",
  "idx_user_sessions_expires_at",
];

export const consoleSessionsOwnTable: Migration = {
  id: "0002_console_sessions_own_table",
  beforeSchema: true,
  async up(tx) {
    const tables = await existingColumns(tx);
    if (!tables.get("user_sessions")?.has("session_hash") || tables.has("console_sessions")) return;
    await tx.exec('ALTER TABLE "user_sessions" RENAME TO "console_sessions"');
    for (const name of oldIndexes) await dropIndexIfExists(tx, "console_sessions", name);
  },
};
