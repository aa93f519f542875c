/**
 * Per-token limits beyond New API: requests per minute, tokens per minute and concurrent requests,
 * held in one KV value per token so a request is admitted or refused by one atomic update (a refused
 * request takes nothing). Concurrency slots are leases (`token_leases.ts`): each limiter renews all the
 * slots it holds for a token in one write every third of `leaseMs`, and a process that dies stops
 * renewing, so its slots expire after `leaseMs`.
 */
import { updateKey } from "../key_update.ts";
import { chargeRate, peekRate, type Rate, refundRate, retryAfterSeconds, takeRate } from "./rate.ts";
import { liveSlots, renewedIds, type TokenState, toStore, withHolder } from "./token_leases.ts";
import { type LocalSlots, SlotRenewal, type TokenId } from "./slot_renewal.ts";

export interface TokenLimitSetting {
  tokenId: TokenId;
  /** Requests per minute; 0 or unset means unlimited. */
  rpm?: number;
  /** Tokens (prompt + completion) per minute, charged after each answer; 0 or unset means unlimited. */
  tpm?: number;
  /** Requests running at once; 0 or unset means unlimited. */
  concurrency?: number;
}

export type LimitReason = "rpm" | "tpm" | "concurrency";

export interface ReleaseOptions {
  /** The request was never sent upstream: give its RPM unit back too. */
  refund?: boolean;
  /** Tokens the answer used, charged against TPM in the same write (charged even on a repeated call). */
  tokens?: number;
}

export interface RequestGate {
  ok: boolean;
  /** Set when refused: which limit, a message for the caller, and whole seconds for Retry-After. */
  reason?: LimitReason;
  message?: string;
  retryAfterSeconds: number;
  /** Frees the concurrency slot (idempotent: only the first call frees or refunds). */
  release(options?: ReleaseOptions): Promise<void>;
}

const minute = 60_000;
const perMinute = (limit: number): Rate => ({ limit, periodMs: minute });

const refused = (reason: LimitReason, message: string, ms: number): RequestGate => ({
  ok: false,
  reason,
  message,
  retryAfterSeconds: retryAfterSeconds(ms),
  release: () => Promise.resolve(),
});

const unlimited: RequestGate = { ok: true, retryAfterSeconds: 0, release: () => Promise.resolve() };

export class TokenLimiter {
  readonly #kv: Deno.Kv;
  readonly #leaseMs: number;
  /** This limiter's name among the holders of a token's slots. */
  readonly #holder = crypto.randomUUID();
  readonly #renewal: SlotRenewal;
  #nextLease = 0;

  /** `leaseMs`: how long a concurrency slot outlives a holder that stopped renewing it (a crash). */
  constructor(kv: Deno.Kv, options: { leaseMs?: number } = {}) {
    this.#kv = kv;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#renewal = new SlotRenewal(
      Math.max(50, this.#leaseMs / 3),
      (tokenId, local) => this.#renew(tokenId, local),
    );
  }

