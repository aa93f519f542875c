/**
 * Relay requests paid by a subscription, on SQLite (the quota book, and the ledger without it), PostgreSQL
 * and MariaDB (three instances on quota leases, and the ledger): New API's funding rules, exact amounts,
 * no overdraft under concurrency, each settlement and release once, period resets and orphaned holds.
 */
import { assert, assertEquals, assertRejects } from "../../support/assert.ts";
import { type BillingFixture, billingFixture, counters, rid } from "../../support/billing.ts";
import { type StoreFixture, storeTest, testSecrets } from "../../support/stores.ts";
import { Catalog } from "../../../store/cache/catalog.ts";
import { Billing } from "../../../relay/billing/billing.ts";
import { InsufficientQuotaError } from "../../../relay/billing/errors.ts";
import { asInt, type Db, nowSeconds, queryOne } from "../../../store/db.ts";
import { createSubscriptionTx, insertPlan, type PlanInput } from "../../../store/subscriptions.ts";
import {
  holdSubscription,
  resetDueSubscriptions,
  settleSubscription,
  sweepSubscriptionHolds,
} from "../../../store/subscription_funding.ts";
import { subscriptionExpiryJob } from "../../../jobs/subscription_expiry.ts";

const usage = (p: number, c: number) => ({
  inputTokens: p,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: c,
});

const PLAN: PlanInput = {
  title: "Pro",
  subtitle: "",
  priceAmount: 0,
  currency: "USD",
  durationUnit: "month",
  durationValue: 1,
  customSeconds: 0,
  enabled: true,
  sortOrder: 0,
  allowBalancePay: true,
  allowWalletOverflow: false,
  stripePriceId: "",
  creemProductId: "",
  waffoPancakeProductId: "",
  maxPurchasePerUser: 0,
  upgradeGroup: "",
  downgradeGroup: "",
  totalAmount: 480,
  quotaResetPeriod: "never",
  quotaResetCustomSeconds: 0,
};

type Mode = "book" | "ledger" | "leases";

interface Setup {
  f: BillingFixture;
  instances: Billing[];
  catalogs: Catalog[];
  dbs: Db[];
}

/** The fixture in `mode` (leases: three instances, each with its own pool and catalog). */
async function setup(s: StoreFixture, mode: Mode) {
  const db = await s.openMigrated();
  const leases = mode === "leases" ? { leaseSeconds: 3 } : undefined;
  const f = await billingFixture(db, {
    userQuota: 1_000_000,
    tokenQuota: 1_000_000,
    unlimitedToken: false,
    options: { PreConsumedQuota: "500" },
    quotaBook: mode === "book",
    leases,
  });
  const out: Setup = { f, instances: [f.billing], catalogs: [f.catalog], dbs: [db] };
  if (leases) {
    for (let i = 0; i < 2; i++) {
      const other = await s.open();
      const catalog = new Catalog(other, testSecrets.cryptoSecret);
      await catalog.loadAll();
      out.dbs.push(other);
      out.catalogs.push(catalog);
      out.instances.push(
        new Billing(other, catalog, {
          errorLogEnabled: false,
          holdSeconds: 60,
          singleProcess: false,
          leases,
        }),
      );
    }
  }
  return out;
}

async function teardown(x: Setup) {
  for (const b of x.instances) await b.stop();
  for (const db of x.dbs.slice(1)) await db.close();
  await x.dbs[0].close();
}

async function subscribe(db: Db, userId: number, plan: Partial<PlanInput> = {}) {
  const p = await insertPlan(db, { ...PLAN, ...plan });
  return await db.transaction((tx) => createSubscriptionTx(tx, userId, p, "admin"));
}

const begin = (x: Setup, i = 0, prompt = 20, maxTokens = 14) =>
  x.instances[i].begin({
    requestId: rid(),
    user: x.catalogs[i].user(x.f.userId)!,
    token: x.f.token,
    model: "test-model",
    usingGroup: "default",
    promptTokens: prompt,
    maxTokens,
    isStream: false,
  });

