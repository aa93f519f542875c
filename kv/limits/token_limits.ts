/**
 * Per-token limits beyond New API: requests per minute, tokens per minute and concurrent requests,
 * held in one KV value per token so a request is admitted or refused by one atomic update (a refused
 * request takes nothing). Concurrency slots are leases that the holder renews while it runs; a process
 * that dies stops renewing and its slots expire after `leaseMs`.
 */
import { updateKey } from "../key_update.ts";
import {
  bucketTtlMs,
  chargeRate,
  peekRate,
  type Rate,
  refundRate,
  retryAfterSeconds,
  takeRate,
} from "./rate.ts";

export interface TokenLimitSetting {
  tokenId: number | string;
  /** Requests per minute; 0 or unset means unlimited. */
  rpm?: number;
  /** Tokens (prompt + completion) per minute, charged after each answer; 0 or unset means unlimited. */
  tpm?: number;
  /** Requests running at once; 0 or unset means unlimited. */
  concurrency?: number;
}

export type LimitReason = "rpm" | "tpm" | "concurrency";

export interface RequestGate {
  ok: boolean;
  /** Set when refused: which limit, a message for the caller, and whole seconds for Retry-After. */
  reason?: LimitReason;
  message?: string;
  retryAfterSeconds: number;
  /**
   * Frees the concurrency slot (idempotent: only the first call acts). Pass `{ refund: true }` when the
   * request was never sent upstream, to give its RPM unit back as well.
   */
  release(options?: { refund?: boolean }): Promise<void>;
}

interface TokenState {
  rpm?: number;
  tpm?: { tat: number; limit: number };
  /** lease id → expiry (epoch ms) */
  leases?: Record<string, number>;
}

const minute = 60_000;
const perMinute = (limit: number): Rate => ({ limit, periodMs: minute });

function liveLeases(leases: Record<string, number> | undefined, now: number): Record<string, number> {
  const live: Record<string, number> = {};
  for (const [id, until] of Object.entries(leases ?? {})) if (until > now) live[id] = until;
  return live;
}

function finish(state: TokenState, now: number) {
  const ttl = Math.max(
    state.rpm === undefined ? 0 : bucketTtlMs(state.rpm, now),
    state.tpm === undefined ? 0 : bucketTtlMs(state.tpm.tat, now),
    ...Object.values(state.leases ?? {}).map((until) => until - now + 1000),
  );
  const empty = state.rpm === undefined && state.tpm === undefined && !Object.keys(state.leases ?? {}).length;
  return { state: empty ? undefined : state, expireInMs: Math.max(1000, ttl) };
}

const refused = (reason: LimitReason, message: string, ms: number): RequestGate => ({
  ok: false,
  reason,
  message,
  retryAfterSeconds: retryAfterSeconds(ms),
  release: () => Promise.resolve(),
});

export class TokenLimiter {
  readonly #kv: Deno.Kv;
  readonly #leaseMs: number;

  /** `leaseMs`: how long a concurrency slot outlives a holder that stopped renewing it (a crash). */
  constructor(kv: Deno.Kv, options: { leaseMs?: number } = {}) {
    this.#kv = kv;
    this.#leaseMs = options.leaseMs ?? 30_000;
  }

  #key(tokenId: number | string): Deno.KvKey {
    return ["limits", "token", tokenId];
  }

  /** Admits a request against the token's limits, or refuses it without counting it anywhere. */
  async checkRequest(setting: TokenLimitSetting): Promise<RequestGate> {
    const rpm = setting.rpm ?? 0, tpm = setting.tpm ?? 0, concurrency = setting.concurrency ?? 0;
    if (rpm <= 0 && tpm <= 0 && concurrency <= 0) {
      return {
        ok: true,
        retryAfterSeconds: 0,
        release: () => Promise.resolve(),
      };
    }
    const key = this.#key(setting.tokenId);
    const leaseId = concurrency > 0 ? crypto.randomUUID() : undefined;
    const leaseMs = this.#leaseMs;
    const gate = await updateKey<TokenState, RequestGate | null>(this.#kv, key, (state = {}, now) => {
      if (tpm > 0 && state.tpm) {
        const d = peekRate(state.tpm.tat, now, perMinute(tpm));
        if (!d.ok) {
          return {
            state,
            result: refused("tpm", `this key allows ${tpm} tokens per minute`, d.retryAfterMs),
          };
        }
      }
      const taken = takeRate(state.rpm, now, perMinute(rpm));
      if (!taken.ok) {
        return {
          state,
          result: refused("rpm", `this key allows ${rpm} requests per minute`, taken.retryAfterMs),
        };
      }
      const leases = liveLeases(state.leases, now);
      if (leaseId) {
        if (Object.keys(leases).length >= concurrency) {
          return {
            state,
            result: refused("concurrency", `this key allows ${concurrency} requests at once`, 1000),
          };
        }
        leases[leaseId] = now + leaseMs;
      }
      const next: TokenState = {
        rpm: rpm > 0 ? taken.tat : undefined,
        tpm: tpm > 0 ? { tat: state.tpm?.tat ?? now, limit: tpm } : undefined,
        leases,
      };
      return { ...finish(next, now), result: null };
    });
    if (gate) return gate;
    return this.#admitted(setting.tokenId, rpm, leaseId);
  }

  #admitted(tokenId: number | string, rpm: number, leaseId: string | undefined): RequestGate {
    const key = this.#key(tokenId);
    let released = false;
    const renew = leaseId
      ? setInterval(() => {
        updateKey<TokenState, void>(this.#kv, key, (state = {}, now) => {
          const leases = liveLeases(state.leases, now);
          leases[leaseId] = now + this.#leaseMs;
          return { ...finish({ ...state, leases }, now), result: undefined };
        }).catch(() => {/* the next renewal retries; the lease outlives a few misses */});
      }, Math.max(50, this.#leaseMs / 3))
      : undefined;
    // A forgotten release must not keep the process alive; the lease then simply expires.
    if (renew !== undefined) Deno.unrefTimer(renew);
    return {
      ok: true,
      retryAfterSeconds: 0,
      release: async (options = {}) => {
        if (released) return;
        released = true;
        if (renew !== undefined) clearInterval(renew);
        if (!leaseId && !options.refund) return;
        await updateKey<TokenState, void>(this.#kv, key, (state = {}, now) => {
          const leases = liveLeases(state.leases, now);
          if (leaseId) delete leases[leaseId];
          const rpmTat = options.refund && rpm > 0 ? refundRate(state.rpm, now, perMinute(rpm)) : state.rpm;
          return { ...finish({ ...state, rpm: rpmTat, leases }, now), result: undefined };
        });
      },
    };
  }

  /** Charges the tokens an answer actually used against the TPM limit the token had when admitted. */
  recordTokens(tokenId: number | string, tokens: number): Promise<void> {
    if (!(tokens > 0)) return Promise.resolve();
    return updateKey<TokenState, void>(this.#kv, this.#key(tokenId), (state, now) => {
      if (!state?.tpm) return { state, result: undefined };
      const tat = chargeRate(state.tpm.tat, now, perMinute(state.tpm.limit), tokens)!;
      return { ...finish({ ...state, tpm: { ...state.tpm, tat } }, now), result: undefined };
    });
  }
}
