/**
 * Sends notices to users by the channel their settings name (email by default, webhook, Bark, Gotify),
 * through the KV queue: `notifyUser` applies the per-user, per-type throttle and queues the delivery; the
 * queue handler sends it and, when the receiver fails, queues it again after an exponentially growing
 * delay, then gives up and logs. Refusals by the SSRF guard and invalid settings are not retried.
 */
import { enqueueMessage, type QueueRouter } from "../kv/queue.ts";
import type { FetchSetting } from "../net/fetch_setting.ts";
import { type Resolver, SsrfRefusedError } from "../net/ssrf_fetch.ts";
import { log } from "../server/logger.ts";
import { DeliveryError } from "./delivery_error.ts";
import { type EmailSettings, sendEmail } from "./email.ts";
import { type Notice, quotaBelowThreshold, quotaWarningNotice } from "./notice.ts";
import { sendBark, sendGotify } from "./push.ts";
import { takeNotifySlot } from "./throttle.ts";
import type { NotifyType, UserSetting } from "./user_setting.ts";
import { sendWebhook } from "./webhook.ts";
import { openSettingSecrets } from "./setting_secrets.ts";

export interface Recipient {
  userId: number;
  /** The account's email, used when the setting names no notification email. */
  email?: string;
  setting: UserSetting;
}

export interface DeliveryOutcome {
  userId: number;
  type: string;
  via: NotifyType;
  delivered: boolean;
  attempts: number;
  error?: string;
}

export interface NotifierOptions {
  kv: Deno.Kv;
  /** Opens the users' notification secrets, which stay encrypted in the queue until sent. */
  cryptoSecret: string;
  /** NOTIFY_LIMIT_COUNT per NOTIFICATION_LIMIT_DURATION_MINUTE. */
  throttle: { count: number; minutes: number };
  /** Current `fetch_setting.*` options (read at each delivery, so admin changes apply). */
  fetchSetting: () => FetchSetting;
  /** Current SMTP options, or null when email is not configured. */
  email: () => EmailSettings | null;
  /** Attempts in all, and the delay before the first retry (doubling each time). Default 5 × 1 s. */
  retry?: { attempts: number; baseDelayMs: number };
  resolver?: Resolver;
  /** Called once per notice when it is delivered or given up (metrics, tests). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

interface Delivery {
  recipient: Recipient;
  notice: Notice;
  via: NotifyType;
  attempt: number;
}

export type NotifyResult = "queued" | "throttled" | "no_destination";

const queueKind = "notify";

export class Notifier {
  readonly #o: NotifierOptions;
  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  /** Registers the delivery handler on the process's queue router. */
  register(router: QueueRouter): void {
    router.on<Delivery>(queueKind, (d) => this.#deliver(d));
  }

  /** Queues `notice` for the user unless the throttle is spent or the user set no destination. */
  async notifyUser(recipient: Recipient, notice: Notice): Promise<NotifyResult> {
    const via = recipient.setting.notify_type ?? "email";
    if (!destination(recipient, via)) {
      log.info("notification skipped: no destination", { userId: recipient.userId, via });
      return "no_destination";
    }
    if (!await takeNotifySlot(this.#o.kv, recipient.userId, notice.type, this.#o.throttle)) {
      log.info("notification throttled", { userId: recipient.userId, type: notice.type });
      return "throttled";
    }
    await enqueueMessage<Delivery>(this.#o.kv, queueKind, { recipient, notice, via, attempt: 1 });
    return "queued";
  }

  /**
   * New API's quota warning: after a charge, warns when the quota left is below the user's threshold
   * (or the site's `QuotaRemindThreshold`). `remaining` is the formatted amount to show.
   */
  notifyQuotaIfLow(
    recipient: Recipient,
    quota: { before: number; charged: number; siteThreshold: number; remaining: string; topUpLink: string },
  ): Promise<NotifyResult | "above_threshold"> {
    const threshold = recipient.setting.quota_warning_threshold;
    if (!quotaBelowThreshold(quota.before, quota.charged, threshold, quota.siteThreshold)) {
      return Promise.resolve("above_threshold");
    }
    const via = recipient.setting.notify_type ?? "email";
    return this.notifyUser(recipient, quotaWarningNotice(quota.remaining, quota.topUpLink, via));
  }

  async #deliver(d: Delivery): Promise<void> {
    const { recipient, notice, via } = d;
    try {
      await this.#send(d);
      this.#o.onOutcome?.({
        userId: recipient.userId,
        type: notice.type,
        via,
        delivered: true,
        attempts: d.attempt,
      });
    } catch (err) {
      const error = (err as Error)?.message ?? String(err);
      const retry = !(err instanceof SsrfRefusedError) && !(err instanceof DeliveryError && !err.retry);
      const { attempts, baseDelayMs } = this.#o.retry ?? { attempts: 5, baseDelayMs: 1000 };
      if (retry && d.attempt < attempts) {
        log.info("notification failed, will retry", {
          userId: recipient.userId,
          via,
          attempt: d.attempt,
          error,
        });
        await enqueueMessage<Delivery>(
          this.#o.kv,
          queueKind,
          { ...d, attempt: d.attempt + 1 },
          baseDelayMs * 2 ** (d.attempt - 1),
        );
        return;
      }
      log.warn("notification given up", {
        userId: recipient.userId,
        type: notice.type,
        via,
        attempts: d.attempt,
        error,
      });
      this.#o.onOutcome?.({
        userId: recipient.userId,
        type: notice.type,
        via,
        delivered: false,
        attempts: d.attempt,
        error,
      });
    }
  }

  async #send({ recipient, notice, via }: Delivery): Promise<void> {
    let s: UserSetting;
    try {
      s = openSettingSecrets(this.#o.cryptoSecret, recipient.setting);
    } catch {
      throw new DeliveryError(
        "the notification secret cannot be decrypted (was CRYPTO_SECRET changed?)",
        false,
      );
    }
    const fetchOptions = { setting: this.#o.fetchSetting(), resolver: this.#o.resolver };
    switch (via) {
      case "webhook":
        return await sendWebhook(s.webhook_url!, s.webhook_secret, notice, fetchOptions);
      case "bark":
        return await sendBark(s.bark_url!, notice, fetchOptions);
      case "gotify":
        return await sendGotify(s.gotify_url!, s.gotify_token!, s.gotify_priority, notice, fetchOptions);
      case "email": {
        const email = this.#o.email();
        if (!email) throw new DeliveryError("SMTP is not configured", false);
        return await sendEmail(email, destination(recipient, via)!, notice);
      }
    }
  }
}

/** Where the notice would go for this channel, or undefined when the user set nothing usable. */
function destination(r: Recipient, via: NotifyType): string | undefined {
  const s = r.setting;
  switch (via) {
    case "email":
      return s.notification_email || r.email || undefined;
    case "webhook":
      return s.webhook_url || undefined;
    case "bark":
      return s.bark_url || undefined;
    case "gotify":
      return s.gotify_url && s.gotify_token ? s.gotify_url : undefined;
  }
}