const used = async (db: Db, id: number) =>
  asInt((await queryOne(db, "SELECT amount_used FROM user_subscriptions WHERE id = ?", [id]))?.amount_used);

/** Registers the test in each store's production mode (book / leases) and on the plain ledger. */
function fundingTest(name: string, fn: (x: Setup) => Promise<void>) {
  for (const plain of [false, true]) {
    storeTest(`${name}${plain ? " (ledger)" : ""}`, async (s) => {
      const x = await setup(s, plain ? "ledger" : s.kind === "sqlite" ? "book" : "leases");
      try {
        await fn(x);
      } finally {
        await teardown(x);
      }
    });
  }
}

fundingTest(
  "subscription: 100 concurrent requests against a subscription worth exactly 10 serve exactly 10, wallet untouched",
  async (x) => {
    const { f } = x;
    const sub = await subscribe(f.db, f.userId);
    const results = await Promise.allSettled(Array.from({ length: 100 }, async (_, n) => {
      const i = n % x.instances.length;
      const session = await begin(x, i);
      assertEquals(session.reserved, 48);
      session.useChannel({ id: f.channelId });
      await new Promise((r) => setTimeout(r, 10));
      return await session.settle(usage(20, 14));
    }));
    assertEquals(results.filter((r) => r.status === "fulfilled").length, 10);
    for (const r of results) {
      if (r.status === "rejected") {
        assert(
          r.reason instanceof InsufficientQuotaError && r.reason.scope === "subscription",
          String(r.reason),
        );
        assertEquals([r.reason.status, r.reason.code], [403, "insufficient_user_quota"]);
      }
    }
    for (const b of x.instances) await b.flush();
    assertEquals(await used(f.db, sub.id), 480, "exactly the total, never past it");
    const c = await counters(f);
    assertEquals(
      [
        c.userQuota,
        c.userUsed,
        c.requestCount,
        c.tokenRemain,
        c.tokenUsed,
        c.consumeSum,
        c.consumeCount,
        c.held,
      ],
      [1_000_000, 480, 10, 1_000_000 - 480, 480, 480, 10, 0],
    );
    const recs = await f.db.query(
      "SELECT status, COUNT(*) AS n FROM subscription_pre_consume_records GROUP BY status",
    );
    assertEquals(recs.map((r) => [r.status, asInt(r.n)]), [["settled", 10]]);
    const other = JSON.parse(
      String((await queryOne(f.db, "SELECT other FROM logs WHERE type = 2 LIMIT 1"))?.other),
    );
    assertEquals([
      other.billing_source,
      other.subscription_id,
      other.subscription_pre_consumed,
      other.subscription_total,
    ], [
      "subscription",
      sub.id,
      48,
      480,
    ]);
    assertEquals(other.subscription_consumed, 48);
  },
);

fundingTest(
  "subscription: a settlement moves amount_used to the charge once; a release gives the hold back",
  async (x) => {
    const { f } = x;
    const sub = await subscribe(f.db, f.userId, { totalAmount: 10_000 });
    const a = await begin(x);
    assertEquals(await used(f.db, sub.id), 48, "the hold is on the subscription");
    const r = await a.settle(usage(10, 5));
    assertEquals(r?.quota, 20);
    assertEquals(await a.settle(usage(10, 5)), undefined, "a second settle is a no-op");
    assertEquals(await settleSubscription(f.db, "nope", 5), undefined);
    assertEquals(await used(f.db, sub.id), 20);
    const b = await begin(x);
    assertEquals(await used(f.db, sub.id), 68);
    await b.release();
    await b.release();
    assertEquals(await used(f.db, sub.id), 20, "released exactly once");
    await f.billing.flush();
    const c = await counters(f);
    assertEquals([c.userQuota, c.userUsed, c.tokenRemain, c.consumeSum], [1_000_000, 20, 1_000_000 - 20, 20]);
    const other = JSON.parse(String((await queryOne(f.db, "SELECT other FROM logs WHERE type = 2"))?.other));
    assertEquals(
      [
        other.subscription_pre_consumed,
        other.subscription_post_delta,
        other.subscription_used,
        other.subscription_remain,
      ],
      [48, -28, 20, 9_980],
    );
  },
);