  #key(tokenId: TokenId): Deno.KvKey {
    return ["limits", "token", tokenId];
  }

  /** Admits a request against the token's limits, or refuses it without counting it anywhere. */
  async checkRequest(setting: TokenLimitSetting): Promise<RequestGate> {
    const rpm = setting.rpm ?? 0, tpm = setting.tpm ?? 0, concurrency = setting.concurrency ?? 0;
    if (rpm <= 0 && tpm <= 0 && concurrency <= 0) return unlimited;
    const leaseId = concurrency > 0 ? ++this.#nextLease : undefined;
    const local = leaseId === undefined ? undefined : this.#renewal.slotsOf(setting.tokenId);
    if (leaseId !== undefined) local!.admitting.add(leaseId);
    const holder = this.#holder, leaseMs = this.#leaseMs;
    let gate: RequestGate | null;
    try {
      gate = await updateKey<TokenState, RequestGate | null>(
        this.#kv,
        this.#key(setting.tokenId),
        (stored, now) => {
          const state = stored ?? {};
          if (tpm > 0 && state.tpm) {
            const d = peekRate(state.tpm.tat, now, perMinute(tpm));
            if (!d.ok) {
              return {
                state: stored,
                result: refused("tpm", `this key allows ${tpm} tokens per minute`, d.retryAfterMs),
              };
            }
          }
          const taken = takeRate(state.rpm, now, perMinute(rpm));
          if (!taken.ok) {
            return {
              state: stored,
              result: refused("rpm", `this key allows ${rpm} requests per minute`, taken.retryAfterMs),
            };
          }
          const slots = liveSlots(state, now);
          let holders = slots.holders;
          if (leaseId !== undefined) {
            if (slots.running >= concurrency) {
              return {
                state: stored,
                result: refused("concurrency", `this key allows ${concurrency} requests at once`, 1000),
              };
            }
            const own = holders?.[holder]?.ids;
            holders = withHolder(holders, holder, {
              until: now + leaseMs,
              ids: own ? [...own, leaseId] : [leaseId],
            });
          }
          const next: TokenState = {
            rpm: rpm > 0 ? taken.tat : undefined,
            tpm: tpm > 0 ? { tat: state.tpm?.tat ?? now, limit: tpm } : undefined,
            holders,
            leases: slots.leases,
          };
          return { ...toStore(next, now), result: null };
        },
      );
      // Running before no longer admitting, so a renewal in between never drops the slot.
      if (!gate && leaseId !== undefined) local!.running.add(leaseId);
    } finally {
      if (leaseId !== undefined) {
        local!.admitting.delete(leaseId);
        this.#renewal.forgetIfIdle(setting.tokenId, local!);
      }
    }
    if (gate) return gate;
    if (leaseId !== undefined) this.#renewal.start();
    return this.#admitted(setting.tokenId, rpm, leaseId, local);
  }

  #admitted(
    tokenId: TokenId,
    rpm: number,
    leaseId: number | undefined,
    local: LocalSlots | undefined,
  ): RequestGate {
    const holder = this.#holder;
    let released = false;
    return {
      ok: true,
      retryAfterSeconds: 0,
      release: async ({ refund = false, tokens = 0 } = {}) => {
        if (released) return tokens > 0 ? await this.recordTokens(tokenId, tokens) : undefined;
        released = true;
        if (leaseId !== undefined) {
          local!.running.delete(leaseId);
          this.#renewal.forgetIfIdle(tokenId, local!);
        }
        const refundRpm = refund && rpm > 0;
        if (leaseId === undefined && !refundRpm && !(tokens > 0)) return;
        await updateKey<TokenState, void>(this.#kv, this.#key(tokenId), (stored, now) => {
          let state = stored ?? {};
          if (leaseId !== undefined) {
            const slots = liveSlots(state, now);
            const own = slots.holders?.[holder];
            const holders = own
              ? withHolder(slots.holders, holder, {
                until: own.until,
                ids: own.ids.filter((i) => i !== leaseId),
              })
              : slots.holders;
            state = { ...state, holders, leases: slots.leases };
          }
          if (refundRpm) state = { ...state, rpm: refundRate(state.rpm, now, perMinute(rpm)) };
          if (tokens > 0 && state.tpm) {
            const tat = chargeRate(state.tpm.tat, now, perMinute(state.tpm.limit), tokens)!;
            state = { ...state, tpm: { ...state.tpm, tat } };
          }
          return { ...toStore(state, now), result: undefined };
        });
      },
    };
  }

  /** Rewrites this limiter's slots of one token with a fresh expiry (see `renewedIds`). */
  #renew(tokenId: TokenId, local: LocalSlots): Promise<void> {
    const holder = this.#holder, leaseMs = this.#leaseMs;
    return updateKey<TokenState, void>(this.#kv, this.#key(tokenId), (stored, now) => {
      const state = stored ?? {};
      const slots = liveSlots(state, now);
      const ids = renewedIds(slots.holders?.[holder]?.ids, local.running, local.admitting);
      const holders = withHolder(slots.holders, holder, { until: now + leaseMs, ids });
      return { ...toStore({ ...state, holders, leases: slots.leases }, now), result: undefined };
    });
  }

  /**
   * Stops renewing for good (shutdown): the slots still held expire after `leaseMs` unless released,
   * as a crashed process's would.
   */
  stop(): void {
    this.#renewal.stop();
  }

  /** Charges the tokens an answer actually used against the TPM limit the token had when admitted. */
  recordTokens(tokenId: TokenId, tokens: number): Promise<void> {
    if (!(tokens > 0)) return Promise.resolve();
    return updateKey<TokenState, void>(this.#kv, this.#key(tokenId), (state, now) => {
      if (!state?.tpm) return { state, result: undefined };
      const tat = chargeRate(state.tpm.tat, now, perMinute(state.tpm.limit), tokens)!;
      return { ...toStore({ ...state, tpm: { ...state.tpm, tat } }, now), result: undefined };
    });
  }
}
