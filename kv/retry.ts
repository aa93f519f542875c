/**
 * Retries of "database is locked": a local KV file is one SQLite database, and when several processes
 * (or handles) write it at once SQLite answers busy instead of waiting. Counted so tests can report it.
 */
function isBusy(err: unknown): boolean {
  const message = (err as Error)?.message ?? "";
  return message.includes("database is locked") || message.includes("SQLITE_BUSY");
}

let busyRetries = 0;

/** How many times this process has retried a KV operation because the file was locked. */
export function kvBusyRetries(): number {
  return busyRetries;
}

/** Runs a KV operation, retrying with jittered backoff while another process holds the file's lock. */
export async function withKvRetry<T>(op: () => Promise<T>, attempts = 50): Promise<T> {
  for (let i = 1;; i++) {
    try {
      return await op();
    } catch (err) {
      if (!isBusy(err) || i >= attempts) throw err;
      busyRetries++;
      await new Promise((r) => setTimeout(r, Math.min(50, 2 * i) * (0.5 + Math.random())));
    }
  }
}
