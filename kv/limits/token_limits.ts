/**
 * Per-token limits beyond New API: requests per minute, tokens per minute and concurrent requests,
 * held in one KV value per token so a request is admitted or refused by one atomic update (a refused
 * request takes nothing). Concurrency slots are leases (`token_leases.ts`): each limiter renews all the
 * slots it holds for a token in one write every third of `leaseMs`, and a process that dies stops
 * renewing, so its slots expire after `leaseMs`.
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
import { liveSlots, renewedIds, type TokenState, withHolder } from "./token_leases.ts";

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

/** This limiter's own slots for one token: admitted and running, or in an admission not yet answered. */
interface LocalSlots {
  running: Set<number>;
  admitting: Set<number>;
}

const minute = 60_000;
const perMinute = (limit: number): Rate => ({ limit, periodMs: minute });

/** The value to store (undefined when nothing is left) and how long it matters. */
function finish(state: TokenState, now: number) {
  const out: TokenState = {};
  let ttl = 1000, empty = true;
  if (state.rpm !== undefined) {
    out.rpm = state.rpm;
    ttl = Math.max(ttl, bucketTtlMs(state.rpm, now));
    empty = false;
  }
  if (state.tpm !== undefined) {
    out.tpm = state.tpm;
    ttl = Math.max(ttl, bucketTtlMs(state.tpm.tat, now));
    empty = false;
  }
  if (state.holders) {
    out.holders = state.holders;
    for (const id in state.holders) ttl = Math.max(ttl, state.holders[id].until - now + 1000);
    empty = false;
  }
  if (state.leases) {
    out.leases = state.leases;
    for (const id in state.leases) ttl = Math.max(ttl, state.leases[id] - now + 1000);
    empty = false;
  }
  return { state: empty ? undefined : out, expireInMs: ttl };
}

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
  readonly #local = new Map<number | string, LocalSlots>();
  #nextLease = 0;
  #renewal: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

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
    if (rpm <= 0 && tpm <= 0 && concurrency <= 0) return unlimited;
    const leaseId = concurrency > 0 ? ++this.#nextLease : undefined;
    const local = leaseId === undefined ? undefined : this.#slotsOf(setting.tokenId);
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
          return { ...finish(next, now), result: null };
        },
      );
      // Running before no longer admitting, so a renewal in between never drops the slot.
      if (!gate && leaseId !== undefined) local!.running.add(leaseId);
    } finally {
      if (leaseId !== undefined) local!.admitting.delete(leaseId);
    }
    if (gate) return gate;
    if (leaseId !== undefined) this.#renewInBackground();
    return this.#admitted(setting.tokenId, rpm, leaseId, local);
  }

  #admitted(
    tokenId: number | string,
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
        if (leaseId !== undefined) local!.running.delete(leaseId);
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
          return { ...finish(state, now), result: undefined };
        });
      },
    };
  }

  #slotsOf(tokenId: number | string): LocalSlots {
    let slots = this.#local.get(tokenId);
    if (!slots) this.#local.set(tokenId, slots = { running: new Set(), admitting: new Set() });
    return slots;
  }

  /** One timer per limiter while it holds slots; each tick renews every token's slots in one write. */
  #renewInBackground(): void {
    if (this.#renewal !== undefined || this.#stopped) return;
    const renewal = setInterval(() => this.#renewAll(), Math.max(50, this.#leaseMs / 3));
    // A forgotten release must not keep the process alive; the slot then simply expires.
    Deno.unrefTimer(renewal);
    this.#renewal = renewal;
  }

  #renewAll(): void {
    const holder = this.#holder, leaseMs = this.#leaseMs;
    for (const [tokenId, local] of this.#local) {
      if (local.running.size === 0) {
        if (local.admitting.size === 0) this.#local.delete(tokenId);
        continue;
      }
      updateKey<TokenState, void>(this.#kv, this.#key(tokenId), (stored, now) => {
        const state = stored ?? {};
        const slots = liveSlots(state, now);
        const ids = renewedIds(slots.holders?.[holder]?.ids, local.running, local.admitting);
        const holders = withHolder(slots.holders, holder, { until: now + leaseMs, ids });
        return { ...finish({ ...state, holders, leases: slots.leases }, now), result: undefined };
      }).catch(() => {/* the next renewal retries; the slots outlive a couple of misses */});
    }
    if (this.#local.size === 0) this.#stopRenewal();
  }

  #stopRenewal(): void {
    if (this.#renewal !== undefined) clearInterval(this.#renewal);
    this.#renewal = undefined;
  }

  /**
   * Stops renewing for good (shutdown): the slots still held expire after `leaseMs` unless released,
   * as a crashed process's would.
   */
  stop(): void {
    this.#stopped = true;
    this.#stopRenewal();
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
