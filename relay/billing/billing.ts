/**
 * The billing service the relay calls: prices a request, reserves its worst case durably and hands back a
 * BillingSession that settles or releases it exactly once. It also owns the background work: the sweeper
 * that resolves holds of dead processes, the batched error/system log queue and the hourly quota_data
 * aggregates, all flushed by `stop()`.
 *
 * Sweeper policy: a HELD row past `expires_at` (its process stopped heartbeating), or on SQLite any HELD
 * row of an earlier process at start, is settled at its last usage checkpoint when it has one (usage was
 * produced and probably delivered), else released in full. Every resolution is a compare-and-swap on
 * the row, so sweeping twice, from two instances, or racing a late settle charges exactly once. Each
 * sweep also deletes terminal holds older than RESERVATION_RETENTION_DAYS.
 */
import type { Catalog } from "../../store/cache/catalog.ts";
import { type Db, nowSeconds } from "../../store/db.ts";
import { LogQueue } from "../../store/log_queue.ts";
import { LogType, type NewLog } from "../../store/logs.ts";
import { QuotaDataAggregator } from "../../store/quota_data.ts";
import { QuotaBook } from "../../store/quota_book.ts";
import { LeaseBalances } from "../../store/lease_balances.ts";
import { LeaseKind } from "../../store/quota_leases.ts";
import {
  assertQuota,
  extendHold,
  type Outcome,
  releaseReservation,
  type ReservationMeta,
  ReservationStatus,
  reserveQuota,
  settleReservation,
} from "../../store/reservations.ts";
import {
  checkpointReservation,
  extendReservations,
  pruneReservations,
  staleReservations,
} from "../../store/reservation_upkeep.ts";
import { optionRegistry } from "../../options/index.ts";
import { log } from "../../server/logger.ts";
import { Role } from "../../store/users.ts";
import { type CountTokens, tokenCounter } from "./estimate.ts";
import { DuplicateReservationError, InsufficientQuotaError } from "./errors.ts";
import { PriceTable } from "./price_table.ts";
import { type PriceData, reservationQuota, resolvePrice } from "./pricing.ts";
import { BillingSession, MAX_SESSION_MS } from "./session.ts";
import { fundingOrder, subscriptionLogOther, SubscriptionPresence } from "./funding.ts";
import { type BillingPreference, billingPreferenceOf } from "../../payments/subscriptions/preference.ts";
import {
  extendSubscriptionHold,
  holdSubscription,
  refundSubscriptionHold,
  settleSubscription,
  type SubscriptionHold,
  subscriptionState,
} from "../../store/subscription_funding.ts";

/** How long a settled or released hold is kept (later refunds of its charge need it), in days. */
export const RESERVATION_RETENTION_DAYS = 30;

export interface BillingOptions {
  /** ERROR_LOG_ENABLED: write error rows (type 5). */
  errorLogEnabled: boolean;
  /** How long a hold lives without a heartbeat before the sweeper may resolve it. */
  holdSeconds: number;
  /** One process owns the store (SQLite): holds of earlier processes are resolved at start. */
  singleProcess: boolean;
  sweepIntervalMs?: number;
  /** The log database (LOG_SQL_DSN); the main store when absent. */
  logDb?: Db;
  /**
   * Keep short requests' holds in memory and journal settlements in batches (store/quota_book.ts). Only
   * for a store one process owns, with the logs in it (SQLite without LOG_SQL_DSN).
   */
  quotaBook?: boolean | { intervalMs?: number; batch?: number };
  /**
   * Several instances share the store (PostgreSQL, MySQL): the quota book spends per-instance leases of
   * the balances (store/lease_balances.ts) instead of the balances themselves. Needs the logs in the main
   * store. `leaseSeconds`: QUOTA_LEASE_SECONDS.
   */
  leases?: { leaseSeconds: number; intervalMs?: number; batch?: number };
  /** NODE_NAME, written with the dashboard's `quota_data` rows (New API's `node_name`). */
  nodeName?: string;
}

/** The user and token behind a request (catalog `User` and `TokenView` fit as they are). */
export interface BillingUser {
  id: number;
  username: string;
  group: string;
  role?: number;
  /**
   * JSON user settings: `record_ip_log: true` puts the client IP in the log row;
   * `accept_unset_model_ratio_model: true` lets this user call unpriced models at the self-use ratio.
   */
  setting?: string;
}

export interface BillingToken {
  id: number;
  name: string;
  unlimitedQuota: boolean;
}

