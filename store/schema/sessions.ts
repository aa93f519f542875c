/**
 * Our console login sessions (not a New API table): one row per browser login, found by the keyed hash
 * of the cookie's random id, tied to the user's `auth_version` at login so password, role and status
 * changes end every session at once.
 */
import type { Table } from "./table.ts";

export const userSessions: Table = {
  name: "user_sessions",
  columns: [
    { name: "id", type: "id" },
    { name: "user_id", type: "int", notNull: true },
    { name: "session_hash", type: "varchar(80)", notNull: true },
    { name: "auth_version", type: "int", notNull: true, default: 1 },
    { name: "created_at", type: "int", notNull: true },
    { name: "last_seen_at", type: "int", notNull: true },
    { name: "expires_at", type: "int", notNull: true },
    { name: "revoked_at", type: "int" },
    { name: "user_agent", type: "varchar(255)", default: "" },
  ],
  indexes: [
    { name: "idx_user_sessions_session_hash", columns: ["session_hash"], unique: true },
    { name: "idx_user_sessions_user_id", columns: ["user_id"] },
    { name: "idx_user_sessions_expires_at", columns: ["expires_at"] },
  ],
};
