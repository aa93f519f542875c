/**
 * The circuit breaker: a channel that fails `failures` times in a row on this instance (5xx, timeouts,
 * refused or broken connections — never the caller's 4xx, never 429) is ejected for `ejectMs`, doubling
 * on each ejection in a row up to `maxEjectMs`. When the ejection ends, one request is let through as a
 * probe (the others keep skipping the channel for another `ejectMs`): success closes the breaker, failure
 * ejects it again for longer. Ejection is a routing preference, not a ban: when every candidate channel is
 * ejected, the relay still tries them (better a likely failure than a certain one), and New API's
 * auto-disable, which writes the channel's status, is untouched. State is per instance and in memory.
 */

export interface BreakerConfig {
  /** Consecutive failures that eject a channel; 0 turns the breaker off. */
  failures: number;
  ejectMs: number;
  maxEjectMs: number;
}

interface ChannelState {
  failures: number;
  /** When the current ejection (or the probe's window) ends; 0 while closed. */
  openUntil: number;
  /** Ejections in a row without a success between them. */
  ejections: number;
}

/** Upstream statuses that count against a channel: server errors and no answer at all. */
export function countsAgainstChannel(status: number): boolean {
  return status === 0 || status >= 500;
}

export class ChannelBreaker {
  readonly #state = new Map<number, ChannelState>();

  constructor(readonly config: BreakerConfig, private readonly now: () => number = Date.now) {}

  /** True while the channel is ejected and its probe is not due. */
  ejected(channelId: number): boolean {
    if (this.#state.size === 0) return false;
    const s = this.#state.get(channelId);
    return s !== undefined && s.openUntil > this.now();
  }

  /**
   * Any channel with failures on record (ejected or not): false lets the hot path skip the per-candidate
   * check. It does not mean some channel is ejected now — `ejected` answers that.
   */
  get tracking(): boolean {
    return this.#state.size > 0;
  }

  /** Called with the channel picked for an attempt: a due probe holds the others off for `ejectMs`. */
  picked(channelId: number): void {
    const s = this.#state.get(channelId);
    if (s && s.openUntil !== 0 && s.openUntil <= this.now()) s.openUntil = this.now() + this.config.ejectMs;
  }

  success(channelId: number): void {
    if (this.#state.size !== 0) this.#state.delete(channelId);
  }

  /** Records one failed attempt with the upstream's status (0: no HTTP answer). */
  failure(channelId: number, upstreamStatus: number): void {
    if (this.config.failures <= 0 || !countsAgainstChannel(upstreamStatus)) return;
    let s = this.#state.get(channelId);
    if (!s) this.#state.set(channelId, s = { failures: 0, openUntil: 0, ejections: 0 });
    s.failures++;
    // A failed probe ejects again at once; a closed breaker waits for the threshold.
    if (s.openUntil !== 0 || s.failures >= this.config.failures) {
      const ms = Math.min(this.config.maxEjectMs, this.config.ejectMs * 2 ** s.ejections);
      s.ejections++;
      s.openUntil = this.now() + ms;
    }
  }

  /** For the admin view and tests: channels ejected now, with the milliseconds left. */
  snapshot(): { channelId: number; failures: number; msLeft: number }[] {
    const now = this.now();
    return [...this.#state].filter(([, s]) => s.openUntil > now).map(([channelId, s]) => ({
      channelId,
      failures: s.failures,
      msLeft: s.openUntil - now,
    }));
  }
}
