/**
 * New API names its own session table `user_sessions`; ours is `console_sessions`. A database last run
 * by New API migrates (it failed with "Cannot add a PRIMARY KEY column" / "multiple primary keys"), and
 * one made by an earlier version of this gateway has its sessions moved aside, not lost.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { existingColumns, migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { createTableSql, type Table } from "../../store/schema/table.ts";
import { findSession, insertSession } from "../../store/sessions.ts";
import { getChannel } from "../../store/channels.ts";

/** The session table as earlier versions of this gateway created it. */
const ourOldUserSessions: Table = {
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

const later = () => Math.floor(Date.now() / 1000) + 3600;

storeTest("a database with New API's user_sessions table migrates and keeps its rows", async (f) => {
  const db = await f.open();
  try {
    // As GORM creates it (model/user_session.go): a varchar primary key `sid`, no `id`.
    await db.exec(`CREATE TABLE user_sessions (
      sid varchar(64) PRIMARY KEY, user_id bigint NOT NULL, version bigint NOT NULL DEFAULT 1,
      user_auth_version bigint NOT NULL, status varchar(16) NOT NULL, refresh_hash char(64) NOT NULL,
      previous_refresh_hash varchar(64), previous_valid_until bigint NOT NULL DEFAULT 0,
      login_method varchar(32) NOT NULL, ip varchar(64), user_agent text, created_at bigint,
      last_active_at bigint NOT NULL, expires_at bigint NOT NULL, revoked_at bigint NOT NULL DEFAULT 0,
      revoked_reason varchar(64))`);
    await db.exec("CREATE INDEX idx_user_sessions_expires_at ON user_sessions (expires_at)");
    await db.exec(
      `INSERT INTO user_sessions (sid, user_id, user_auth_version, status, refresh_hash, login_method,
       last_active_at, expires_at) VALUES ('sid-1', 1, 1, 'active', ?, 'password', 1, ?)`,
      ["a".repeat(64), later()],
    );
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    const rows = await db.query<{ sid: string; status: string }>("SELECT sid, status FROM user_sessions");
    assertEquals(rows, [{ sid: "sid-1", status: "active" }]);
    const id = await insertSession(db, {
      userId: 1,
      hash: "h",
      authVersion: 1,
      expiresAt: later(),
      userAgent: "",
    });
    assertEquals((await findSession(db, "h"))?.id, id);
    assertEquals((await migrate(db, allTables, migrations, { secrets: testSecrets })).applied, []);
  } finally {
    await db.close();
  }
});

storeTest("sessions in this gateway's old user_sessions table move to console_sessions", async (f) => {
  const db = await f.open();
  try {
    await db.exec(createTableSql(ourOldUserSessions, db.dialect));
    for (const index of ourOldUserSessions.indexes!) {
      await db.exec(
        `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${index.name} ON user_sessions (${index.columns})`,
      );
    }
    await db.exec(
      `INSERT INTO user_sessions (user_id, session_hash, auth_version, created_at, last_seen_at, expires_at)
       VALUES (7, 'old-hash', 3, 1, 1, ?)`,
      [later()],
    );
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    const moved = await findSession(db, "old-hash");
    assertEquals([moved?.userId, moved?.authVersion], [7, 3]);
    const tables = await existingColumns(db);
    assert(tables.get("user_sessions")?.has("sid"), "New API's user_sessions now exists in its own shape");
    assert(!tables.get("user_sessions")?.has("session_hash"));
  } finally {
    await db.close();
  }
});

storeTest("a channel's organization written to the old openai_organization column is read", async (f) => {
  const db = await f.open();
  try {
    await migrate(db, allTables, [], { secrets: testSecrets });
    await db.exec("ALTER TABLE channels ADD COLUMN openai_organization text");
    await db.exec(
      `INSERT INTO channels (type, name, "key", models, "group", openai_organization)
       VALUES (1, 'c', '', 'm', 'default', 'org-legacy')`,
    );
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    const [{ id }] = await db.query<{ id: number }>("SELECT id FROM channels");
    assertEquals((await getChannel(db, Number(id)))?.openaiOrganization, "org-legacy");
  } finally {
    await db.close();
  }
});
