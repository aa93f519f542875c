/**
 * New API's subscriptions, on its tables: `subscription_plans` (what can be bought), `user_subscriptions`
 * (a plan's snapshot held by a user: total and used amount, start and end, reset times, the group it
 * lifted the user to) and `subscription_orders` (how it was bought). Every change that moves a balance or a
 * user's group happens in one transaction with the rows that explain it.
 */
import {
  asBool,
  asInt,
  type Db,
  insertReturningId,
  nowSeconds,
  queryOne,
  type Row,
  setClause,
} from "./db.ts";
import { nextResetTime, planEndTime } from "../payments/subscriptions/period.ts";

export interface Plan {
  id: number;
  title: string;
  subtitle: string;
  priceAmount: number;
  currency: string;
  durationUnit: string;
  durationValue: number;
  customSeconds: number;
  enabled: boolean;
  sortOrder: number;
  allowBalancePay: boolean;
  allowWalletOverflow: boolean;
  stripePriceId: string;
  creemProductId: string;
  waffoPancakeProductId: string;
  maxPurchasePerUser: number;
  upgradeGroup: string;
  downgradeGroup: string;
  totalAmount: number;
  quotaResetPeriod: string;
  quotaResetCustomSeconds: number;
  createdAt: number;
  updatedAt: number;
}

export type PlanInput = Omit<Plan, "id" | "createdAt" | "updatedAt">;

/** Plan field → column, for inserts and patches. */
const PLAN_COLUMNS: Record<keyof PlanInput, string> = {
  title: "title",
  subtitle: "subtitle",
  priceAmount: "price_amount",
  currency: "currency",
  durationUnit: "duration_unit",
  durationValue: "duration_value",
  customSeconds: "custom_seconds",
  enabled: "enabled",
  sortOrder: "sort_order",
  allowBalancePay: "allow_balance_pay",
  allowWalletOverflow: "allow_wallet_overflow",
  stripePriceId: "stripe_price_id",
  creemProductId: "creem_product_id",
  waffoPancakeProductId: "waffo_pancake_product_id",
  maxPurchasePerUser: "max_purchase_per_user",
  upgradeGroup: "upgrade_group",
  downgradeGroup: "downgrade_group",
  totalAmount: "total_amount",
  quotaResetPeriod: "quota_reset_period",
  quotaResetCustomSeconds: "quota_reset_custom_seconds",
};

const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));

function planFromRow(r: Row): Plan {
  return {
    id: asInt(r.id),
    title: str(r.title),
    subtitle: str(r.subtitle),
    priceAmount: Number(r.price_amount ?? 0),
    currency: str(r.currency) || "USD",
    durationUnit: str(r.duration_unit) || "month",
    durationValue: asInt(r.duration_value),
    customSeconds: asInt(r.custom_seconds),
    enabled: asBool(r.enabled),
    sortOrder: asInt(r.sort_order),
    allowBalancePay: asBool(r.allow_balance_pay),
    allowWalletOverflow: asBool(r.allow_wallet_overflow),
    stripePriceId: str(r.stripe_price_id),
    creemProductId: str(r.creem_product_id),
    waffoPancakeProductId: str(r.waffo_pancake_product_id),
    maxPurchasePerUser: asInt(r.max_purchase_per_user),
    upgradeGroup: str(r.upgrade_group),
    downgradeGroup: str(r.downgrade_group),
    totalAmount: asInt(r.total_amount),
    quotaResetPeriod: str(r.quota_reset_period) || "never",
    quotaResetCustomSeconds: asInt(r.quota_reset_custom_seconds),
    createdAt: asInt(r.created_at),
    updatedAt: asInt(r.updated_at),
  };
}

export async function listPlans(db: Db, enabledOnly: boolean): Promise<Plan[]> {
  const where = enabledOnly ? "WHERE enabled = ?" : "";
  const rows = await db.query(
    `SELECT * FROM subscription_plans ${where} ORDER BY sort_order DESC, id DESC`,
    enabledOnly ? [true] : [],
  );
  return rows.map(planFromRow);
}

