/**
 * Cache changes between instances on a store without LISTEN/NOTIFY (MySQL/MariaDB): `send` appends the
 * message to `cache_changes`; a subscriber polls for the rows after the last id it took every `pollMs`
 * (one primary-key range read) and prunes rows older than ten minutes about once a minute.
 */
import { asInt, type Db, nowSeconds } from "../db.ts";
import { advance, cursorAt, readAfter } from "./feed_cursor.ts";
import { log } from "../../server/logger.ts";

/** Rows read per query; a fuller read is followed at once by the next. */
const BATCH = 500;
/** How long a hole in the ids is read again in case its insert is still to commit. */
const HOLE_GRACE_MS = 5_000;
const PRUNE_EVERY_MS = 60_000;
const RETENTION_SECONDS = 600;

export class ChangeFeed {
  constructor(private readonly db: Db, private readonly pollMs: number) {}

  async send(message: string): Promise<void> {
    await this.db.exec("INSERT INTO cache_changes (payload, created_at) VALUES (?, ?)", [
      message,
      nowSeconds(),
    ]);
  }

  /** Starts after the current last row (older changes are in what the caller loads next). */
  async subscribe(onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const cursor = cursorAt(await this.#maxId());
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running: Promise<void> | undefined;
    let stopped = false;
    let failing = false;
    let prunedAt = Date.now();
    const tick = async () => {
      try {
        let after = readAfter(cursor);
        for (;;) {
          const rows = (await this.db.query<{ id: unknown; payload: string }>(
            `SELECT id, payload FROM cache_changes WHERE id > ? ORDER BY id LIMIT ${BATCH}`,
            [after],
          )).map((r) => ({ id: asInt(r.id), payload: String(r.payload) }));
          for (const row of advance(cursor, rows, Date.now(), HOLE_GRACE_MS)) onMessage(row.payload);
          if (rows.length < BATCH) break;
          after = rows[rows.length - 1].id;
        }
        if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
          prunedAt = Date.now();
          await this.prune();
        }
        if (failing) log.info("cache change feed readable again");
        failing = false;
      } catch (err) {
        // Logged once per outage, not every poll; the periodic resync still runs.
        if (!failing) log.warn("cache change feed read failed", { error: String(err) });
        failing = true;
      }
      if (!stopped) schedule();
    };
    const schedule = () => {
      timer = setTimeout(() => running = tick(), this.pollMs);
      Deno.unrefTimer(timer);
    };
    schedule();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    };
  }

  async #maxId(): Promise<number> {
    const [row] = await this.db.query<{ id: unknown }>("SELECT MAX(id) AS id FROM cache_changes");
    return asInt(row?.id);
  }

  /**
   * Deletes rows older than ten minutes (subscribers do it about once a minute). The newest row is kept: MySQL before 8.0 sets AUTO_INCREMENT to MAX(id) + 1 when the server restarts,
   * and an emptied table would then hand out ids the readers have passed already.
   */
  async prune(now = nowSeconds()): Promise<void> {
    await this.db.exec("DELETE FROM cache_changes WHERE created_at < ? AND id < ?", [
      now - RETENTION_SECONDS,
      await this.#maxId(),
    ]);
  }
}
