/**
 * What one `TokenLimiter` knows of its own concurrency slots, per token, and the one timer that renews
 * them while it holds any: a process-wide loop instead of a timer per request. The timer does not keep
 * the process alive; a process that exits or crashes simply stops renewing and its slots expire.
 */

/** One token's slots of this limiter: admitted and running, or in an admission not yet answered. */
export interface LocalSlots {
  running: Set<number>;
  admitting: Set<number>;
}

export type TokenId = number | string;

export class SlotRenewal {
  readonly #local = new Map<TokenId, LocalSlots>();
  readonly #everyMs: number;
  readonly #renew: (tokenId: TokenId, local: LocalSlots) => Promise<void>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  /** `renew` writes one token's slots; a failure is left to the next tick (a slot outlives a few misses). */
  constructor(everyMs: number, renew: (tokenId: TokenId, local: LocalSlots) => Promise<void>) {
    this.#everyMs = everyMs;
    this.#renew = renew;
  }

  slotsOf(tokenId: TokenId): LocalSlots {
    let slots = this.#local.get(tokenId);
    if (!slots) this.#local.set(tokenId, slots = { running: new Set(), admitting: new Set() });
    return slots;
  }

  /** Drops a token this limiter no longer holds or is admitting anything for. */
  forgetIfIdle(tokenId: TokenId, local: LocalSlots): void {
    if (local.running.size === 0 && local.admitting.size === 0 && this.#local.get(tokenId) === local) {
      this.#local.delete(tokenId);
    }
  }

  /** Starts the timer if it is not running (after an admission). */
  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    const timer = setInterval(() => this.#tick(), this.#everyMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  #tick(): void {
    for (const [tokenId, local] of this.#local) {
      if (local.running.size > 0) this.#renew(tokenId, local).catch(() => {});
    }
    if (this.#local.size === 0) this.#clear();
  }

  #clear(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops renewing for good. */
  stop(): void {
    this.#stopped = true;
    this.#clear();
  }
}
