/**
 * Subscription expiry, as New API's periodic `ExpireDueSubscriptions`: once a minute one instance (the
 * scheduler's lease) marks subscriptions whose end has passed `expired` and puts users a subscription lifted
 * to its upgrade group back in their group, then tells every instance about those users.
 */
import type { Job } from "./scheduler.ts";
import type { Db } from "../store/db.ts";
import { expireDueSubscriptions } from "../store/subscriptions.ts";
import { log } from "../server/logger.ts";

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
    },
  };
}
