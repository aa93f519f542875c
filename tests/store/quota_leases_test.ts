/**
 * Quota leases on the stores several instances share (PostgreSQL, MariaDB): three Billing services, each
 * with its own connection pool and catalog as three processes would have, spend one user's and one
 * token's balance through per-instance leases. No overdraft across instances, no drift between the consume
 * log and the balances, every lease given back, and a lease of an instance that died expires and returns.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { type BillingFixture, billingFixture, counters, rid } from "../support/billing.ts";
import { sharedStoreTest } from "../support/stores.ts";
import { testSecrets } from "../support/stores.ts";
import { Catalog } from "../../store/cache/catalog.ts";
import { Billing } from "../../relay/billing/billing.ts";
import { InsufficientQuotaError } from "../../relay/billing/errors.ts";
import { asInt, type Db, queryOne } from "../../store/db.ts";
import { getToken } from "../../store/tokens.ts";
import { getUser } from "../../store/users.ts";

const usage = (p: number, c: number) => ({
  inputTokens: p,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: c,
});

const LEASE = { leaseSeconds: 3 };

interface Instance {
  db: Db;
  catalog: Catalog;
  billing: Billing;
}

/** The fixture's Billing plus two more instances on their own connections. */
async function threeInstances(f: BillingFixture, open: () => Promise<Db>): Promise<Instance[]> {
  const out: Instance[] = [{ db: f.db, catalog: f.catalog, billing: f.billing }];
  for (let i = 0; i < 2; i++) {
    const db = await open();
    const catalog = new Catalog(db, testSecrets.cryptoSecret);
    await catalog.loadAll();
    out.push({
      db,
      catalog,
      billing: new Billing(db, catalog, {
        errorLogEnabled: false,
        holdSeconds: 60,
        singleProcess: false,
        leases: LEASE,
      }),
    });
  }
  return out;
}

async function leaseSum(db: Db): Promise<{ rows: number; amount: number }> {
  const r = await queryOne(db, "SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS s FROM quota_leases");
  return { rows: asInt(r?.n), amount: asInt(r?.s) };
}

const begin = (f: BillingFixture, i: Instance, prompt = 20, maxTokens = 14) =>
  i.billing.begin({
    requestId: rid(),
    user: i.catalog.user(f.userId)!,
    token: f.token,
    model: "test-model",
    usingGroup: "default",
    promptTokens: prompt,
    maxTokens,
    isStream: false,
  });

sharedStoreTest(
  "quota leases: a token worth exactly 10 requests serves exactly 10 of 100 concurrent ones across three instances",
  async (s) => {
    const db = await s.openMigrated();
    const f = await billingFixture(db, {
      userQuota: 1_000_000,
      tokenQuota: 480,
      unlimitedToken: false,
      options: { PreConsumedQuota: "500" },
      leases: LEASE,
    });
    const instances = await threeInstances(f, () => s.open());
    try {
      // Each request: 20 prompt + 14 × 2 completion = 48 held (the token is far below 100 × 48) and charged.
      const results = await Promise.allSettled(Array.from({ length: 100 }, async (_, n) => {
        const i = instances[n % 3];
        const session = await begin(f, i);
        assertEquals(session.reserved, 48);
        session.useChannel({ id: f.channelId });
        await new Promise((r) => setTimeout(r, 20));
        return await session.settle(usage(20, 14));
      }));
      const served = results.filter((r) => r.status === "fulfilled").length;
      assertEquals(served, 10);
      assert(
        results.every((r) => r.status === "fulfilled" || r.reason instanceof InsufficientQuotaError),
        "the rest refused for quota",
      );
      for (const i of instances) await i.billing.stop();
      const c = await counters(f);
      assertEquals([c.tokenRemain, c.tokenUsed, c.userQuota, c.requestCount, c.consumeSum, c.held], [
        0,
        480,
        1_000_000 - 480,
        10,
        480,
        0,
      ]);
      assertEquals(await leaseSum(db), { rows: 0, amount: 0 }, "every lease given back");
    } finally {
      for (const i of instances.slice(1)) await i.db.close();
      await db.close();
    }
  },
);

