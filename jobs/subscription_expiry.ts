/**
 * Subscription upkeep, as New API's periodic `ExpireDueSubscriptions` and `ResetDueSubscriptions`: once a
 * minute one instance (the scheduler's lease) marks subscriptions whose end has passed `expired` and puts
 * users a subscription lifted to its upgrade group back in their group (then tells every instance about
 * those users), resets the used amount of subscriptions whose quota period passed, and gives back the
 * subscription holds of requests whose process died before settling them.
 */
import type { Job } from "./scheduler.ts";
import type { Db } from "../store/db.ts";
import { expireDueSubscriptions } from "../store/subscriptions.ts";
import { resetDueSubscriptions, sweepSubscriptionHolds } from "../store/subscription_funding.ts";
import { MAX_SESSION_MS } from "../relay/billing/session.ts";
import { log } from "../server/logger.ts";

/** A subscription hold older than the longest live request (plus an hour) has no request left to settle it. */
export const ORPHAN_HOLD_SECONDS = MAX_SESSION_MS / 1000 + 3600;

export function subscriptionExpiryJob(
  deps: { db: Db; cache: { publish(change: { kind: "user"; id: number }): Promise<void> } },
  tickMs = 60_000,
): Job {
  return {
    name: "subscription_expiry",
    intervalMs: tickMs,
    async run() {
      const users = await expireDueSubscriptions(deps.db);
      for (const id of users) await deps.cache.publish({ kind: "user", id });
      if (users.length > 0) {
        log.info("expired subscriptions moved users back to their group", { users: users.length });
      }
      const reset = await resetDueSubscriptions(deps.db);
      if (reset > 0) log.info("subscription quota periods reset", { subscriptions: reset });
      const swept = await sweepSubscriptionHolds(deps.db, { olderThanSeconds: ORPHAN_HOLD_SECONDS });
      if (swept.refunded > 0) log.warn("gave back subscription holds of requests that never settled", swept);
    },
  };
}
