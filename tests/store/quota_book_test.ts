/**
 * The quota book on SQLite (holds in memory, settlements journaled in batches): the ledger's exactness
 * rules hold, the catalog's live balances stay exact across reloads from the store (the overlay), a long
 * request's hold becomes durable at its checkpoint, and a release writes nothing.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { type BillingFixture, billingFixture, counters, rid } from "../support/billing.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { testSecrets } from "../support/stores.ts";
import { InsufficientQuotaError } from "../../relay/billing/errors.ts";
import { getReservation } from "../../store/reservations.ts";
import { asInt, queryOne } from "../../store/db.ts";

const usage = (p: number, c: number) => ({
  inputTokens: p,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: c,
});

function bookTest(
  name: string,
  fn: (f: BillingFixture) => Promise<void>,
  opts: { tokenQuota?: number } = {},
) {
  Deno.test({
    name: `quota book: ${name}`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () =>
      withTempDir(async (dir) => {
        const db = await openSqlite({ path: `${dir}/book.db`, busyTimeoutMs: 10_000 });
        try {
          await migrate(db, allTables, migrations, { secrets: testSecrets });
          const f = await billingFixture(db, {
            userQuota: 1_000_000,
            tokenQuota: opts.tokenQuota ?? 1_000_000,
            unlimitedToken: false,
            options: { PreConsumedQuota: "500" },
            quotaBook: true,
          });
          await fn(f);
          await f.billing.stop();
        } finally {
          await db.close();
        }
      }),
  });
}

const begin = (f: BillingFixture, prompt = 20, maxTokens = 14) =>
  f.billing.begin({
    requestId: rid(),
    user: f.catalog.user(f.userId)!,
    token: f.token,
    model: "test-model",
    usingGroup: "default",
    promptTokens: prompt,
    maxTokens,
    isStream: false,
  });

bookTest("a token worth exactly 10 requests serves exactly 10 of 100 concurrent ones", async (f) => {
  const results = await Promise.allSettled(Array.from({ length: 100 }, async () => {
    const s = await begin(f);
    s.useChannel({ id: f.channelId });
    await new Promise((r) => setTimeout(r, 20));
    return await s.settle(usage(20, 14));
  }));
  assertEquals(results.filter((r) => r.status === "fulfilled").length, 10);
  assert(
    results.every((r) => r.status === "fulfilled" || r.reason instanceof InsufficientQuotaError),
    "the rest refused for quota",
  );
  await f.billing.flush();
  const c = await counters(f);
  assertEquals([c.tokenRemain, c.tokenUsed, c.userQuota, c.requestCount, c.consumeSum, c.held], [
    0,
    480,
    1_000_000 - 480,
    10,
    480,
    0,
  ]);
  assertEquals(
    asInt((await queryOne(f.db, "SELECT used_quota FROM channels WHERE id = ?", [f.channelId]))!.used_quota),
    480,
  );
}, { tokenQuota: 480 });

bookTest(
  "reloads from the store keep the live balances: held and unwritten amounts are added back",
  async (f) => {
    const held = await begin(f, 100, 100); // holds 300
    const done = await begin(f, 20, 14);
    done.useChannel({ id: f.channelId });
    await done.settle(usage(20, 10)); // 40, not written yet
    assertEquals(f.catalog.user(f.userId)!.quota, 1_000_000 - 300 - 40);
    assertEquals(
      asInt((await queryOne(f.db, "SELECT quota FROM users WHERE id = ?", [f.userId]))!.quota),
      1_000_000,
    );
    await f.catalog.reloadUser(f.userId);
    await f.catalog.reloadToken(f.tokenId);
    assertEquals(
      f.catalog.user(f.userId)!.quota,
      1_000_000 - 300 - 40,
      "the reload kept the hold and the charge",
    );
    assertEquals(f.catalog.token(f.tokenId)!.remainQuota, 1_000_000 - 300 - 40);
    await f.billing.flush();
    await f.catalog.loadAll();
    assertEquals(f.catalog.user(f.userId)!.quota, 1_000_000 - 300 - 40, "after the batch too");
    assertEquals(
      (await counters(f)).userQuota,
      1_000_000 - 40,
      "the store has the charge, not the live hold",
    );
    // An absolute balance set by an admin after the batch is the base the live hold is taken from.
    await f.db.exec("UPDATE users SET quota = 5000 WHERE id = ?", [f.userId]);
    await f.catalog.reloadUser(f.userId);
    assertEquals(f.catalog.user(f.userId)!.quota, 5000 - 300);
    await held.release();
    assertEquals(f.catalog.user(f.userId)!.quota, 5000);
    assertEquals(await getReservation(f.db, held.requestId), undefined, "a release writes nothing");
  },
);

bookTest(
  "a long request's hold becomes durable at its checkpoint and settles on the ledger's path",
  async (f) => {
    const s = await begin(f, 100, 100);
    s.useChannel({ id: f.channelId });
    await s.checkpoint(usage(100, 7));
    assertEquals(f.billing.book!.size, 0);
    const r = (await getReservation(f.db, s.requestId))!;
    assertEquals([r.status, r.amount, r.checkpointQuota], ["HELD", 300, 114]);
    const c = await counters(f);
    assertEquals([c.userQuota, c.tokenRemain], [1_000_000 - 300, 1_000_000 - 300], "the store holds it now");
    await f.catalog.reloadUser(f.userId);
    assertEquals(f.catalog.user(f.userId)!.quota, 1_000_000 - 300, "and the book no longer counts it");
    const o = await s.settle(usage(100, 50));
    assertEquals([o!.applied, o!.charged], [true, 200]);
    const after = await counters(f);
    assertEquals([after.userQuota, after.tokenRemain, after.consumeSum, after.held], [
      1_000_000 - 200,
      1_000_000 - 200,
      200,
      0,
    ]);
  },
);

bookTest("an overrun is charged in full and the part the wallet lacked is the shortfall", async (f) => {
  await f.db.exec("UPDATE users SET quota = 100 WHERE id = ?", [f.userId]);
  await f.catalog.reloadUser(f.userId);
  const s = await begin(f, 20, 14); // holds 48
  s.useChannel({ id: f.channelId });
  const o = await s.settle(usage(20, 100)); // costs 220
  assertEquals([o!.charged, o!.shortfall], [220, 120]);
  await f.billing.flush();
  const r = (await getReservation(f.db, s.requestId))!;
  assertEquals([r.status, r.settledQuota, r.shortfall], ["SETTLED", 220, 120]);
  assertEquals((await counters(f)).userQuota, -120);
  await assertRejectsQuota(f);
});

async function assertRejectsQuota(f: BillingFixture): Promise<void> {
  try {
    await begin(f);
    throw new Error("admitted on a negative wallet");
  } catch (err) {
    assert(err instanceof InsufficientQuotaError, String(err));
  }
}

Deno.test("quota book batches are written in statements of 64, 16, 4 and 1 rows", async () => {
  const { chunks } = await import("../../store/quota_book.ts");
  assertEquals(chunks(0), []);
  assertEquals(chunks(5), [[0, 4], [4, 1]]);
  assertEquals(chunks(150).map(([, n]) => n), [64, 64, 16, 4, 1, 1]);
  assertEquals(chunks(150).reduce((t, [, n]) => t + n, 0), 150);
});

bookTest(
  "a request that outlives one heartbeat gets its durable hold, so a crash after that is swept",
  async (f) => {
    const s = await begin(f, 100, 100);
    assertEquals(await f.billing.heartbeat(Date.now() + 1_000), 0, "younger than a beat: stays in memory");
    assertEquals(await getReservation(f.db, s.requestId), undefined);
    assert((await f.billing.heartbeat(Date.now() + f.billing.heartbeatMs + 1)) >= 1);
    assertEquals(f.billing.book!.size, 0);
    assertEquals((await getReservation(f.db, s.requestId))!.status, "HELD");
    assertEquals((await counters(f)).userQuota, 1_000_000 - 300);
    await s.release();
    const c = await counters(f);
    assertEquals([c.userQuota, c.tokenRemain, c.held], [1_000_000, 1_000_000, 0]);
    assertEquals((await getReservation(f.db, s.requestId))!.status, "RELEASED");
  },
);
