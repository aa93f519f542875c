/**
 * Reserve → settle → release on both stores: exact charges, exactly once, never below zero whatever the
 * concurrency, counters that agree with the log rows, and no negative row ever.
 */
import { assert, assertEquals, assertRejects } from "../../support/assert.ts";
import { storeTest } from "../../support/stores.ts";
import { billingFixture, counters, rid } from "../../support/billing.ts";
import {
  DuplicateReservationError,
  InsufficientQuotaError,
  ModelNotPricedError,
} from "../../../relay/billing/errors.ts";
import { getReservation } from "../../../store/reservations.ts";
import { refundSettled } from "../../../store/refunds.ts";
import { insertLog, LogType } from "../../../store/logs.ts";
import { MAX_QUOTA_PER_REQUEST } from "../../../relay/billing/quota_math.ts";
import { Billing } from "../../../relay/billing/billing.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const usage = (p: number, c: number) => ({
  inputTokens: p,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: c,
});

storeTest(
  "P=100, C=50 is charged exactly 200, stream and non-stream; counters equal the log sums",
  async (s) => {
    const db = await s.openMigrated();
    try {
      const f = await billingFixture(db, { userQuota: 10_000, tokenQuota: 5_000, unlimitedToken: false });
      const begin = (isStream: boolean) =>
        f.billing.begin({
          requestId: rid(),
          user: f.user,
          token: f.token,
          model: "test-model",
          usingGroup: "default",
          promptTokens: 100,
          maxTokens: 100,
          isStream,
        });
      const plain = await begin(false);
      assertEquals(plain.reserved, 300, "100 prompt + 100 max_tokens × 2");
      assertEquals(f.catalog.user(f.userId)!.quota, 9_700, "the catalog follows the hold");
      plain.useChannel({ id: f.channelId });
      const settled = await plain.settle(usage(100, 50));
      assertEquals([settled!.applied, settled!.charged, settled!.quota], [true, 200, 200]);

      const stream = await begin(true);
      stream.useChannel({ id: f.channelId });
      stream.markFirstResponse();
      stream.meter.add("some delivered text");
      const end = await stream.settleAtEnd({ end: "completed", upstreamUsage: usage(100, 50) });
      assertEquals(end!.charged, 200);

      const c = await counters(f);
      assertEquals([c.userQuota, c.userUsed, c.requestCount], [9_600, 400, 2]);
      assertEquals([c.tokenRemain, c.tokenUsed, c.channelUsed], [4_600, 400, 400]);
      assertEquals([c.consumeSum, c.consumeCount, c.negativeRows, c.held], [400, 2, 0, 0]);
      assertEquals(f.catalog.user(f.userId)!.quota, 9_600);
      assertEquals(f.catalog.token(f.tokenId)!.remainQuota, 4_600);

      const row = await queryOne(db, "SELECT * FROM logs WHERE request_id = ?", [plain.requestId]);
      assertEquals([
        asInt(row!.type),
        asInt(row!.quota),
        asInt(row!.prompt_tokens),
        asInt(row!.completion_tokens),
      ], [
        LogType.consume,
        200,
        100,
        50,
      ]);
      const other = JSON.parse(String(row!.other));
      assertEquals([other.model_ratio, other.completion_ratio, other.group_ratio], [1, 2, 1]);
      assertEquals(other.admin_info.use_channel, [String(f.channelId)]);
      assertEquals(other.request_id, plain.requestId);
    } finally {
      await db.close();
    }
  },
);

storeTest(
  "settling twice charges once; release after settle and settle after release change nothing",
  async (s) => {
    const db = await s.openMigrated();
    try {
      const f = await billingFixture(db, { userQuota: 10_000 });
      const args = {
        user: f.user,
        token: f.token,
        model: "test-model",
        usingGroup: "default",
        promptTokens: 100,
        maxTokens: 100,
        isStream: false,
      };
      const a = await f.billing.begin({ ...args, requestId: rid() });
      await a.settle(usage(100, 50));
      assertEquals(await a.settle(usage(100, 50)), undefined, "the session refuses a second end");
      const again = await f.billing.settleHeld(a.requestId, 200, f.channelId, { userId: f.userId }, 150);
      assertEquals([again.applied, again.status], [false, "SETTLED"]);
      assertEquals((await f.billing.releaseHeld(a.requestId)).applied, false);

      const b = await f.billing.begin({ ...args, requestId: rid() });
      await b.release();
      assertEquals((await f.billing.settleHeld(b.requestId, 200, 0, { userId: f.userId }, 1)).applied, false);
      const c = await counters(f);
      assertEquals([c.userQuota, c.consumeSum, c.consumeCount, c.held], [9_800, 200, 1, 0]);
      await assertRejects(
        () => f.billing.begin({ ...args, requestId: a.requestId }),
        DuplicateReservationError,
      );
      assertEquals((await counters(f)).userQuota, 9_800, "a duplicate request id holds nothing");
    } finally {
      await db.close();
    }
  },
);

