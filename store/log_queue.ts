/**
 * Batched writer for log rows that carry no money (error and system rows): queued off the hot path,
 * written with multi-row inserts every second or every 200 rows, and flushed at shutdown. Bounded: past
 * 10,000 queued rows new ones are dropped and counted, so a database outage cannot exhaust memory.
 */
import type { Db } from "./db.ts";
import { insertLogs, type NewLog } from "./logs.ts";
import { log } from "../server/logger.ts";

export class LogQueue {
  #rows: NewLog[] = [];
  #timer?: ReturnType<typeof setTimeout>;
  #flushing: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(
    readonly db: Db,
    private readonly opts: { intervalMs?: number; batch?: number; max?: number } = {},
  ) {}

  push(row: NewLog): void {
    if (this.#rows.length >= (this.opts.max ?? 10_000)) {
      this.dropped++;
      return;
    }
    this.#rows.push({ ...row, createdAt: row.createdAt ?? Math.floor(Date.now() / 1000) });
    if (this.#rows.length >= (this.opts.batch ?? 200)) void this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush(), this.opts.intervalMs ?? 1000);
      Deno.unrefTimer(this.#timer);
    }
  }

  get pending(): number {
    return this.#rows.length;
  }

  /** Writes everything queued so far; failures are logged and the rows kept for the next flush. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(async () => {
      const rows = this.#rows;
      if (rows.length === 0) return;
      this.#rows = [];
      try {
        await insertLogs(this.db, rows);
      } catch (err) {
        log.error("writing queued log rows failed; will retry", { rows: rows.length, error: String(err) });
        this.#rows = rows.concat(this.#rows).slice(0, this.opts.max ?? 10_000);
      }
    });
    return this.#flushing;
  }
}
