/**
 * New API's `system_instances`: one row per running node (NODE_NAME), its start time, last heartbeat and a
 * small JSON snapshot (`info`), so root can see which instances are alive. A node is stale after 90 s
 * without a heartbeat (New API's SystemInstanceStaleAfterSeconds; the heartbeat runs every 30 s).
 */
import { asInt, type Db, upsertSql } from "./db.ts";

export const STALE_AFTER_SECONDS = 90;

export interface SystemInstance {
  nodeName: string;
  info: string;
  startedAt: number;
  lastSeenAt: number;
}

/** Writes or refreshes this node's heartbeat. */
export async function upsertSystemInstance(db: Db, i: SystemInstance, now: number): Promise<void> {
  await db.exec(
    upsertSql(
      db.dialect,
      "system_instances",
      ["node_name", "info", "started_at", "last_seen_at", "created_at", "updated_at"],
      ["node_name"],
      ["info", "started_at", "last_seen_at", "updated_at"],
    ),
    [i.nodeName, i.info, i.startedAt, i.lastSeenAt, now, now],
  );
}

/** Every node, newest heartbeat first. */
export async function listSystemInstances(db: Db): Promise<SystemInstance[]> {
  const rows = await db.query(
    "SELECT node_name, info, started_at, last_seen_at FROM system_instances ORDER BY last_seen_at DESC",
  );
  return rows.map((r) => ({
    nodeName: String(r.node_name),
    info: String(r.info ?? ""),
    startedAt: asInt(r.started_at),
    lastSeenAt: asInt(r.last_seen_at),
  }));
}

/** Deletes every stale node; returns how many. */
export async function deleteStaleSystemInstances(db: Db, now: number): Promise<number> {
  return (await db.exec("DELETE FROM system_instances WHERE last_seen_at < ?", [now - STALE_AFTER_SECONDS]))
    .changes;
}

/** Deletes one node if it is stale (a live node would only write itself back). */
export async function deleteStaleSystemInstance(db: Db, nodeName: string, now: number): Promise<boolean> {
  const result = await db.exec("DELETE FROM system_instances WHERE node_name = ? AND last_seen_at < ?", [
    nodeName,
    now - STALE_AFTER_SECONDS,
  ]);
  return result.changes > 0;
}
