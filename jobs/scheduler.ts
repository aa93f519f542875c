/**
 * Runs named background jobs every `intervalMs` on whichever instance holds the job's lease. Each
 * instance ticks; a tick that cannot take the lease does nothing. Runs never overlap within a process.
 */
import type { Db } from "../store/db.ts";
import { log } from "../server/logger.ts";
import { acquireLease } from "./lease.ts";

export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<void>;
}

export class Scheduler {
  readonly holder: string;
  #timers: ReturnType<typeof setInterval>[] = [];
  #running = new Set<string>();

  constructor(private readonly db: Db, holder = `${Deno.hostname?.() ?? "node"}:${crypto.randomUUID()}`) {
    this.holder = holder;
  }

  /** Runs one tick of `job` now: takes the lease for one interval and runs it if this instance won. */
  async tick(job: Job): Promise<boolean> {
    if (this.#running.has(job.name)) return false;
    this.#running.add(job.name);
    try {
      // Hold for the interval (minus a margin) so the next tick anywhere can take over if we stop.
      if (!await acquireLease(this.db, job.name, this.holder, Math.max(1000, job.intervalMs - 500))) {
        return false;
      }
      await job.run();
      return true;
    } catch (err) {
      log.error("background job failed", { job: job.name, error: String(err) });
      return false;
    } finally {
      this.#running.delete(job.name);
    }
  }

  /** Names of the jobs started here, in order. */
  get started(): string[] {
    return [...this.#started];
  }
  #started: string[] = [];

  start(job: Job): void {
    this.#started.push(job.name);
    const timer = setInterval(() => void this.tick(job), job.intervalMs);
    Deno.unrefTimer(timer);
    this.#timers.push(timer);
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#started = [];
  }
}
