/**
 * One client request's billing, from reservation to its single terminal state. The relay keeps one
 * session across retries on other channels (one reservation per client request) and ends it with exactly
 * one of `settle`, `settleAtEnd` or `release`; later calls are no-ops. While it is open, the billing
 * service's heartbeat extends the durable hold so only a dead process's holds ever expire.
 */
import type { Billing } from "./billing.ts";
import { consumeOther, loggedPromptTokens } from "./log_other.ts";
import { channelPromptCacheRatio, type PriceData, usageQuota, withChannelCacheRatio } from "./pricing.ts";
import { type EndState, type RequestEnd, usageAtEnd } from "./stream_end.ts";
import { StreamMeter } from "./stream_meter.ts";
import { webSearchQuota } from "./tool_price.ts";
import type { CountTokens } from "./estimate.ts";
import { type BillableUsage, promptTokensOf, sanitizeUsage } from "./usage.ts";
import type { NewLog } from "../../store/logs.ts";
import type { Outcome } from "../../store/reservations.ts";

/** The channel that served an attempt; `setting` may carry `prompt_cache_ratio` (0–1). */
export interface ChannelRef {
  id: number;
  setting?: string;
}

export interface SettleOptions {
  /** The channel that produced the answer (defaults to the last one passed to `useChannel`). */
  channel?: ChannelRef;
  /** The model name sent upstream after channel mapping, when it differs. */
  upstreamModel?: string;
  reasoningEffort?: string;
  /** How the request ended (recorded in `other.stream_status` for streams that did not complete). */
  end?: RequestEnd;
  /** Extra multiplier for per-call prices (e.g. image size/quality), default 1. */
  priceMultiplier?: number;
  /** Human-readable note for the log's `content` (never upstream error text). */
  content?: string;
  /** Built-in web search calls to add at their per-call price (alpha search: one). */
  webSearchCalls?: number;
}

export interface SettleResult extends Outcome {
  /** The charge computed from usage, before the balance limited it. */
  quota: number;
  /** The tokens the consume row records (its `prompt_tokens`, `completion_tokens`). */
  promptTokens: number;
  completionTokens: number;
}

export interface SessionInit {
  requestId: string;
  price: PriceData;
  reserved: number;
  /**
   * How much a stream's hold grows by when its running cost passes it (default `reserved`). A request
   * admitted without a hold (New API's rule for a balance over 100× the estimate) extends by the estimate.
   */
  extendStep?: number;
  /** The prompt estimate the hold was taken from. */
  promptTokens: number;
  /** The exact prompt count with `count`, made once and only when billing needs it (see `promptTokens`). */
  exactPromptTokens?: (count: CountTokens) => number;
  isStream: boolean;
  requestPath?: string;
  count: CountTokens;
  /** Everything of the consume row that is known at the start. */
  logBase: Omit<
    NewLog,
    "type" | "quota" | "promptTokens" | "completionTokens" | "useTime" | "channelId" | "other"
  >;
}

/** How much delivered text (UTF-16 units) may pass between exact running-cost checks of a stream. */
export const COVER_CHECK_CHARS = 256;

/** The longest a live request keeps renewing its hold (streams included). */
export const MAX_SESSION_MS = 6 * 3600 * 1000;

export class BillingSession {
  readonly requestId: string;
  /** The price (its group ratio is the group's the request is routed through; see `switchGroup`). */
  price: PriceData;
  /** Quota held for this request when it was admitted (`held` is the hold now, after extensions). */
  readonly reserved: number;
  /** The prompt estimate the hold was taken from (also the prompt part of a stream's running cost). */
  readonly promptEstimate: number;
  /** Counts the completion delivered to the client (feed it content deltas as they are written). */
  readonly meter: StreamMeter;
  readonly #init: SessionInit;
  readonly #startedAt = Date.now();
  #firstResponseAt?: number;
  #channels: number[] = [];
  #channel?: ChannelRef;
  #done = false;
  #checkpointAt = 0;
  #held: number;
  /** Delivered characters at the last exact cost check (`coverDelivered`). */
  #checkedChars = -Infinity;
  #promptTokens?: number;
  #adminNotes: Record<string, unknown> = {};
  /** The group routed through when cross-group retry moved the request (the row's `group`). */
  #group?: string;

  constructor(private readonly billing: Billing, init: SessionInit) {
    this.requestId = init.requestId;
    this.price = init.price;
    this.reserved = init.reserved;
    this.#held = init.reserved;
    this.promptEstimate = init.promptTokens;
    this.meter = new StreamMeter(init.count);
    this.#init = init;
    billing.track(this.requestId);
  }