fundingTest(
  "subscription: used up mid-period, the wallet pays only when every active subscription allows overflow",
  async (x) => {
    const { f } = x;
    const strict = await subscribe(f.db, f.userId, { totalAmount: 48 });
    await (await begin(x)).settle(usage(20, 14));
    assertEquals(await used(f.db, strict.id), 48);
    const refused = await assertRejects(() => begin(x), InsufficientQuotaError);
    assertEquals(
      (refused as InsufficientQuotaError).scope,
      "subscription",
      "the strict subscription forbids the wallet",
    );
    await f.db.exec("UPDATE user_subscriptions SET allow_wallet_overflow = ? WHERE id = ?", [
      true,
      strict.id,
    ]);
    const s = await begin(x);
    await s.settle(usage(20, 14));
    for (const b of x.instances) await b.flush();
    const c = await counters(f);
    assertEquals(
      [c.userQuota, c.userUsed, c.consumeSum],
      [1_000_000 - 48, 96, 96],
      "the second request from the wallet",
    );
    assertEquals(await used(f.db, strict.id), 48);
  },
);

fundingTest(
  "subscription: a charge past the hold stops at the total; the rest is the wallet's only when allowed",
  async (x) => {
    const { f } = x;
    const sub = await subscribe(f.db, f.userId, { totalAmount: 60 });
    const s = await begin(x);
    const r = await s.settle(usage(20, 30)); // 80: 48 held, 12 more fit, 20 overflow
    assertEquals(r?.quota, 80);
    assertEquals(await used(f.db, sub.id), 60, "never past the total");
    for (const b of x.instances) await b.flush();
    let c = await counters(f);
    assertEquals(
      [c.userQuota, c.userUsed, c.consumeSum],
      [1_000_000, 80, 80],
      "overflow forbidden: unpaid, logged",
    );
    const other = JSON.parse(String((await queryOne(f.db, "SELECT other FROM logs WHERE type = 2"))?.other));
    assertEquals(other.admin_info?.subscription_shortfall, 20);
    await f.db.exec("UPDATE user_subscriptions SET amount_used = 0, allow_wallet_overflow = ? WHERE id = ?", [
      true,
      sub.id,
    ]);
    await (await begin(x)).settle(usage(20, 30));
    for (const b of x.instances) await b.flush();
    c = await counters(f);
    assertEquals([c.userQuota, c.userUsed], [1_000_000 - 20, 160], "the overflow charged to the wallet");
  },
);

fundingTest(
  "subscription: a stream's extensions draw on the subscription and stop at its total",
  async (x) => {
    const { f } = x;
    const sub = await subscribe(f.db, f.userId, { totalAmount: 100 });
    const s = await begin(x);
    assertEquals(await x.instances[0].extendHeld(s.requestId, f.userId, 48), true);
    assertEquals(await used(f.db, sub.id), 96);
    assertEquals(await x.instances[0].extendHeld(s.requestId, f.userId, 48), false, "past the total");
    assertEquals(await used(f.db, sub.id), 96);
    await s.settle(usage(20, 30)); // 80 of 96 held
    assertEquals(await used(f.db, sub.id), 80);
    for (const b of x.instances) await b.flush();
    assertEquals((await counters(f)).userQuota, 1_000_000);
  },
);

