/**
 * "Disable after X errors in N requests": the outcomes of the last N attempts of each channel (each key
 * of a multi-key channel) on this instance; when X of them failed, the caller takes the channel or key out
 * of rotation (`channel_state.ts`), and `key_recovery.ts` probes it back. A failure here is the upstream's
 * (no answer, 401/403, 408, 429, 5xx), never the caller's 400/404/413/422. Per instance and in memory,
 * like the breaker: N requests are those this instance sent. Options: `channel_error_rate_setting.*`.
 */

/** Whether an attempt's upstream status counts as the channel's failure. */
export function countsAsChannelError(status: number): boolean {
  return status === 0 || status === 401 || status === 403 || status === 408 || status === 429 ||
    status >= 500;
}

interface Ring {
  outcomes: boolean[];
  next: number;
  errors: number;
}

export class ErrorWindow {
  readonly #rings = new Map<string, Ring>();

  /**
   * Records one attempt of `channelId`/`keyIndex` (-1 for a single-key channel) and answers whether the
   * last `requests` attempts hold at least `errors` failures (then the window starts over).
   */
  record(channelId: number, keyIndex: number, failed: boolean, errors: number, requests: number): boolean {
    if (errors <= 0 || requests <= 0) return false;
    const id = `${channelId}:${keyIndex}`;
    let ring = this.#rings.get(id);
    if (!ring || ring.outcomes.length > requests) {
      ring = { outcomes: [], next: 0, errors: 0 };
      this.#rings.set(id, ring);
    }
    if (ring.outcomes.length < requests) ring.outcomes.push(failed);
    else {
      if (ring.outcomes[ring.next]) ring.errors--;
      ring.outcomes[ring.next] = failed;
      ring.next = (ring.next + 1) % requests;
    }
    if (failed) ring.errors++;
    if (ring.errors < errors) return false;
    this.#rings.delete(id);
    return true;
  }

  /** Failures among the recorded attempts (for the log and tests). */
  errors(channelId: number, keyIndex: number): number {
    return this.#rings.get(`${channelId}:${keyIndex}`)?.errors ?? 0;
  }
}