export interface BeginArgs {
  requestId: string;
  user: BillingUser;
  /** Null when the request is not made with an API token (console playground). */
  token: BillingToken | null;
  /** The billing model name. */
  model: string;
  /** The group the request routes through (token group, or the user's group). */
  usingGroup: string;
  /** The prompt estimate the hold is taken from (estimatePromptTokens, usually by estimateTokensFromBytes). */
  promptTokens: number;
  /**
   * The exact prompt count with billing's tokenizer, called only when billing needs it (no usage from the
   * upstream); without it the estimate is the count.
   */
  exactPromptTokens?: (count: CountTokens) => number;
  /** From billingQuantities(): validated output cap (0 = none) and n. */
  maxTokens?: number;
  n?: number;
  /** From imagePriceMultiplier() for per-call image prices. */
  priceMultiplier?: number;
  isStream: boolean;
  clientIp?: string;
  requestPath?: string;
}

export interface ErrorLogArgs {
  requestId: string;
  user: BillingUser;
  token: BillingToken | null;
  model: string;
  group: string;
  channelId: number;
  /** The admin's detail: the upstream's text, redacted (never upstream secrets). */
  content: string;
  /** What the caller was (or would have been) told: the row's content in its owner's view. */
  clientMessage: string;
  isStream: boolean;
  useTimeSeconds: number;
  useChannel: readonly number[];
  statusCode?: number;
}

/** A hold outlives the longest request a live process can be in (heartbeats extend it while alive). */
export function holdSecondsFor(
  config: { relayTimeoutSeconds: number; streamingTimeoutSeconds: number },
): number {
  return Math.max(config.relayTimeoutSeconds, config.streamingTimeoutSeconds, 60) + 60;
}

/**
 * Retries a settle/release on a transient store error (they are compare-and-swaps, so a retry after an
 * unknown outcome cannot charge twice). If every attempt fails the hold stays HELD for the sweeper.
 */
async function withRetries<T>(op: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (attempt >= 3 || err instanceof RangeError) throw err;
      log.warn("billing write failed; retrying", { attempt, error: String(err) });
      await new Promise((r) => setTimeout(r, 100 * 4 ** (attempt - 1)));
    }
  }
}

/**
 * New API's pre-charge rule: no hold when the wallet has more than 100 × the estimate and the token is
 * unlimited (`tokenRemain` null) or has more than 100 × it too.
 */
export function trustedHold(userQuota: number, tokenRemain: number | null, estimate: number): boolean {
  return userQuota > 100 * estimate && (tokenRemain === null || tokenRemain > 100 * estimate);
}