for (const scope of ["user", "token"] as const) {
  storeTest(
    `100 concurrent requests against a ${scope} balance worth 10: at most 10 succeed, never below 0`,
    async (s) => {
      const db = await s.openMigrated();
      try {
        const f = await billingFixture(
          db,
          scope === "user"
            ? { userQuota: 10_000, unlimitedToken: true }
            : { userQuota: 10_000_000, tokenQuota: 10_000, unlimitedToken: false },
        );
        const start = await counters(f);
        const results = await Promise.allSettled(
          Array.from({ length: 100 }, () =>
            f.billing.begin({
              requestId: rid("c"),
              user: f.user,
              token: f.token,
              model: "fixed-model",
              usingGroup: "default",
              promptTokens: 10,
              isStream: false,
            })),
        );
        const ok = results.filter((r) => r.status === "fulfilled");
        const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
        assertEquals(ok.length, 10);
        assert(rejected.every((r) => r.reason instanceof InsufficientQuotaError && r.reason.scope === scope));
        await Promise.all(ok.map((r) => r.value.settle(usage(10, 10))));
        const end = await counters(f);
        const balance = scope === "user" ? end.userQuota : end.tokenRemain;
        const before = scope === "user" ? start.userQuota : start.tokenRemain;
        assert(balance >= 0);
        assertEquals(balance, before - end.consumeSum);
        assertEquals([end.consumeSum, end.consumeCount, end.held], [10_000, 10, 0]);
      } finally {
        await db.close();
      }
    },
  );
}

storeTest(
  "an answer costlier than the hold is charged in full; what the wallet lacked is its debt (the shortfall)",
  async (s) => {
    const db = await s.openMigrated();
    try {
      const f = await billingFixture(db, { userQuota: 1_000 });
      const sess = await f.billing.begin({
        requestId: rid(),
        user: f.user,
        token: f.token,
        model: "test-model",
        usingGroup: "default",
        promptTokens: 100,
        isStream: false,
      });
      assertEquals(sess.reserved, 100);
      const r = await sess.settle(usage(100, 5_000));
      assertEquals([r!.quota, r!.charged, r!.shortfall], [10_100, 10_100, 9_100]);
      const c = await counters(f);
      assertEquals([c.userQuota, c.userUsed, c.consumeSum], [-9_100, 10_100, 10_100]);
      assert(c.userQuota >= -(10_100 - sess.reserved), "the debt is at most what the request overran");
      const row = await queryOne(db, "SELECT other FROM logs WHERE request_id = ?", [sess.requestId]);
      assertEquals(JSON.parse(String(row!.other)).admin_info.quota_shortfall, 9_100);
      assertEquals((await getReservation(db, sess.requestId))!.shortfall, 9_100);
    } finally {
      await db.close();
    }
  },
);

storeTest("hostile upstream usage (−1e6, 1e15) is clamped: never a credit, never past the cap", async (s) => {
  const db = await s.openMigrated();
  try {
    const f = await billingFixture(db, { userQuota: 5_000_000_000 });
    const begin = () =>
      f.billing.begin({
        requestId: rid(),
        user: f.user,
        token: f.token,
        model: "test-model",
        usingGroup: "default",
        promptTokens: 10,
        isStream: false,
      });
    const neg = await begin();
    const r1 = await neg.settle({
      inputTokens: -1e6,
      cacheReadTokens: -5,
      cacheWriteTokens: 0,
      outputTokens: -1e6,
    });
    assertEquals(r1!.charged, 0);
    const huge = await begin();
    const r2 = await huge.settle({
      inputTokens: 1e15,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 1e15,
    });
    assertEquals(r2!.charged, 300_000_000, "100M tokens each, at ratio 1 and 2");
    const c = await counters(f);
    assertEquals(c.userQuota, 5_000_000_000 - 300_000_000);
    assertEquals(c.negativeRows, 0);
    const row = await queryOne(db, "SELECT other FROM logs WHERE request_id = ?", [huge.requestId]);
    assertEquals(JSON.parse(String(row!.other)).admin_info.usage_clamped, true);
    assert(r2!.charged <= MAX_QUOTA_PER_REQUEST);
    await assertRejects(
      () => insertLog(db, { userId: f.userId, type: LogType.consume, quota: -1 }),
      RangeError,
    );
  } finally {
    await db.close();
  }
});