sharedStoreTest(
  "quota leases: no drift after a mixed run on three instances, and readers see the balance with its leases",
  async (s) => {
    const db = await s.openMigrated();
    const f = await billingFixture(db, {
      userQuota: 200_000,
      tokenQuota: 60_000,
      unlimitedToken: false,
      options: { PreConsumedQuota: "500" },
      leases: LEASE,
    });
    const instances = await threeInstances(f, () => s.open());
    try {
      let seed = 42;
      const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      const results = await Promise.allSettled(Array.from({ length: 300 }, async () => {
        const i = instances[rand(3)];
        const prompt = 5 + rand(60);
        const cap = 1 + rand(40);
        const session = await begin(f, i, prompt, cap);
        session.useChannel({ id: f.channelId });
        await new Promise((r) => setTimeout(r, rand(15)));
        const what = rand(10);
        if (what === 0) return await session.release();
        // Sometimes the upstream reports more than the cap (charged anyway: the overdraft rule).
        return await session.settle(usage(prompt, what === 1 ? cap * 3 : rand(cap + 1)));
      }));
      assert(results.every((r) => r.status === "fulfilled" || r.reason instanceof InsufficientQuotaError));
      assert(results.some((r) => r.status === "fulfilled"));
      for (const i of instances) await i.billing.flush();
      // Mid-run view (leases still out): what readers see is the column plus the leases.
      const leases = await leaseSum(db);
      const seen = (await getUser(db, f.userId))!.quota;
      const column = asInt((await queryOne(db, "SELECT quota FROM users WHERE id = ?", [f.userId]))!.quota);
      const userLeases = asInt(
        (await queryOne(db, "SELECT COALESCE(SUM(amount), 0) AS s FROM quota_leases WHERE kind = 1"))!.s,
      );
      assertEquals(seen, column + userLeases);
      assert(leases.rows > 0, "leases are out while the instances run");
      const mid = await counters(f);
      assertEquals(
        seen,
        200_000 - mid.consumeSum,
        "the balance readers see already has every committed charge",
      );
      assertEquals((await getToken(db, f.tokenId))!.remainQuota, 60_000 - mid.consumeSum);

      for (const i of instances) await i.billing.stop();
      const c = await counters(f);
      assertEquals(c.userQuota, 200_000 - c.consumeSum, "wallet decrease = sum of consume logs");
      assertEquals(c.tokenRemain, 60_000 - c.consumeSum, "token decrease = sum of consume logs");
      assertEquals([c.userUsed, c.tokenUsed, c.channelUsed], [c.consumeSum, c.consumeSum, c.consumeSum]);
      assertEquals(c.requestCount, c.consumeCount);
      assertEquals(await leaseSum(db), { rows: 0, amount: 0 });
    } finally {
      for (const i of instances.slice(1)) await i.db.close();
      await db.close();
    }
  },
);

sharedStoreTest(
  "quota leases: the lease of an instance that died expires and is given back whole by another",
  async (s) => {
    const db = await s.openMigrated();
    const f = await billingFixture(db, {
      userQuota: 1_000_000,
      // Below 100 × 48: requests hold (New API's rule).
      tokenQuota: 4_000,
      unlimitedToken: false,
      options: { PreConsumedQuota: "500" },
      leases: LEASE,
    });
    const [a, b] = await threeInstances(f, () => s.open());
    try {
      // b serves and commits some requests, then holds one and dies (its connections gone, nothing returned).
      for (let n = 0; n < 5; n++) {
        const sess = await begin(f, b);
        sess.useChannel({ id: f.channelId });
        await sess.settle(usage(20, 14));
      }
      await b.billing.flush();
      const inFlight = await begin(f, b);
      assertEquals(inFlight.reserved, 48);
      const out = await leaseSum(db);
      assert(out.amount > 0, "b has leases out");
      await b.db.close();

      // a keeps serving; once b's lease expires, a's upkeep gives it back.
      const sess = await begin(f, a);
      sess.useChannel({ id: f.channelId });
      await sess.settle(usage(20, 14));
      await new Promise((r) => setTimeout(r, (LEASE.leaseSeconds + 1.2) * 1000));
      await a.billing.leases!.tick();
      await a.billing.stop();
      const c = await counters(f);
      assertEquals(c.consumeCount, 6);
      assertEquals(
        c.userQuota,
        1_000_000 - c.consumeSum,
        "the wallet is whole: only committed charges left it",
      );
      assertEquals(c.tokenRemain, 4_000 - c.consumeSum);
      assertEquals(await leaseSum(db), { rows: 0, amount: 0 }, "b's leases were reclaimed");
    } finally {
      await a.db.close().catch(() => {});
      await db.close().catch(() => {});
    }
  },
);

sharedStoreTest(
  "quota leases: New API's hold rule: no hold while the wallet and the token have over 100 × the estimate",
  async (s) => {
    const db = await s.openMigrated();
    const f = await billingFixture(db, {
      userQuota: 1_000_000,
      tokenQuota: 4_801,
      unlimitedToken: false,
      options: { PreConsumedQuota: "500" },
      leases: LEASE,
    });
    try {
      const i = { db, catalog: f.catalog, billing: f.billing };
      const trusted = await begin(f, i);
      assertEquals(trusted.reserved, 0, "4,801 > 100 × 48: no pre-charge");
      trusted.useChannel({ id: f.channelId });
      await trusted.settle(usage(20, 14));
      const held = await begin(f, i);
      assertEquals(held.reserved, 48, "4,753 left: prompt + max_tokens held");
      await held.release();
      await f.billing.stop();
      const c = await counters(f);
      assertEquals([c.userQuota, c.tokenRemain, c.consumeSum], [1_000_000 - 48, 4_801 - 48, 48]);
    } finally {
      await db.close();
    }
  },
);
