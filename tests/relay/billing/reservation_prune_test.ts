/**
 * The ledger does not grow forever: the sweeper deletes settled and released holds once they are older
 * than the retention, and never a HELD one or a recent one.
 */
import { assertEquals } from "../../support/assert.ts";
import { storeTest } from "../../support/stores.ts";
import { billingFixture } from "../../support/billing.ts";
import { RESERVATION_RETENTION_DAYS } from "../../../relay/billing/billing.ts";
import {
  getReservation,
  releaseReservation,
  reserveQuota,
  settleReservation,
} from "../../../store/reservations.ts";

storeTest("terminal holds older than the retention are pruned; held and recent ones stay", async (s) => {
  const db = await s.openMigrated();
  try {
    const f = await billingFixture(db, { userQuota: 1_000_000 });
    const now = 2_000_000_000;
    const old = now - RESERVATION_RETENTION_DAYS * 86_400 - 60;
    const hold = (requestId: string, at: number) =>
      reserveQuota(db, {
        requestId,
        userId: f.userId,
        tokenId: f.tokenId,
        tokenUnlimited: true,
        amount: 10,
        expiresAt: at + 60,
        owner: "test",
        meta: { log: { userId: f.userId } },
        now: at,
      });
    await hold("old-settled", old - 120);
    await settleReservation(db, { requestId: "old-settled", quota: 5, channelId: 0, log: null, now: old });
    await hold("old-released", old - 120);
    await releaseReservation(db, "old-released", "release", old);
    await hold("old-held", old - 120);
    await hold("recent-settled", now - 120);
    await settleReservation(db, { requestId: "recent-settled", quota: 5, channelId: 0, log: null, now });

    assertEquals(await f.billing.prune(now), 2);
    assertEquals(await getReservation(db, "old-settled"), undefined);
    assertEquals(await getReservation(db, "old-released"), undefined);
    assertEquals((await getReservation(db, "old-held"))?.status, "HELD");
    assertEquals((await getReservation(db, "recent-settled"))?.status, "SETTLED");
    assertEquals(await f.billing.prune(now), 0);
  } finally {
    await db.close();
  }
});
