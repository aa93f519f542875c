/**
 * One heartbeat for every live request: it extends the holds of open sessions (so only a dead process's
 * holds expire), stops at the end of a session, and gives up on a session open past MAX_SESSION_MS.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { storeTest } from "../../support/stores.ts";
import { billingFixture } from "../../support/billing.ts";
import { MAX_SESSION_MS } from "../../../relay/billing/session.ts";
import { getReservation } from "../../../store/reservations.ts";

storeTest("the heartbeat extends open holds only, in one pass, until their session ends", async (s) => {
  const db = await s.openMigrated();
  try {
    const f = await billingFixture(db, { userQuota: 1_000_000, holdSeconds: 1 });
    const begin = (requestId: string) =>
      f.billing.begin({
        requestId,
        user: f.user,
        token: f.token,
        model: "test-model",
        usingGroup: "default",
        promptTokens: 10,
        maxTokens: 10,
        isStream: true,
      });
    const open = await Promise.all(["hb-1", "hb-2", "hb-3"].map(begin));
    const ended = await begin("hb-ended");
    await ended.release();
    const before = (await getReservation(db, "hb-1"))!.expiresAt;
    assertEquals(await f.billing.heartbeat(), 0, "a session younger than one beat still has a fresh hold");
    await new Promise((r) => setTimeout(r, 1100));
    assertEquals(await f.billing.heartbeat(), 3);
    assert((await getReservation(db, "hb-1"))!.expiresAt > before);
    assertEquals((await getReservation(db, "hb-ended"))!.status, "RELEASED");

    await open[0].release();
    await new Promise((r) => setTimeout(r, 1100));
    assertEquals(await f.billing.heartbeat(), 2);
    // A session nobody ended is left to the sweeper after MAX_SESSION_MS.
    assertEquals(await f.billing.heartbeat(Date.now() + MAX_SESSION_MS + 1), 0);
    await new Promise((r) => setTimeout(r, 1100));
    assertEquals(await f.billing.heartbeat(), 0);
    for (const session of open) await session.release();
  } finally {
    await db.close();
  }
});
