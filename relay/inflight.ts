/**
 * The relay requests still running in this process (streams included, until they are settled), so a
 * graceful shutdown can wait for them and, at the drain deadline, tell them to stop: each one then ends
 * its stream with an error event and settles before the process exits.
 */

export interface InflightHandle {
  /** Aborted when the server gives up waiting (drain deadline). */
  readonly shutdown: AbortSignal;
  /** Marks the request finished (settled or released); idempotent. */
  end(): void;
}

export class InflightRequests {
  #active = new Set<object>();
  #stop = new AbortController();
  #waiters: (() => void)[] = [];

  get size(): number {
    return this.#active.size;
  }

  begin(): InflightHandle {
    const token = {};
    this.#active.add(token);
    return {
      shutdown: this.#stop.signal,
      end: () => {
        if (!this.#active.delete(token)) return;
        if (this.#active.size === 0) { for (const wake of this.#waiters.splice(0)) wake(); }
      },
    };
  }

  /** Resolves true once nothing is in flight, false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }

  /** Tells every running request to stop now. */
  abortAll(): void {
    this.#stop.abort(new Error("server shutting down"));
  }
}