storeTest(
  "a disconnect after delivered tokens is charged prompt + delivered; before any token, nothing",
  async (s) => {
    const db = await s.openMigrated();
    try {
      const f = await billingFixture(db, { userQuota: 100_000 });
      const begin = () =>
        f.billing.begin({
          requestId: rid(),
          user: f.user,
          token: f.token,
          model: "test-model",
          usingGroup: "default",
          promptTokens: 40,
          maxTokens: 1000,
          isStream: true,
        });
      const gone = await begin();
      gone.meter.add("Hello world");
      const r = await gone.settleAtEnd({ end: "client_gone" });
      assertEquals(r!.charged, 40 + 2 * 2);
      const row = await queryOne(db, "SELECT other FROM logs WHERE request_id = ?", [gone.requestId]);
      const other = JSON.parse(String(row!.other));
      assertEquals([other.estimated, other.stream_status.end_reason], [true, "client_gone"]);
      const early = await begin();
      assertEquals(await early.settleAtEnd({ end: "client_gone" }), undefined);
      assertEquals((await getReservation(db, early.requestId))!.status, "RELEASED");
      const c = await counters(f);
      assertEquals([c.userQuota, c.consumeCount], [100_000 - 44, 1]);
    } finally {
      await db.close();
    }
  },
);

storeTest("a refund gives back at most what was charged, once, with a positive type-6 row", async (s) => {
  const db = await s.openMigrated();
  try {
    const f = await billingFixture(db, { userQuota: 10_000, tokenQuota: 10_000, unlimitedToken: false });
    const sess = await f.billing.begin({
      requestId: rid(),
      user: f.user,
      token: f.token,
      model: "fixed-model",
      usingGroup: "default",
      promptTokens: 1,
      isStream: false,
    });
    sess.useChannel({ id: f.channelId });
    await sess.settle(usage(1, 1));
    assertEquals(
      await refundSettled(db, { requestId: sess.requestId, quota: 600, content: "task failed" }),
      600,
    );
    assertEquals(await refundSettled(db, { requestId: sess.requestId, quota: 600, content: "again" }), 0);
    assertEquals(await refundSettled(db, { requestId: sess.requestId, quota: 400, content: "rest" }), 400);
    const c = await counters(f);
    assertEquals([c.userQuota, c.tokenRemain, c.userUsed, c.tokenUsed, c.channelUsed], [
      10_000,
      10_000,
      0,
      0,
      0,
    ]);
    assertEquals([c.consumeSum, c.refundSum, c.negativeRows], [1_000, 1_000, 0]);
    assertEquals(c.userUsed, c.consumeSum - c.refundSum);
  } finally {
    await db.close();
  }
});

storeTest("error rows are written in batches only when ERROR_LOG_ENABLED", async (s) => {
  const db = await s.openMigrated();
  try {
    const f = await billingFixture(db, { userQuota: 0 });
    const errorRows = async () =>
      asInt((await queryOne(db, "SELECT COUNT(*) AS n FROM logs WHERE type = ?", [LogType.error]))!.n);
    for (const enabled of [false, true]) {
      const billing = new Billing(db, f.catalog, {
        errorLogEnabled: enabled,
        holdSeconds: 60,
        singleProcess: false,
      });
      billing.recordError({
        requestId: rid(),
        user: f.user,
        token: f.token,
        model: "test-model",
        group: "default",
        channelId: f.channelId,
        content: "upstream returned 500",
        clientMessage: "The upstream service failed (HTTP 500)",
        isStream: false,
        useTimeSeconds: 1,
        useChannel: [f.channelId],
        statusCode: 500,
      });
      assertEquals(await errorRows(), 0, "queued, not written on the request path");
      await billing.stop();
      assertEquals(await errorRows(), enabled ? 1 : 0);
    }
    const row = await queryOne(db, "SELECT other, channel_id FROM logs WHERE type = ?", [LogType.error]);
    assertEquals(JSON.parse(String(row!.other)).admin_info.use_channel, [String(f.channelId)]);
  } finally {
    await db.close();
  }
});