fundingTest(
  "subscription: billing preferences (wallet_only, wallet_first, subscription_only)",
  async (x) => {
    const { f } = x;
    const sub = await subscribe(f.db, f.userId, { totalAmount: 48 });
    const prefer = async (p: string) => {
      await f.db.exec("UPDATE users SET setting = ? WHERE id = ?", [
        JSON.stringify({ billing_preference: p }),
        f.userId,
      ]);
      for (const c of x.catalogs) await c.loadAll();
    };
    // An empty wallet, emptied before any instance leased from it.
    await f.db.exec("UPDATE users SET quota = 0 WHERE id = ?", [f.userId]);
    await prefer("wallet_first");
    await (await begin(x)).settle(usage(20, 14));
    assertEquals(await used(f.db, sub.id), 48, "wallet_first: an empty wallet falls to the subscription");
    await prefer("subscription_only");
    const e = await assertRejects(() => begin(x), InsufficientQuotaError);
    assertEquals((e as InsufficientQuotaError).scope, "subscription");
    await f.db.exec("UPDATE user_subscriptions SET amount_used = 0 WHERE id = ?", [sub.id]);
    await prefer("wallet_only");
    const w = await assertRejects(() => begin(x), InsufficientQuotaError);
    assertEquals((w as InsufficientQuotaError).scope, "user", "wallet_only never falls to the subscription");
    assertEquals(await used(f.db, sub.id), 0);
    for (const b of x.instances) await b.flush();
    const other = JSON.parse(
      String((await queryOne(f.db, "SELECT other FROM logs WHERE type = 2 ORDER BY id DESC"))?.other),
    );
    assertEquals([other.billing_source, other.billing_preference], ["subscription", "wallet_first"]);
  },
);

storeTest(
  "subscription: a passed period resets amount_used once, at the next request and by the job",
  async (s) => {
    const db = await s.openMigrated();
    try {
      const f = await billingFixture(db, { userQuota: 0, options: { PreConsumedQuota: "500" } });
      const sub = await subscribe(db, f.userId, {
        totalAmount: 100,
        quotaResetPeriod: "custom",
        quotaResetCustomSeconds: 60,
      });
      assert(sub.nextResetTime > 0);
      await db.exec("UPDATE user_subscriptions SET amount_used = 100 WHERE id = ?", [sub.id]);
      // Three periods passed: one reset, to the current period.
      const now = sub.startTime + 3 * 60 + 10;
      const resets = await Promise.all(Array.from({ length: 5 }, () => resetDueSubscriptions(db, now)));
      assertEquals(resets.reduce((a, b) => a + b, 0), 1, "five jobs at once reset it once");
      const row = await queryOne(
        db,
        "SELECT amount_used, last_reset_time, next_reset_time FROM user_subscriptions WHERE id = ?",
        [
          sub.id,
        ],
      );
      assertEquals([asInt(row?.amount_used), asInt(row?.last_reset_time), asInt(row?.next_reset_time)], [
        0,
        sub.startTime + 180,
        sub.startTime + 240,
      ]);
      // The lazy reset: a request after the next boundary finds the subscription reset without the job.
      await db.exec("UPDATE user_subscriptions SET amount_used = 100 WHERE id = ?", [sub.id]);
      const hold = await holdSubscription(db, {
        requestId: rid(),
        userId: f.userId,
        amount: 30,
        now: sub.startTime + 250,
      });
      assertEquals(hold?.amountUsedAfter, 30);
      await f.billing.stop();
    } finally {
      await db.close();
    }
  },
);

storeTest("subscription: the upkeep job gives back holds whose request never settled, once", async (s) => {
  const db = await s.openMigrated();
  try {
    const f = await billingFixture(db, { userQuota: 0, options: { PreConsumedQuota: "500" } });
    const sub = await subscribe(db, f.userId, { totalAmount: 100 });
    const old = nowSeconds() - 8 * 3600;
    await db.exec("UPDATE user_subscriptions SET start_time = ? WHERE id = ?", [old, sub.id]);
    await holdSubscription(db, { requestId: "dead-1", userId: f.userId, amount: 40, now: old + 1 });
    await holdSubscription(db, { requestId: "live-1", userId: f.userId, amount: 10 });
    assertEquals(await used(db, sub.id), 50);
    const job = subscriptionExpiryJob({ db, cache: { publish: async () => {} } });
    await Promise.all([job.run(), job.run()]);
    assertEquals(await used(db, sub.id), 10, "the orphan's 40 back, the live hold kept");
    assertEquals((await sweepSubscriptionHolds(db, { olderThanSeconds: 7 * 3600 })).refunded, 0);
    await f.billing.stop();
  } finally {
    await db.close();
  }
});
