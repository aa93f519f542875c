/**
 * Session tables. `console_sessions` is ours: one row per browser login, found by the keyed hash of the
 * cookie's random id, tied to the user's `auth_version` at login so password, role and status changes end
 * every session at once. `user_sessions` is New API's (its refresh-token sessions, in GORM's shape): kept
 * so a New API database adopts cleanly and New API finds its table again after a rollback. Our tables
 * never take a New API table's name (migration 0002 moves an earlier `user_sessions` of ours aside).
 */
import type { Table } from "./table.ts";

export const consoleSessions: Table = {
  name: "console_sessions",
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
    // What New API's session list shows (GET /api/user/sessions): a public id, the address, the method.
    { name: "sid", type: "varchar(64)", default: "" },
    { name: "ip", type: "varchar(64)", default: "" },
    { name: "login_method", type: "varchar(32)", default: "" },
  ],
  indexes: [
    { name: "idx_console_sessions_session_hash", columns: ["session_hash"], unique: true },
    { name: "idx_console_sessions_sid", columns: ["sid"] },
    { name: "idx_console_sessions_user_id", columns: ["user_id"] },
    { name: "idx_console_sessions_expires_at", columns: ["expires_at"] },
  ],
};

/** New API's `user_sessions` (model/user_session.go), unused by this gateway. */
export const newApiUserSessions: Table = {
  name: "user_sessions",
  columns: [
    { name: "sid", type: "varchar(64)", notNull: true },
    { name: "user_id", type: "int", notNull: true },
    { name: "version", type: "int", notNull: true, default: 1 },
    { name: "user_auth_version", type: "int", notNull: true, default: 0 },
    { name: "status", type: "varchar(16)", notNull: true, default: "" },
    { name: "refresh_hash", type: "char(64)", notNull: true, default: "" },
    { name: "previous_refresh_hash", type: "varchar(64)" },
    { name: "previous_valid_until", type: "int", notNull: true, default: 0 },
    { name: "login_method", type: "varchar(32)", notNull: true, default: "" },
    { name: "ip", type: "varchar(64)" },
    { name: "user_agent", type: "text" },
    { name: "created_at", type: "int" },
    { name: "last_active_at", type: "int", notNull: true, default: 0 },
    { name: "expires_at", type: "int", notNull: true, default: 0 },
    { name: "revoked_at", type: "int", notNull: true, default: 0 },
    { name: "revoked_reason", type: "varchar(64)" },
  ],
  primaryKey: ["sid"],
  indexes: [
    { name: "idx_user_sessions_user_status_expiry", columns: ["user_id", "status", "expires_at"] },
    { name: "idx_user_sessions_user_created", columns: ["user_id", "created_at"] },
    { name: "idx_user_sessions_status_revoked", columns: ["status", "revoked_at"] },
    { name: "idx_user_sessions_expires_at", columns: ["expires_at"] },
  ],
};
