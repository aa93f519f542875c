/**
 * Log rows that belong with a change to the main store (a consume row with its charge, a top-up row with
 * its credit). When the logs live in the main store (LOG_SQL_DSN unset) they are written in the change's
 * own transaction, so both or neither are kept. In a separate log database they cannot be: they are
 * written there right after the commit, as New API does. If that write fails the change is kept; given the
 * LogQueue of the log database, the rows are handed to it to be retried, else they are logged and lost.
 */
import type { Db } from "./db.ts";
import { insertLog, insertLogs, type NewLog } from "./logs.ts";
import { LogQueue } from "./log_queue.ts";
import { log } from "../server/logger.ts";

/** The log database, or the LogQueue that writes to it (which retries a failed write). */
export type LogTarget = Db | LogQueue;

/** Adds a log row to the change being made (see the module comment for where and when it is written). */
export type AddLog = (row: NewLog) => Promise<unknown>;

export async function transactionWithLogs<T>(
  db: Db,
  logs: LogTarget,
  work: (tx: Db, addLog: AddLog) => Promise<T>,
): Promise<T> {
  const logDb = logs instanceof LogQueue ? logs.db : logs;
  if (logDb === db) return await db.transaction((tx) => work(tx, (row) => insertLog(tx, row)));
  let rows: NewLog[] = [];
  const result = await db.transaction((tx) => {
    rows = [];
    return work(tx, (row) => {
      rows.push({ ...row, createdAt: row.createdAt ?? Math.floor(Date.now() / 1000) });
      return Promise.resolve();
    });
  });
  if (rows.length > 0) {
    await insertLogs(logDb, rows).catch((err) => {
      const retried = logs instanceof LogQueue;
      log.error("writing log rows to the log database failed; the change they record is kept", {
        rows: rows.length,
        retried,
        error: String(err),
      });
      if (retried) { for (const row of rows) logs.push(row); }
    });
  }
  return result;
}
