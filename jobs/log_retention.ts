/**
 * Log retention: when the `LogRetentionDays` option is above 0, consume and error rows older than that many
 * days are deleted from the log database (`deps.logDb`, which LOG_SQL_DSN may put apart from the main store),
 * a bounded batch per statement, through `jobs/scheduler.ts` so one instance runs it per interval. A run stops
 * after a bounded number of batches so it never outlasts its lease (the interval); a backlog goes over several
 * runs. Other log types (top-ups, refunds, management, system, logins) are the audit trail and stay.
 */
import type { Job } from "./scheduler.ts";
import { optionRegistry } from "../options/index.ts";
import type { OptionSource } from "../options/registry.ts";
import { deleteLogsBefore, LogType } from "../store/logs.ts";
import { type Db, nowSeconds } from "../store/db.ts";
import { log } from "../server/logger.ts";

/** Rows per DELETE: small enough that a table of tens of GB is never locked for long by one statement. */
export const LOG_RETENTION_BATCH = 5000;
/** Batches per run: up to 1,000,000 rows every 10 minutes, far more than any gateway writes. */
export const LOG_RETENTION_MAX_BATCHES = 200;
export const LOG_RETENTION_TYPES: readonly number[] = [LogType.consume, LogType.error];

export interface LogRetentionOptions {
  /** How often an instance tries to take the lease and prune (default every 10 minutes). */
  tickMs?: number;
  batch?: number;
  maxBatches?: number;
  /** Seconds since the epoch (tests move the clock). */
  now?: () => number;
}

/** Deletes the consume and error rows older than `days` days before `now`; 0 days deletes nothing. */
export async function pruneOldLogs(
  logDb: Db,
  days: number,
  now: number,
  { batch = LOG_RETENTION_BATCH, maxBatches = LOG_RETENTION_MAX_BATCHES }: {
    batch?: number;
    maxBatches?: number;
  } = {},
): Promise<number> {
  if (days <= 0) return 0;
  return await deleteLogsBefore(logDb, now - days * 86_400, {
    batch,
    maxBatches,
    types: LOG_RETENTION_TYPES,
  });
}

export function logRetentionJob(
  deps: { logDb: Db; catalog: OptionSource },
  opts: LogRetentionOptions = {},
): Job {
  return {
    name: "log_retention",
    intervalMs: opts.tickMs ?? 600_000,
    async run() {
      const days = optionRegistry.int(deps.catalog, "LogRetentionDays");
      if (days <= 0) return;
      const removed = await pruneOldLogs(deps.logDb, days, (opts.now ?? nowSeconds)(), opts);
      // Most runs find nothing; only a run that removed rows says so at info.
      (removed > 0 ? log.info : log.debug)("log retention pruned old consume and error logs", {
        removed,
        days,
      });
    },
  };
}