export async function getPlan(db: Db, id: number): Promise<Plan | undefined> {
  const row = await queryOne(db, "SELECT * FROM subscription_plans WHERE id = ?", [id]);
  return row ? planFromRow(row) : undefined;
}

export async function insertPlan(db: Db, p: PlanInput): Promise<Plan> {
  const now = nowSeconds();
  const { sets, params } = setClause(p as unknown as Record<string, unknown>, PLAN_COLUMNS);
  const columns = sets.map((s) => s.replace(/ = \?$/, ""));
  const id = await insertReturningId(
    db,
    `INSERT INTO subscription_plans (${columns.join(", ")}, created_at, updated_at)
     VALUES (${columns.map(() => "?").join(", ")}, ?, ?)`,
    [...params, now, now],
  );
  return { ...p, id, createdAt: now, updatedAt: now };
}

/** Updates the given fields; false when there is no such plan. */
export async function updatePlan(db: Db, id: number, patch: Partial<PlanInput>): Promise<boolean> {
  const { sets, params } = setClause(patch as Record<string, unknown>, PLAN_COLUMNS);
  const r = await db.exec(
    `UPDATE subscription_plans SET ${[...sets, "updated_at = ?"].join(", ")} WHERE id = ?`,
    [...params, nowSeconds(), id],
  );
  return r.changes === 1;
}

export interface UserSubscription {
  id: number;
  userId: number;
  planId: number;
  amountTotal: number;
  amountUsed: number;
  startTime: number;
  endTime: number;
  status: string;
  source: string;
  lastResetTime: number;
  nextResetTime: number;
  upgradeGroup: string;
  prevUserGroup: string;
  downgradeGroup: string;
  allowWalletOverflow: boolean;
  createdAt: number;
  updatedAt: number;
}

function subFromRow(r: Row): UserSubscription {
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    planId: asInt(r.plan_id),
    amountTotal: asInt(r.amount_total),
    amountUsed: asInt(r.amount_used),
    startTime: asInt(r.start_time),
    endTime: asInt(r.end_time),
    status: str(r.status),
    source: str(r.source),
    lastResetTime: asInt(r.last_reset_time),
    nextResetTime: asInt(r.next_reset_time),
    upgradeGroup: str(r.upgrade_group),
    prevUserGroup: str(r.prev_user_group),
    downgradeGroup: str(r.downgrade_group),
    allowWalletOverflow: asBool(r.allow_wallet_overflow),
    createdAt: asInt(r.created_at),
    updatedAt: asInt(r.updated_at),
  };
}

export class SubscriptionError extends Error {
  constructor(
    readonly reason:
      | "plan_missing"
      | "plan_disabled"
      | "plan_duration"
      | "no_balance_pay"
      | "limit"
      | "balance"
      | "user_missing"
      | "not_found",
  ) {
    super(reason);
  }
}

/** New API's `max_purchase_per_user`, checked when a purchase starts (an admin's grant is not limited). */
export async function checkPurchaseLimit(db: Db, userId: number, plan: Plan): Promise<void> {
  if (plan.maxPurchasePerUser <= 0) return;
  const held = await queryOne<{ n: unknown }>(
    db,
    "SELECT COUNT(*) AS n FROM user_subscriptions WHERE user_id = ? AND plan_id = ?",
    [userId, plan.id],
  );
  if (asInt(held?.n) >= plan.maxPurchasePerUser) throw new SubscriptionError("limit");
}

/**
 * Gives `userId` a subscription to `plan` inside `tx`: the plan's amount and times as a snapshot; a plan
 * with an upgrade group moves the user there, remembering the group they had.
 */