/** The user's JSON settings (New API's UserSetting): `record_ip_log`, `accept_unset_model_ratio_model`. */
function userSetting(setting: string | undefined): Record<string, unknown> {
  if (!setting) return {};
  try {
    const v = JSON.parse(setting);
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

export class Billing {
  /** Identifies this process's holds. */
  readonly owner = crypto.randomUUID();
  /** Where log rows go (the main store unless LOG_SQL_DSN is set). */
  readonly logDb: Db;
  readonly logQueue: LogQueue;
  readonly quotaData: QuotaDataAggregator;
  readonly holdSeconds: number;
  /** The in-memory quota book, when enabled (`BillingOptions.quotaBook`). */
  readonly book?: QuotaBook;
  /** The book's leases, on a store several instances share (`BillingOptions.leases`). */
  readonly leases?: LeaseBalances;
  #leaseTimer?: ReturnType<typeof setInterval>;
  #sweepTimer?: ReturnType<typeof setInterval>;
  #heartbeatTimer?: ReturnType<typeof setInterval>;
  /** Live requests' holds: request id → when it opened (ms). */
  readonly #open = new Map<string, number>();
  #flushTimer?: ReturnType<typeof setTimeout>;
  #stopped = false;
  /**
   * Where billing's tokenizer comes from (the shared o200k counter): the prompt's exact count and the
   * stream meter. A seam, so a test can count the calls made on the request path.
   */
  tokenizer: () => Promise<CountTokens> = tokenCounter;

  constructor(readonly db: Db, readonly catalog: Catalog, private readonly opts: BillingOptions) {
    this.logDb = opts.logDb ?? db;
    this.logQueue = new LogQueue(this.logDb);
    this.quotaData = new QuotaDataAggregator(opts.nodeName ?? "");
    this.holdSeconds = Math.max(1, opts.holdSeconds);
    if (opts.quotaBook) {
      if (this.logDb !== db) throw new Error("the quota book needs the logs in the main store");
      this.book = new QuotaBook(db, opts.quotaBook === true ? {} : opts.quotaBook);
      catalog.setBalanceOverlay(this.book);
    } else if (opts.leases) {
      if (this.logDb !== db) throw new Error("quota leases need the logs in the main store");
      this.leases = new LeaseBalances(db, this.owner, {
        leaseSeconds: Math.max(3, opts.leases.leaseSeconds),
      });
      this.book = new QuotaBook(db, { ...opts.leases, balances: this.leases });
      this.leases.attach(this.book);
      catalog.setBalanceOverlay(this.book);
    }
  }

  /** Commits the quota book's queued settlements (a no-op without the book). */
  async flush(): Promise<void> {
    await this.book?.flush();
  }

  /** Resolves leftover holds, warms the tokenizer and starts the sweeper, the heartbeat and the flushes. */
  async start(): Promise<void> {
    void tokenCounter();
    const swept = await this.sweep({ orphans: this.opts.singleProcess });
    if (swept.settled + swept.released > 0) {
      log.warn("resolved reservations left by a stopped process", swept);
    }
    this.#sweepTimer = setInterval(() => {
      this.sweep().catch((err) => log.error("reservation sweep failed", { error: String(err) }));
    }, this.opts.sweepIntervalMs ?? 30_000);
    Deno.unrefTimer(this.#sweepTimer);
    this.#heartbeatTimer = setInterval(() => {
      this.heartbeat().catch((err) => log.error("reservation heartbeat failed", { error: String(err) }));
    }, this.heartbeatMs);
    Deno.unrefTimer(this.#heartbeatTimer);
    if (this.leases) {
      const leases = this.leases;
      this.#leaseTimer = setInterval(() => {
        leases.tick().catch((err) => log.error("quota lease upkeep failed", { error: String(err) }));
      }, Math.max(1000, Math.floor(this.opts.leases!.leaseSeconds * 1000 / 3)));
      Deno.unrefTimer(this.#leaseTimer);
    }
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#stopped) return;
    const minutes = optionRegistry.int(this.catalog, "DataExportInterval") || 5;
    this.#flushTimer = setTimeout(async () => {
      await this.quotaData.flush(this.db).catch((err) =>
        log.error("quota_data flush failed; kept for the next one", { error: String(err) })
      );
      this.#scheduleFlush();
    }, minutes * 60_000);
    Deno.unrefTimer(this.#flushTimer);
  }

  /** Stops the timers and writes everything still queued (logs, quota_data). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    if (this.#heartbeatTimer !== undefined) clearInterval(this.#heartbeatTimer);
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    if (this.#leaseTimer !== undefined) clearInterval(this.#leaseTimer);
    await this.flush();
    await this.leases?.returnAll();
    await this.logQueue.flush();
    await this.quotaData.flush(this.db).catch((err) =>
      log.error("quota_data flush at shutdown failed", { error: String(err) })
    );
  }

  priceTable(): PriceTable {
    return new PriceTable(this.catalog);
  }

  /** The price data for a model (throws ModelNotPricedError). */
  price(
    q: { model: string; userGroup: string; usingGroup: string; isAdmin?: boolean; acceptUnpriced?: boolean },
  ): PriceData {
    return resolvePrice(this.priceTable(), {
      ...q,
      selfUseMode: q.acceptUnpriced === true || optionRegistry.bool(this.catalog, "SelfUseModeEnabled"),
      quotaPerUnit: optionRegistry.float(this.catalog, "QuotaPerUnit"),
    });
  }

  /**
   * Prices the request and reserves its worst case from the user and token, durably. Throws
   * ModelNotPricedError, InsufficientQuotaError or DuplicateReservationError, with nothing held.
   */
  async begin(a: BeginArgs): Promise<BillingSession> {
    const price = this.price({
      model: a.model,
      userGroup: a.user.group,
      usingGroup: a.usingGroup,
      isAdmin: (a.user.role ?? 0) >= Role.admin,
      acceptUnpriced: userSetting(a.user.setting).accept_unset_model_ratio_model === true,
    });
    const { quota } = reservationQuota(price, {
      promptTokens: a.promptTokens,
      maxTokens: a.maxTokens,
      n: a.n,
      priceMultiplier: a.priceMultiplier,
      preConsumedTokens: optionRegistry.int(this.catalog, "PreConsumedQuota"),
    });
    const logBase = {
      userId: a.user.id,
      username: a.user.username,
      tokenName: a.token?.name ?? "",
      tokenId: a.token?.id ?? 0,
      modelName: a.model,
      isStream: a.isStream,
      group: a.usingGroup,
      ip: a.clientIp && userSetting(a.user.setting).record_ip_log === true ? a.clientIp : "",
      requestId: a.requestId,
    };
    const meta: ReservationMeta = {
      log: {
        ...logBase,
        other: {
          request_id: a.requestId,
          model_ratio: price.modelRatio,
          group_ratio: price.groupRatio,
          completion_ratio: price.completionRatio,
          cache_ratio: price.cacheRatio,
          model_price: price.modelPrice,
          user_group_ratio: price.userGroupRatio,
        },
      },
    };
    // Loaded before the hold is taken, so nothing can fail between the hold and the session owning it.
    const count = await this.tokenizer();
    const setting = userSetting(a.user.setting);
    const pref = billingPreferenceOf(setting.billing_preference);
    const hasSubscription = pref !== "subscription_first" || await this.#presence.active(
      this.catalog.user(a.user.id),
      async () => (await subscriptionState(this.db, a.user.id)).active,
    );
    const steps = fundingOrder(pref, hasSubscription);
    let taken: { held: number; walletHeld: number; tokenAmount: number } | undefined;
    let short: InsufficientQuotaError | undefined;
    for (const step of steps) {
      try {
        if (step === "overflow" && !(await subscriptionState(this.db, a.user.id)).walletOverflow) throw short;
        taken = step === "subscription"
          ? await this.#holdFromSubscription(a, quota, meta, setting.billing_preference ? pref : undefined)
          : await this.#holdFromWallet(a, quota, meta);
        break;
      } catch (err) {
        // Only a short funding source moves on to the next one; a short token is short whoever pays.
        if (!(err instanceof InsufficientQuotaError) || err.scope === "token" || step === steps.at(-1)) {
          throw err;
        }
        short = err;
      }
    }
    const { held } = taken!;
    return new BillingSession(this, {
      requestId: a.requestId,
      price,
      reserved: held,
      extendStep: quota,
      promptTokens: a.promptTokens,
      exactPromptTokens: a.exactPromptTokens,
      isStream: a.isStream,
      requestPath: a.requestPath,
      count,
      logBase,
    });
  }

  /** The wallet pays: the hold comes from the wallet (and a limited token), by the store's path. */
  async #holdFromWallet(
    a: BeginArgs,
    quota: number,
    meta: ReservationMeta,
  ): Promise<{ held: number; walletHeld: number; tokenAmount: number }> {
    if (this.leases) {
      const held = await this.#holdInLease(this.book!, this.leases, a, quota, meta, true);
      return this.#heldIn(a, held, held, a.token && !a.token.unlimitedQuota ? held : 0);
    }
    // The book admits against the catalog's balances: they must take the hold in the same turn.
    if (this.book) return this.#heldIn(a, quota, quota, this.#holdInBook(this.book, a, quota, meta, true));
    const { tokenAmount } = await reserveQuota(this.db, this.#reserveArgs(a, quota, meta, false));
    return this.#heldIn(a, quota, quota, tokenAmount);
  }

  /** Takes a new hold out of the catalog's live balances (call in the turn the hold was taken). */
  #heldIn(a: BeginArgs, held: number, walletHeld: number, tokenAmount: number) {
    this.catalog.adjustUserQuota(a.user.id, -walletHeld);
    if (a.token && tokenAmount > 0) this.catalog.adjustTokenQuota(a.token.id, -tokenAmount);
    return { held, walletHeld, tokenAmount };
  }

  /**
   * A subscription pays (store/subscription_funding.ts): the hold is added to its used amount (never the
   * 100 × rule: New API always holds a subscription), a limited token is held by the same path as for the
   * wallet, and the wallet holds nothing. Throws InsufficientQuotaError("subscription") with nothing held.
   */
  async #holdFromSubscription(
    a: BeginArgs,
    quota: number,
    meta: ReservationMeta,
    pref: BillingPreference | undefined,
  ): Promise<{ held: number; walletHeld: number; tokenAmount: number }> {
    const hold = await holdSubscription(this.db, {
      requestId: a.requestId,
      userId: a.user.id,
      amount: quota,
    });
    if (!hold) throw new InsufficientQuotaError("subscription", Math.max(1, quota), 0);
    const paid: ReservationMeta = {
      ...meta,
      funding: { source: "subscription", subscriptionId: hold.subscriptionId },
    };
    const amount = hold.preConsumed;
    let taken: { held: number; walletHeld: number; tokenAmount: number };
    try {
      if (this.leases) {
        await this.#holdInLease(this.book!, this.leases, a, amount, paid, false);
        taken = this.#heldIn(a, amount, 0, a.token && !a.token.unlimitedQuota ? amount : 0);
      } else if (this.book) {
        taken = this.#heldIn(a, amount, 0, this.#holdInBook(this.book, a, amount, paid, false));
      } else {
        const { tokenAmount } = await reserveQuota(this.db, this.#reserveArgs(a, amount, paid, true));
        taken = this.#heldIn(a, amount, 0, tokenAmount);
      }
    } catch (err) {
      await refundSubscriptionHold(this.db, a.requestId);
      throw err;
    }
    this.#funding.set(a.requestId, { hold, pref });
    return taken;
  }

  #reserveArgs(a: BeginArgs, amount: number, meta: ReservationMeta, walletFree: boolean) {
    return {
      requestId: a.requestId,
      userId: a.user.id,
      tokenId: a.token?.id ?? 0,
      tokenUnlimited: a.token?.unlimitedQuota ?? true,
      amount,
      expiresAt: nowSeconds() + this.holdSeconds,
      owner: this.owner,
      meta,
      walletFree,
    };
  }

  /** Requests this process admitted on a subscription: their hold, for extensions, settlement and the log. */
  readonly #funding = new Map<string, { hold: SubscriptionHold; pref: BillingPreference | undefined }>();
  readonly #presence = new SubscriptionPresence();

  /**
   * The quota book's admission: the same rules as `reserveQuota`, checked against the live balances this
   * process owns (the catalog's, which the book keeps exact), in memory. Returns the token's part.
   */
  #holdInBook(book: QuotaBook, a: BeginArgs, amount: number, meta: ReservationMeta, wallet: boolean): number {
    if (book.has(a.requestId)) throw new DuplicateReservationError(a.requestId);
    const user = this.catalog.user(a.user.id);
    const left = user?.quota ?? 0;
    if (!user || (wallet && (left < amount || left <= 0))) {
      throw new InsufficientQuotaError("user", amount, left);
    }
    const tokenId = a.token?.id ?? 0;
    const limited = tokenId > 0 && !(a.token?.unlimitedQuota ?? true);
    if (limited) {
      const token = this.catalog.token(tokenId);
      const remain = token && token.userId === a.user.id ? token.remainQuota : 0;
      if (remain < amount || remain <= 0) throw new InsufficientQuotaError("token", amount, remain);
    }
    const tokenAmount = limited ? amount : 0;
    book.hold({
      requestId: a.requestId,
      userId: a.user.id,
      tokenId,
      amount: wallet ? amount : 0,
      tokenAmount,
      createdAt: nowSeconds(),
    });
    this.#meta.set(a.requestId, meta);
    return tokenAmount;
  }

  /**
   * Admission against this instance's leases (several instances): New API's hold rule (no hold when the
   * wallet, and a limited token, have more than 100 × the estimate; otherwise the estimate), covered by
   * the leases (taking a slice when short), then held in the book. Returns what was held.
   */
  async #holdInLease(
    book: QuotaBook,
    leases: LeaseBalances,
    a: BeginArgs,
    estimate: number,
    meta: ReservationMeta,
    wallet: boolean,
  ): Promise<number> {
    if (book.has(a.requestId)) throw new DuplicateReservationError(a.requestId);
    const userId = a.user.id;
    const tokenId = a.token?.id ?? 0;
    const limited = tokenId > 0 && !(a.token?.unlimitedQuota ?? true);
    const user = this.catalog.user(userId);
    if (!user) throw new InsufficientQuotaError("user", estimate, 0);
    const token = limited ? this.catalog.token(tokenId) : undefined;
    if (limited && (!token || token.userId !== userId)) {
      throw new InsufficientQuotaError("token", estimate, 0);
    }
    const amount = wallet && trustedHold(user.quota, limited ? token!.remainQuota : null, estimate)
      ? 0
      : estimate;
    for (let attempt = 0;; attempt++) {
      const [userOk, tokenOk] = await Promise.all([
        wallet ? leases.cover(LeaseKind.user, userId, amount, estimate) : true,
        limited ? leases.cover(LeaseKind.token, tokenId, amount, estimate, userId) : true,
      ]);
      if (!userOk) {
        throw new InsufficientQuotaError("user", amount, Math.max(0, this.catalog.user(userId)?.quota ?? 0));
      }
      if (!tokenOk) {
        throw new InsufficientQuotaError(
          "token",
          amount,
          Math.max(0, this.catalog.token(tokenId)?.remainQuota ?? 0),
        );
      }
      // Checked again in this turn: another request may have held what the awaits covered.
      const u = wallet ? leases.available(LeaseKind.user, userId) : Infinity;
      const t = limited ? leases.available(LeaseKind.token, tokenId) : Infinity;
      if (u >= amount && u > 0 && t >= amount && t > 0) break;
      // Each round either holds or takes more from the balance, which runs out: bounded, but capped anyway.
      if (attempt >= 50) {
        throw u < amount || u <= 0
          ? new InsufficientQuotaError("user", amount, Math.max(0, u))
          : new InsufficientQuotaError("token", amount, Math.max(0, t));
      }
    }
    book.hold({
      requestId: a.requestId,
      userId,
      tokenId,
      amount: wallet ? amount : 0,
      tokenAmount: limited ? amount : 0,
      tokenLimited: limited,
      createdAt: nowSeconds(),
    });
    this.#meta.set(a.requestId, meta);
    return amount;
  }

  /** The consume-row template of each hold in the book (written with its HELD row if it is persisted). */
  readonly #meta = new Map<string, ReservationMeta>();

  /**
   * Makes a book hold durable (a long request: its first checkpoint or heartbeat); from then on it takes
   * the ledger's path. False when the hold is not in the book.
   */
  async #persist(requestId: string): Promise<boolean> {
    if (!this.book?.has(requestId)) return false;
    const meta = this.#meta.get(requestId);
    const ok = await this.book.persist(requestId, {
      owner: this.owner,
      expiresAt: nowSeconds() + this.holdSeconds,
      meta: JSON.stringify(meta ?? null),
    });
    if (ok) this.#meta.delete(requestId);
    return ok;
  }

  #applyToCatalog(o: Outcome): void {
    if (!o.applied) return;
    if (o.userDelta !== 0) this.catalog.adjustUserQuota(o.userId, o.userDelta);
    if (o.tokenId > 0 && o.tokenDelta !== 0) this.catalog.adjustTokenQuota(o.tokenId, o.tokenDelta);
  }

  /** Settles a hold (used by BillingSession and the sweeper); logs only when LogConsumeEnabled. */
  async settleHeld(
    requestId: string,
    quota: number,
    channelId: number,
    row: Omit<NewLog, "type" | "quota">,
    tokens: number,
    resolution = "settle",
    funding?: ReservationMeta["funding"],
  ): Promise<Outcome> {
    const logConsume = optionRegistry.bool(this.catalog, "LogConsumeEnabled");
    let walletQuota: number | undefined;
    const paid = this.#funding.get(requestId);
    if (paid || funding) {
      ({ walletQuota, row } = await this.#settleSubscription(requestId, quota, row, paid, funding));
    }
    const outcome = this.book?.has(requestId)
      ? this.#settleInBook(
        this.book,
        requestId,
        quota,
        channelId,
        logConsume ? row : null,
        resolution,
        walletQuota,
      )
      : await withRetries(() =>
        settleReservation(
          this.db,
          { requestId, quota, channelId, log: logConsume ? row : null, resolution, walletQuota },
          this.logQueue,
        )
      );
    this.#applyToCatalog(outcome);
    if (outcome.applied && optionRegistry.bool(this.catalog, "DataExportEnabled")) {
      this.quotaData.add({
        userId: row.userId,
        username: row.username ?? "",
        modelName: row.modelName ?? "",
        useGroup: row.group ?? "",
        tokenId: row.tokenId ?? 0,
        channelId,
        createdAt: nowSeconds(),
        quota: outcome.charged,
        tokens,
      });
    }
    return outcome;
  }

  /**
   * The subscription's part of a settlement, first (its own compare-and-swap): the subscription moves to the
   * charge, capped at its total. What it could not cover goes to the wallet when every active subscription
   * allows wallet overflow, else it is left unpaid and recorded (`admin_info.subscription_shortfall`).
   * Returns what the wallet pays and the row with New API's billing fields.
   */
  async #settleSubscription(
    requestId: string,
    quota: number,
    row: Omit<NewLog, "type" | "quota">,
    paid: { hold: SubscriptionHold; pref: BillingPreference | undefined } | undefined,
    funding: ReservationMeta["funding"],
  ): Promise<{ walletQuota: number; row: Omit<NewLog, "type" | "quota"> }> {
    this.#funding.delete(requestId);
    const settled = await withRetries(() => settleSubscription(this.db, requestId, quota));
    let walletQuota = 0;
    const other: Record<string, unknown> = { ...(row.other ?? {}) };
    if (settled && settled.overflow > 0) {
      if ((await subscriptionState(this.db, row.userId)).walletOverflow) walletQuota = settled.overflow;
      else {
        other.admin_info = {
          ...(other.admin_info as Record<string, unknown> ?? {}),
          subscription_shortfall: settled.overflow,
        };
      }
    }
    if (paid) Object.assign(other, subscriptionLogOther(paid.pref, paid.hold, settled, walletQuota));
    else {Object.assign(other, {
        billing_source: "subscription",
        subscription_id: funding?.subscriptionId ?? 0,
      });}
    return { walletQuota, row: { ...row, other } };
  }

  /** The book's settlement: the ledger's rules, journaled in the next batch (store/quota_book.ts). */
  #settleInBook(
    book: QuotaBook,
    requestId: string,
    quota: number,
    channelId: number,
    row: Omit<NewLog, "type" | "quota"> | null,
    resolution: string,
    walletQuota = quota,
  ): Outcome {
    assertQuota("settled quota", quota);
    const h = book.get(requestId)!;
    const userDelta = h.amount - walletQuota;
    const tokenDelta = (h.tokenLimited ?? h.tokenAmount > 0) ? h.tokenAmount - quota : 0;
    // The wallet after this charge (the live balance already has the hold taken out).
    const after = (this.catalog.user(h.userId)?.quota ?? 0) + userDelta;
    const shortfall = userDelta < 0 ? Math.min(-userDelta, Math.max(0, -after)) : 0;
    const now = nowSeconds();
    book.settle({
      requestId,
      quota,
      channelId,
      shortfall,
      walletQuota,
      log: row,
      owner: this.owner,
      resolution,
      expiresAt: now,
      now,
    });
    this.#meta.delete(requestId);
    return {
      applied: true,
      status: ReservationStatus.settled,
      userId: h.userId,
      tokenId: h.tokenId,
      userDelta,
      tokenDelta,
      charged: quota,
      shortfall,
    };
  }

  /** Grows a live hold against the user's wallet; false when the wallet cannot cover `amount`. */
  async extendHeld(requestId: string, userId: number, amount: number): Promise<boolean> {
    const paid = this.#funding.get(requestId);
    if (paid) {
      // A subscription-paid hold grows on its subscription (never past the total), the wallet untouched.
      assertQuota("hold extension", amount);
      if (!(await extendSubscriptionHold(this.db, requestId, amount))) return false;
      paid.hold.preConsumed += amount;
      return true;
    }
    if (this.leases && this.book?.has(requestId)) {
      assertQuota("hold extension", amount);
      if (!(await this.leases.cover(LeaseKind.user, userId, amount, amount))) return false;
      if (!this.book.has(requestId) || this.leases.available(LeaseKind.user, userId) < amount) return false;
      this.book.extend(requestId, amount);
      if (amount > 0) this.catalog.adjustUserQuota(userId, -amount);
      return true;
    }
    if (this.book?.has(requestId)) {
      assertQuota("hold extension", amount);
      const left = this.catalog.user(userId)?.quota;
      if (left === undefined || left < amount) return false;
      this.book.extend(requestId, amount);
      if (amount > 0) this.catalog.adjustUserQuota(userId, -amount);
      return true;
    }
    const ok = await withRetries(() => extendHold(this.db, requestId, userId, amount));
    if (ok && amount > 0) this.catalog.adjustUserQuota(userId, -amount);
    return ok;
  }

  async releaseHeld(
    requestId: string,
    resolution = "release",
    funding?: ReservationMeta["funding"],
  ): Promise<Outcome> {
    if (this.#funding.delete(requestId) || funding) {
      await withRetries(() => refundSubscriptionHold(this.db, requestId));
    }
    const h = this.book?.take(requestId);
    if (h) {
      // Nothing of it was ever written: the release is the hold leaving memory.
      this.#meta.delete(requestId);
      const outcome: Outcome = {
        applied: true,
        status: ReservationStatus.released,
        userId: h.userId,
        tokenId: h.tokenId,
        userDelta: h.amount,
        tokenDelta: h.tokenAmount,
        charged: 0,
        shortfall: 0,
      };
      this.#applyToCatalog(outcome);
      return outcome;
    }
    const outcome = await withRetries(() => releaseReservation(this.db, requestId, resolution));
    this.#applyToCatalog(outcome);
    return outcome;
  }

  /** Marks a request's hold as live: the heartbeat extends it until `untrack`. */
  track(requestId: string): void {
    this.#open.set(requestId, Date.now());
  }

  untrack(requestId: string): void {
    this.#open.delete(requestId);
  }

  /** Requests holding quota on this instance now. */
  get openHolds(): number {
    return this.#open.size;
  }

  /** How often the heartbeat runs: three beats fit in one hold. */
  get heartbeatMs(): number {
    return Math.max(1, Math.floor(this.holdSeconds / 3)) * 1000;
  }

  /**
   * Extends the holds of every live request old enough to need it, in a few statements however many
   * requests are open (a request younger than one beat still has most of its hold). A request open past
   * MAX_SESSION_MS is a relay bug: it stops being extended and the sweeper ends it.
   */
  async heartbeat(now = Date.now()): Promise<number> {
    const due: string[] = [];
    for (const [requestId, openedAt] of this.#open) {
      if (now - openedAt > MAX_SESSION_MS) {
        this.#open.delete(requestId);
        log.warn("billing session never ended; leaving its hold to the sweeper", { requestId });
      } else if (now - openedAt >= this.heartbeatMs) due.push(requestId);
    }
    let extended = 0;
    if (this.book) {
      // A request that outlives one beat gets a durable hold (and then the ledger's heartbeat).
      const inBook = due.filter((id) => this.book!.has(id));
      for (const id of inBook) if (await this.#persist(id)) extended++;
    }
    for (let i = 0; i < due.length; i += 500) {
      extended += await extendReservations(this.db, due.slice(i, i + 500), nowSeconds() + this.holdSeconds);
    }
    return extended;
  }

  async checkpoint(
    requestId: string,
    c: { quota: number; promptTokens: number; completionTokens: number; channelId: number },
  ): Promise<void> {
    await this.#persist(requestId);
    await checkpointReservation(this.db, { requestId, ...c, expiresAt: nowSeconds() + this.holdSeconds });
  }

  /** Resolves stale holds by the policy above; returns how many were settled and released. */
  async sweep(
    opts: { now?: number; orphans?: boolean } = {},
  ): Promise<{ settled: number; released: number }> {
    const now = opts.now ?? nowSeconds();
    const done = { settled: 0, released: 0 };
    for (let round = 0; round < 50; round++) {
      const rows = await staleReservations(this.db, {
        now,
        notOwner: opts.orphans ? this.owner : undefined,
        limit: 200,
      });
      for (const r of rows) {
        if (r.checkpointQuota > 0) {
          const base = r.meta?.log ?? { userId: r.userId, tokenId: r.tokenId, requestId: r.requestId };
          const o = await this.settleHeld(
            r.requestId,
            Math.min(r.checkpointQuota, 2_147_483_647),
            r.channelId,
            {
              ...base,
              userId: r.userId,
              content:
                "settled by the reservation sweeper at the last usage checkpoint (its process stopped)",
              promptTokens: r.checkpointPrompt,
              completionTokens: r.checkpointCompletion,
              channelId: r.channelId,
              other: { ...(base.other ?? {}), estimated: true, swept: true },
            },
            r.checkpointPrompt + r.checkpointCompletion,
            "sweep_checkpoint",
            r.meta?.funding,
          );
          if (o.applied) done.settled++;
        } else {
          const o = await this.releaseHeld(r.requestId, "sweep_release", r.meta?.funding);
          if (o.applied) done.released++;
        }
      }
      if (rows.length < 200) break;
    }
    await this.prune(now);
    return done;
  }

  /** Forgets terminal holds older than RESERVATION_RETENTION_DAYS, a bounded batch per sweep. */
  async prune(now = nowSeconds()): Promise<number> {
    let pruned = 0;
    for (let round = 0; round < 10; round++) {
      const n = await pruneReservations(this.db, {
        before: now - RESERVATION_RETENTION_DAYS * 86_400,
        limit: 1000,
      });
      pruned += n;
      if (n < 1000) break;
    }
    return pruned;
  }

  /** An error row (type 5) for a failed attempt, when ERROR_LOG_ENABLED; written in batches. */
  recordError(e: ErrorLogArgs): void {
    if (!this.opts.errorLogEnabled) return;
    this.logQueue.push({
      userId: e.user.id,
      type: LogType.error,
      content: e.content,
      username: e.user.username,
      tokenName: e.token?.name ?? "",
      tokenId: e.token?.id ?? 0,
      modelName: e.model,
      channelId: e.channelId,
      group: e.group,
      isStream: e.isStream,
      useTime: Math.max(0, Math.floor(e.useTimeSeconds)),
      requestId: e.requestId,
      other: {
        request_id: e.requestId,
        ...(e.statusCode ? { status_code: e.statusCode } : {}),
        client_message: e.clientMessage,
        admin_info: { use_channel: e.useChannel.map(String) },
      },
    });
  }

  /** A system row (type 4), written in batches. */
  recordSystem(content: string, userId = 0): void {
    this.logQueue.push({ userId, type: LogType.system, content });
  }
}
