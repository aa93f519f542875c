/**
 * A billing fixture on a real store: a user with a balance, a token, a channel, price options, the
 * catalog and a Billing service. `counters()` reads balances and the sums of the log rows they must agree
 * with.
 */
import { LEASED_TOKEN_QUOTA, LEASED_USER_QUOTA } from "../../store/quota_leases.ts";
import type { Db } from "../../store/db.ts";
import { asInt, queryOne } from "../../store/db.ts";
import { insertUser } from "../../store/users.ts";
import { createToken } from "../../store/tokens.ts";
import { insertChannel } from "../../store/channels.ts";
import { saveOptions } from "../../store/options.ts";
import { Catalog } from "../../store/cache/catalog.ts";
import { Billing } from "../../relay/billing/billing.ts";
import { LogType } from "../../store/logs.ts";
import { testSecrets } from "./stores.ts";

/** 1 prompt token = 1 quota, 1 completion token = 2; "fixed" costs 1000 per call. */
export const TEST_PRICES = {
  ModelRatio: JSON.stringify({ "test-model": 1 }),
  CompletionRatio: JSON.stringify({ "test-model": 2 }),
  ModelPrice: JSON.stringify({ "fixed-model": 0.002 }),
  PreConsumedQuota: "0",
};

export interface BillingFixture {
  db: Db;
  catalog: Catalog;
  billing: Billing;
  userId: number;
  tokenId: number;
  channelId: number;
  user: { id: number; username: string; group: string };
  token: { id: number; name: string; unlimitedQuota: boolean };
}

export async function billingFixture(
  db: Db,
  opts: {
    userQuota: number;
    tokenQuota?: number;
    unlimitedToken?: boolean;
    options?: Record<string, string>;
    holdSeconds?: number;
    /** The quota book (SQLite only): holds in memory, settlements journaled in batches. */
    quotaBook?: boolean;
    /** Quota leases (PostgreSQL, MySQL): the book spends per-instance leases of the balances. */
    leases?: { leaseSeconds: number };
    singleProcess?: boolean;
    errorLogEnabled?: boolean;
  },
): Promise<BillingFixture> {
  await saveOptions(db, { ...TEST_PRICES, ...(opts.options ?? {}) });
  const userId = await insertUser(db, { username: "payer", passwordHash: "x", quota: opts.userQuota });
  const { token } = await createToken(db, testSecrets.cryptoSecret, userId, {
    name: "tok",
    remainQuota: opts.tokenQuota ?? 0,
    unlimitedQuota: opts.unlimitedToken ?? true,
  });
  const channelId = await insertChannel(db, testSecrets.cryptoSecret, {
    name: "chan",
    key: "sk-upstream",
    models: "test-model,fixed-model",
    group: "default",
  });
  const catalog = new Catalog(db, testSecrets.cryptoSecret);
  await catalog.loadAll();
  const billing = new Billing(db, catalog, {
    errorLogEnabled: opts.errorLogEnabled ?? false,
    holdSeconds: opts.holdSeconds ?? 60,
    singleProcess: opts.singleProcess ?? false,
    quotaBook: opts.quotaBook,
    leases: opts.leases,
  });
  return {
    db,
    catalog,
    billing,
    userId,
    tokenId: token.id,
    channelId,
    user: { id: userId, username: "payer", group: "default" },
    token: { id: token.id, name: "tok", unlimitedQuota: opts.unlimitedToken ?? true },
  };
}

export interface Counters {
  userQuota: number;
  userUsed: number;
  requestCount: number;
  tokenRemain: number;
  tokenUsed: number;
  channelUsed: number;
  consumeSum: number;
  consumeCount: number;
  refundSum: number;
  negativeRows: number;
  held: number;
}

/** Balances, counters and the log sums they must agree with. */
export async function counters(
  f: Pick<BillingFixture, "db" | "userId" | "tokenId" | "channelId">,
): Promise<Counters> {
  // Balances as readers see them: the columns plus what is leased out to instances (PostgreSQL, MySQL).
  const u = await queryOne(
    f.db,
    `SELECT ${LEASED_USER_QUOTA} AS quota, used_quota, request_count FROM users WHERE id = ?`,
    [f.userId],
  );
  const t = await queryOne(
    f.db,
    `SELECT ${LEASED_TOKEN_QUOTA} AS remain_quota, used_quota FROM tokens WHERE id = ?`,
    [f.tokenId],
  );
  const c = await queryOne(f.db, "SELECT used_quota FROM channels WHERE id = ?", [f.channelId]);
  const l = await queryOne(
    f.db,
    `SELECT COALESCE(SUM(CASE WHEN type = ? THEN quota ELSE 0 END), 0) AS consume,
      COALESCE(SUM(CASE WHEN type = ? THEN 1 ELSE 0 END), 0) AS n,
      COALESCE(SUM(CASE WHEN type = ? THEN quota ELSE 0 END), 0) AS refund,
      COALESCE(SUM(CASE WHEN quota < 0 OR prompt_tokens < 0 OR completion_tokens < 0 THEN 1 ELSE 0 END), 0) AS neg
     FROM logs WHERE user_id = ?`,
    [LogType.consume, LogType.consume, LogType.refund, f.userId],
  );
  const h = await queryOne(f.db, "SELECT COUNT(*) AS n FROM quota_reservations WHERE status = 'HELD'");
  return {
    userQuota: asInt(u?.quota),
    userUsed: asInt(u?.used_quota),
    requestCount: asInt(u?.request_count),
    tokenRemain: asInt(t?.remain_quota),
    tokenUsed: asInt(t?.used_quota),
    channelUsed: asInt(c?.used_quota),
    consumeSum: asInt(l?.consume),
    consumeCount: asInt(l?.n),
    refundSum: asInt(l?.refund),
    negativeRows: asInt(l?.neg),
    held: asInt(h?.n),
  };
}

let seq = 0;
/** A unique request id. */
export const rid = (prefix = "req") => `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`;
