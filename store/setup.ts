/**
 * First-run setup: whether it happened (a `setups` row or a root user, as New API decides) and the one
 * transaction that creates the root user, the operating-mode options and the `setups` row. Concurrent
 * attempts serialise on a lock, so exactly one root is ever created this way.
 */
import { asInt, type Db, lockTransaction, nowSeconds, queryOne, upsertSql } from "./db.ts";
import { insertUser, Role, UserStatus } from "./users.ts";

/** Arbitrary constant naming the setup lock among PostgreSQL advisory locks. */
const SETUP_LOCK = 720_431_979;

export const ROOT_INITIAL_QUOTA = 100_000_000;

export async function setupState(db: Db): Promise<{ setUp: boolean; rootExists: boolean }> {
  const row = await queryOne<{ setups: unknown; roots: unknown }>(
    db,
    `SELECT (SELECT COUNT(*) FROM setups) AS setups,
       (SELECT COUNT(*) FROM users WHERE role = ? AND deleted_at IS NULL) AS roots`,
    [Role.root],
  );
  const rootExists = asInt(row?.roots) > 0;
  return { setUp: asInt(row?.setups) > 0 || rootExists, rootExists };
}

export interface SetupInput {
  username: string;
  passwordHash: string;
  selfUseModeEnabled: boolean;
  demoSiteEnabled: boolean;
  version: string;
}

/** Creates the root user and marks setup done; `locked` when setup already happened. */
export async function completeSetup(
  db: Db,
  input: SetupInput,
): Promise<{ ok: true; rootId: number } | { ok: false; reason: "locked" }> {
  return await db.transaction(async (tx) => {
    // Two READ COMMITTED transactions would both see "no root yet" (SQLite's BEGIN IMMEDIATE needs no lock).
    await lockTransaction(tx, SETUP_LOCK);
    if ((await setupState(tx)).setUp) return { ok: false, reason: "locked" } as const;
    const rootId = await insertUser(tx, {
      username: input.username,
      passwordHash: input.passwordHash,
      displayName: "Root User",
      role: Role.root,
      status: UserStatus.enabled,
      quota: ROOT_INITIAL_QUOTA,
    });
    for (
      const [key, value] of [
        ["SelfUseModeEnabled", String(input.selfUseModeEnabled)],
        ["DemoSiteEnabled", String(input.demoSiteEnabled)],
      ]
    ) {
      await tx.exec(
        upsertSql(tx.dialect, "options", ['"key"', "value"], ['"key"'], ["value"]),
        [key, value],
      );
    }
    await tx.exec("INSERT INTO setups (version, initialized_at) VALUES (?, ?)", [
      input.version,
      nowSeconds(),
    ]);
    return { ok: true, rootId } as const;
  });
}