export async function createSubscriptionTx(
  tx: Db,
  userId: number,
  plan: Plan,
  source: string,
  now = nowSeconds(),
): Promise<UserSubscription> {
  const end = planEndTime(now, plan);
  if (end === undefined) throw new SubscriptionError("plan_duration");
  const user = await queryOne<{ group: string }>(
    tx,
    `SELECT "group" AS "group" FROM users WHERE id = ? AND deleted_at IS NULL`,
    [userId],
  );
  if (!user) throw new SubscriptionError("user_missing");
  const next = nextResetTime(now, plan, end);
  const upgrade = plan.upgradeGroup.trim();
  const current = str(user.group) || "default";
  const prev = upgrade && upgrade !== current ? current : "";
  if (prev) await tx.exec(`UPDATE users SET "group" = ? WHERE id = ?`, [upgrade, userId]);
  const sub: Omit<UserSubscription, "id"> = {
    userId,
    planId: plan.id,
    amountTotal: plan.totalAmount,
    amountUsed: 0,
    startTime: now,
    endTime: end,
    status: "active",
    source,
    lastResetTime: next > 0 ? now : 0,
    nextResetTime: next,
    upgradeGroup: upgrade,
    prevUserGroup: prev,
    downgradeGroup: plan.downgradeGroup.trim(),
    allowWalletOverflow: plan.allowWalletOverflow,
    createdAt: now,
    updatedAt: now,
  };
  const id = await insertReturningId(
    tx,
    `INSERT INTO user_subscriptions (user_id, plan_id, amount_total, amount_used, start_time, end_time, status,
       source, last_reset_time, next_reset_time, upgrade_group, prev_user_group, downgrade_group,
       allow_wallet_overflow, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      sub.userId,
      sub.planId,
      sub.amountTotal,
      0,
      sub.startTime,
      sub.endTime,
      sub.status,
      sub.source,
      sub.lastResetTime,
      sub.nextResetTime,
      sub.upgradeGroup,
      sub.prevUserGroup,
      sub.downgradeGroup,
      sub.allowWalletOverflow,
      now,
      now,
    ],
  );
  return { ...sub, id };
}

/** A user's subscriptions, newest end first; `activeAt` keeps only those active then. */
export async function listUserSubscriptions(
  db: Db,
  userId: number,
  activeAt?: number,
): Promise<UserSubscription[]> {
  const rows = activeAt === undefined
    ? await db.query("SELECT * FROM user_subscriptions WHERE user_id = ? ORDER BY end_time DESC, id DESC", [
      userId,
    ])
    : await db.query(
      `SELECT * FROM user_subscriptions WHERE user_id = ? AND status = 'active' AND end_time > ?
       ORDER BY end_time DESC, id DESC`,
      [userId, activeAt],
    );
  return rows.map(subFromRow);
}

export async function getUserSubscription(db: Db, id: number): Promise<UserSubscription | undefined> {
  const row = await queryOne(db, "SELECT * FROM user_subscriptions WHERE id = ?", [id]);
  return row ? subFromRow(row) : undefined;
}

/**
 * After `sub` stopped counting: a user it lifted to its upgrade group goes back (to the downgrade group,
 * else the group they had), unless another active subscription still lifts them. Returns the new group.
 */
async function revertGroupTx(tx: Db, sub: UserSubscription, now: number): Promise<string> {
  if (!sub.upgradeGroup || !(sub.downgradeGroup || sub.prevUserGroup)) return "";
  const other = await queryOne(
    tx,
    `SELECT id FROM user_subscriptions WHERE user_id = ? AND id <> ? AND status = 'active' AND end_time > ?
       AND upgrade_group <> ''`,
    [sub.userId, sub.id, now],
  );
  if (other) return "";
  const target = sub.downgradeGroup || sub.prevUserGroup;
  const r = await tx.exec(`UPDATE users SET "group" = ? WHERE id = ? AND "group" = ?`, [
    target,
    sub.userId,
    sub.upgradeGroup,
  ]);
  return r.changes === 1 ? target : "";
}

/** Ends a subscription now (`cancelled`); returns the group the user went back to ("" for none). */
export async function invalidateSubscription(db: Db, id: number): Promise<{ userId: number; group: string }> {
  return await db.transaction(async (tx) => {
    const sub = await getUserSubscription(tx, id);
    if (!sub) throw new SubscriptionError("not_found");
    const now = nowSeconds();
    await tx.exec(
      "UPDATE user_subscriptions SET status = 'cancelled', end_time = ?, updated_at = ? WHERE id = ?",
      [
        now,
        now,
        id,
      ],
    );
    return { userId: sub.userId, group: await revertGroupTx(tx, { ...sub, status: "cancelled" }, now) };
  });
}

export async function deleteSubscription(db: Db, id: number): Promise<{ userId: number; group: string }> {
  return await db.transaction(async (tx) => {
    const sub = await getUserSubscription(tx, id);
    if (!sub) throw new SubscriptionError("not_found");
    const group = await revertGroupTx(tx, sub, nowSeconds());
    await tx.exec("DELETE FROM user_subscriptions WHERE id = ?", [id]);
    return { userId: sub.userId, group };
  });
}

export interface ResetResult {
  plan_id: number;
  plan_title: string;
  matched_count: number;
  reset_count: number;
  user_count: number;
  advance_reset_time: boolean;
  affected_user_ids: number[];
}

/** Sets `amount_used` to 0 on the plan's active subscriptions (of one user, or all); `advance` restarts the period. */
export async function resetSubscriptions(
  db: Db,
  plan: Plan,
  advance: boolean,
  userId?: number,
): Promise<ResetResult> {
  return await db.transaction(async (tx) => {
    const now = nowSeconds();
    const where = `plan_id = ? AND status = 'active' AND end_time > ?${
      userId === undefined ? "" : " AND user_id = ?"
    }`;
    const args = userId === undefined ? [plan.id, now] : [plan.id, now, userId];
    const subs =
      (await tx.query(`SELECT * FROM user_subscriptions WHERE ${where} ORDER BY user_id, id`, args))
        .map(subFromRow);
    if (userId !== undefined && subs.length === 0) throw new SubscriptionError("not_found");
    for (const s of subs) {
      const next = advance ? nextResetTime(now, plan, s.endTime) : s.nextResetTime;
      const last = advance ? (next > 0 ? now : 0) : s.lastResetTime;
      await tx.exec(
        `UPDATE user_subscriptions SET amount_used = 0, next_reset_time = ?, last_reset_time = ?, updated_at = ?
         WHERE id = ?`,
        [next, last, now, s.id],
      );
    }
    const users = [...new Set(subs.map((s) => s.userId))];
    return {
      plan_id: plan.id,
      plan_title: plan.title,
      matched_count: subs.length,
      reset_count: subs.length,
      user_count: users.length,
      advance_reset_time: advance,
      affected_user_ids: users,
    };
  });
}

/** Marks subscriptions whose end has passed `expired` and puts lifted users back; returns the users touched. */
export async function expireDueSubscriptions(db: Db, now = nowSeconds(), limit = 200): Promise<number[]> {
  const due = (await db.query(
    "SELECT * FROM user_subscriptions WHERE status = 'active' AND end_time > 0 AND end_time <= ? ORDER BY end_time, id LIMIT ?",
    [now, limit],
  )).map(subFromRow);
  const changed: number[] = [];
  for (const sub of due) {
    const group = await db.transaction(async (tx) => {
      const r = await tx.exec(
        "UPDATE user_subscriptions SET status = 'expired', updated_at = ? WHERE id = ? AND status = 'active'",
        [now, sub.id],
      );
      return r.changes === 1 ? await revertGroupTx(tx, sub, now) : "";
    });
    if (group) changed.push(sub.userId);
  }
  return changed;
}

export interface SubscriptionOrderRow {
  userId: number;
  planId: number;
  money: number;
  tradeNo: string;
  paymentMethod: string;
  paymentProvider: string;
  status: string;
  providerPayload: string;
}

export async function insertSubscriptionOrderTx(tx: Db, o: SubscriptionOrderRow): Promise<number> {
  const now = nowSeconds();
  return await insertReturningId(
    tx,
    `INSERT INTO subscription_orders (user_id, plan_id, money, trade_no, payment_method, payment_provider, status,
       create_time, complete_time, provider_payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      o.userId,
      o.planId,
      o.money,
      o.tradeNo,
      o.paymentMethod,
      o.paymentProvider,
      o.status,
      now,
      o.status === "success" ? now : 0,
      o.providerPayload,
    ],
  );
}
