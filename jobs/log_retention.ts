/**
 * Log retention: when the `LogRetentionDays` option is above 0, consume and error rows older than that many
 * days are deleted from the log database (`deps.logDb`, which LOG_SQL_DSN may put apart from the main store),
 * a bounded batch per statement, through `jobs/scheduler.ts` so one instance runs it per interval. Other log
 * types (top-ups, refunds, management, logins) are the audit trail and stay.
 */
import type { Job } from "./scheduler.ts";
import { optionRegistry } from "../options/index.ts";
import type { OptionSource } from "../options/registry.ts";
import { deleteLogsBefore, LogType } from "../store/logs.ts";
import { type Db, nowSeconds } from "../store/db.ts";
import { log } from "../server/logger.ts";

/** Rows per DELETE: small enough that a table of tens of GB is never locked for long by one statement. */
export const LOG_RETENTION_BATCH = 5000;
export const LOG_RETENTION_TYPES: readonly number[] = [LogType.consume, LogType.error];

export interface LogRetentionOptions {
  /** How often an instance tries to take the lease and prune (default hourly). */
  tickMs?: number;
  batch?: number;
  /** Seconds since the epoch (tests move the clock). */
  now?: () => number;
}

/** Deletes the consume and error rows older than `days` days before `now`; 0 days deletes nothing. */
export async function pruneOldLogs(
  logDb: Db,
  days: number,
  now: number,
  batch = LOG_RETENTION_BATCH,
): Promise<number> {
  if (days <= 0) return 0;
  return await deleteLogsBefore(logDb, now - days * 86_400, { batch, types: LOG_RETENTION_TYPES });
}

export function logRetentionJob(
  deps: { logDb: Db; catalog: OptionSource },
  opts: LogRetentionOptions = {},
): Job {
  return {
    name: "log_retention",
    intervalMs: opts.tickMs ?? 3_600_000,
    async run() {
      const days = optionRegistry.int(deps.catalog, "LogRetentionDays");
      if (days <= 0) return;
      const removed = await pruneOldLogs(deps.logDb, days, (opts.now ?? nowSeconds)(), opts.batch);
      log.info("log retention pruned old consume and error logs", { removed, days });
    },
  };
}