  /**
   * The prompt's exact count (the tokenizer's, with New API's overheads), counted on first use: only a
   * request that ends without the upstream's usage (or checkpoints) needs it.
   */
  get promptTokens(): number {
    return this.#promptTokens ??= this.#init.exactPromptTokens?.(this.#init.count) ?? this.promptEstimate;
  }

  /** Records the channel of an attempt (the retry chain, `admin_info.use_channel`). */
  useChannel(channel: ChannelRef): void {
    this.#channels.push(channel.id);
    this.#channel = channel;
  }

  /**
   * Cross-group retry: the request moves to `group`, priced at `price` (that group's ratio). The hold is
   * grown when the new group costs more (scaled by the ratios, as every quota is linear in the group
   * ratio); false, with nothing changed, when the wallet cannot cover it or the old group was free.
   */
  async switchGroup(group: string, price: PriceData): Promise<boolean> {
    const old = this.price.groupRatio;
    if (price.groupRatio > old) {
      if (old <= 0) return false;
      const need = Math.ceil(this.#held * price.groupRatio / old) - this.#held;
      if (!(await this.billing.extendHeld(this.requestId, this.#init.logBase.userId, need))) return false;
      this.#held += need;
    }
    this.price = price;
    this.#group = group;
    return true;
  }

  /** A routing decision for the consume row's `admin_info` (affinity, failover, ...), under `key`. */
  adminNote(key: string, value: unknown): void {
    this.#adminNotes[key] = value;
  }

  /** The channels tried so far, in order (`admin_info.use_channel`). */
  get channelsTried(): readonly number[] {
    return this.#channels;
  }

  /** Marks the first byte of the answer (the log's `frt`). */
  markFirstResponse(): void {
    this.#firstResponseAt ??= Date.now();
  }

  /** Milliseconds from arrival to the answer's first byte, once there was one. */
  get firstResponseMs(): number | undefined {
    return this.#firstResponseAt === undefined ? undefined : this.#firstResponseAt - this.#startedAt;
  }

  get finished(): boolean {
    return this.#done;
  }

  /** The quota held now: the admission hold plus every extension. */
  get held(): number {
    return this.#held;
  }

  /**
   * Keeps the hold ahead of a stream's running cost (the prompt estimate the hold was taken from plus the
   * completion delivered so far). When the cost passes the hold, the hold is extended against the wallet: by at least the
   * admission hold, so extensions stay rare, or by exactly what is missing when the wallet has less.
   * Returns undefined while covered, or the running cost when the wallet cannot cover it (the caller
   * cuts the stream and settles what was delivered). The exact count (a tokenizer call) is made at most
   * once per COVER_CHECK_CHARS delivered, and only once a cheap upper bound passes the hold.
   */
  async coverDelivered(): Promise<{ cost: number } | undefined> {
    if (!this.coverDue) return undefined;
    const userId = this.#init.logBase.userId;
    const stepSize = this.#init.extendStep ?? this.reserved;
    // When one step covers even the cheap upper bound, extend by it without an exact count.
    if (stepSize > 0 && this.#costOf(this.meter.maxTokens) - this.#held <= stepSize) {
      if (await this.billing.extendHeld(this.requestId, userId, stepSize)) {
        this.#held += stepSize;
        return undefined;
      }
    }
    this.#checkedChars = this.meter.chars;
    const cost = this.#costOf(this.meter.tokens);
    const need = cost - this.#held;
    if (need <= 0) return undefined;
    for (const step of need < stepSize ? [stepSize, need] : [need]) {
      if (await this.billing.extendHeld(this.requestId, userId, step)) {
        this.#held += step;
        return undefined;
      }
    }
    return { cost };
  }

  /**
   * Whether `coverDelivered` has an exact check to make now; synchronous, so a stream's events skip its
   * await while the cheap upper bound is covered or too little was delivered since the last check.
   */
  get coverDue(): boolean {
    if (this.#done || this.price.usePrice) return false;
    // No cache tokens in this estimate, so the channel's cache ratio cannot change it.
    if (this.#costOf(this.meter.maxTokens) <= this.#held) return false;
    return this.meter.chars - this.#checkedChars >= COVER_CHECK_CHARS;
  }

  /** The charge `usage` would settle at on the current channel (realtime sessions' running cost). */
  chargeFor(usage: BillableUsage): number {
    return usageQuota(this.#priced(this.#channel), sanitizeUsage(usage).usage).quota;
  }

  /**
   * Keeps the hold of a long session (a realtime one) at least `cost + margin`, extending it against the
   * wallet. False when the wallet cannot cover that: the caller ends the session.
   */
  async coverCost(cost: number, margin: number): Promise<boolean> {
    const need = cost + margin - this.#held;
    if (this.#done || need <= 0) return true;
    if (!(await this.billing.extendHeld(this.requestId, this.#init.logBase.userId, need))) return false;
    this.#held += need;
    return true;
  }

  /** The charge for the estimated prompt plus `outputTokens` of completion. */
  #costOf(outputTokens: number): number {
    return usageQuota(this.price, {
      inputTokens: Math.max(0, this.promptEstimate),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens,
    }).quota;
  }

  /**
   * Persists usage seen so far on a long request (at most every 15 s), so that after a crash the sweeper
   * settles at it instead of releasing the hold.
   */
  async checkpoint(usage: BillableUsage): Promise<void> {
    if (this.#done || Date.now() - this.#checkpointAt < 15_000) return;
    this.#checkpointAt = Date.now();
    const u = sanitizeUsage(usage).usage;
    const charge = usageQuota(this.#priced(this.#channel), u).quota;
    await this.billing.checkpoint(this.requestId, {
      quota: charge,
      promptTokens: loggedPromptTokens(u),
      completionTokens: u.outputTokens,
      channelId: this.#channel?.id ?? 0,
    });
  }

  #priced(channel?: ChannelRef): PriceData {
    return withChannelCacheRatio(this.price, channelPromptCacheRatio(channel?.setting));
  }

  #finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.billing.untrack(this.requestId);
    return true;
  }

  /** Charges `usage` (clamped, saturated) and releases the rest of the hold. Exactly once. */
  async settle(usage: BillableUsage, opts: SettleOptions = {}): Promise<SettleResult | undefined> {
    if (!this.#finish()) return undefined;
    const channel = opts.channel ?? this.#channel;
    if (opts.channel && this.#channels.at(-1) !== opts.channel.id) this.#channels.push(opts.channel.id);
    const { usage: u, clamped } = sanitizeUsage(usage);
    const price = this.#priced(channel);
    const charge = usageQuota(price, u, opts.priceMultiplier ?? 1);
    const toolQuota = webSearchQuota(price, opts.webSearchCalls ?? 0);
    if (toolQuota > 0) charge.quota = Math.min(Number.MAX_SAFE_INTEGER, charge.quota + toolQuota);
    const now = Date.now();
    const other = consumeOther({
      price,
      usage: u,
      requestId: this.requestId,
      isStream: this.#init.isStream,
      frtMs: (this.#firstResponseAt ?? now) - this.#startedAt,
      useChannel: this.#channels,
      adminNotes: this.#adminNotes,
      upstreamModel: opts.upstreamModel,
      reasoningEffort: opts.reasoningEffort,
      requestPath: this.#init.requestPath,
      end: opts.end,
      clamp: charge.clamp,
      usageClamped: clamped,
      webSearchCalls: opts.webSearchCalls,
    });
    const content = [opts.content, u.estimated ? "usage estimated locally: the upstream reported none" : ""]
      .filter(Boolean).join("; ");
    const promptTokens = loggedPromptTokens(u);
    const outcome = await this.billing.settleHeld(this.requestId, charge.quota, channel?.id ?? 0, {
      ...this.#init.logBase,
      ...(this.#group === undefined ? {} : { group: this.#group }),
      content,
      promptTokens,
      completionTokens: u.outputTokens,
      useTime: Math.floor((now - this.#startedAt) / 1000),
      channelId: channel?.id ?? 0,
      other,
    }, promptTokensOf(u) + u.outputTokens);
    return { ...outcome, quota: charge.quota, promptTokens, completionTokens: u.outputTokens };
  }

  /**
   * Ends the request by the disconnect/failure policy (stream_end.ts): settles the upstream's usage, or
   * the estimated prompt plus what the meter counted, or releases when nothing was delivered.
   */
  async settleAtEnd(
    state: Omit<EndState, "promptTokens" | "meter">,
    opts: SettleOptions = {},
  ): Promise<SettleResult | undefined> {
    // The upstream's usage wins (usageAtEnd's first rule) without counting the prompt.
    const usage = state.upstreamUsage ??
      usageAtEnd({ ...state, promptTokens: this.promptTokens, meter: this.meter });
    if (usage === null) {
      await this.release();
      return undefined;
    }
    return await this.settle(usage, { ...opts, end: state.end });
  }

  /** Gives the whole hold back (the request failed before producing anything). Exactly once. */
  async release(): Promise<Outcome | undefined> {
    if (!this.#finish()) return undefined;
    return await this.billing.releaseHeld(this.requestId);
  }
}