storeTest(
  "an unpriced model is refused before any hold, unless the user accepts unpriced models",
  async (s) => {
    const db = await s.openMigrated();
    try {
      const f = await billingFixture(db, { userQuota: 1_000_000 });
      const args = {
        token: f.token,
        model: "nobody-priced-this",
        usingGroup: "default",
        promptTokens: 10,
        isStream: false,
      };
      await assertRejects(
        () => f.billing.begin({ ...args, requestId: rid(), user: f.user }),
        ModelNotPricedError,
      );
      assertEquals((await counters(f)).held, 0);
      const accepting = { ...f.user, setting: JSON.stringify({ accept_unset_model_ratio_model: true }) };
      const sess = await f.billing.begin({ ...args, requestId: rid(), user: accepting });
      assertEquals([sess.price.modelRatio, sess.price.selfUseFallback, sess.reserved], [37.5, true, 375]);
      await sess.release();
    } finally {
      await db.close();
    }
  },
);

storeTest(
  "a hold grows against the wallet only while it can cover it, and a release gives all of it back",
  async (s) => {
    const db = await s.openMigrated();
    try {
      const f = await billingFixture(db, { userQuota: 1_000, tokenQuota: 200, unlimitedToken: false });
      const sess = await f.billing.begin({
        requestId: rid(),
        user: f.user,
        token: f.token,
        model: "test-model",
        usingGroup: "default",
        promptTokens: 100,
        isStream: true,
      });
      assertEquals(await f.billing.extendHeld(sess.requestId, f.userId, 800), true, "the token is not asked");
      assertEquals(await f.billing.extendHeld(sess.requestId, f.userId, 101), false, "100 left, 101 asked");
      const mid = await counters(f);
      assertEquals([mid.userQuota, mid.tokenRemain], [100, 100]);
      assertEquals((await getReservation(db, sess.requestId))!.amount, 900);
      assertEquals(f.catalog.user(f.userId)!.quota, 100);
      await sess.release();
      const end = await counters(f);
      assertEquals([end.userQuota, end.tokenRemain, end.held], [1_000, 200, 0]);
      assertEquals(await f.billing.extendHeld(sess.requestId, f.userId, 1), false, "not held any more");
      assertEquals((await counters(f)).userQuota, 1_000);
    } finally {
      await db.close();
    }
  },
);

storeTest(
  "a token holding quota for exactly 10 requests serves exactly 10 of 100 concurrent ones, no overdraft",
  async (s) => {
    const db = await s.openMigrated();
    try {
      // New API's default PreConsumedQuota (500): it must not inflate a capped request's hold.
      // Each request: 20 prompt + 14 × 2 completion = 48 held and 48 charged.
      const f = await billingFixture(db, {
        userQuota: 1_000_000,
        tokenQuota: 480,
        unlimitedToken: false,
        options: { PreConsumedQuota: "500" },
      });
      const results = await Promise.allSettled(Array.from({ length: 100 }, async () => {
        const session = await f.billing.begin({
          requestId: rid(),
          user: f.user,
          token: f.token,
          model: "test-model",
          usingGroup: "default",
          promptTokens: 20,
          maxTokens: 14,
          isStream: false,
        });
        assertEquals(session.reserved, 48);
        session.useChannel({ id: f.channelId });
        // Let every admission race before any settles.
        await new Promise((r) => setTimeout(r, 20));
        return await session.settle(usage(20, 14));
      }));
      const served = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r) => r.status === "rejected");
      assertEquals(served.length, 10);
      assert(refused.every((r) => (r as PromiseRejectedResult).reason instanceof InsufficientQuotaError));
      const c = await counters(f);
      assertEquals([c.tokenRemain, c.tokenUsed, c.userQuota, c.requestCount], [0, 480, 1_000_000 - 480, 10]);
      assertEquals(c.consumeSum, 480);
      assertEquals(c.held, 0);
    } finally {
      await db.close();
    }
  },
);
