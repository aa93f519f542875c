/**
 * Our billing tables (not in New API). `quota_reservations` is the durable record of every hold on a
 * user's and token's quota: one row per client request, HELD until it is SETTLED or RELEASED exactly once.
 */
import type { Table } from "./table.ts";

export const quotaReservations: Table = {
  name: "quota_reservations",
  columns: [
    { name: "id", type: "id" },
    { name: "request_id", type: "varchar(64)", notNull: true },
    { name: "user_id", type: "int", notNull: true },
    { name: "token_id", type: "int", default: 0 },
    // Last channel tried; the one settled against when the sweeper settles from a checkpoint.
    { name: "channel_id", type: "int", default: 0 },
    // Held from the user's wallet, and from the token's remaining quota (0 for an unlimited token).
    { name: "amount", type: "int", notNull: true, default: 0 },
    { name: "token_amount", type: "int", notNull: true, default: 0 },
    // HELD → SETTLED | RELEASED; never changes again once terminal.
    { name: "status", type: "varchar(16)", notNull: true, default: "HELD" },
    { name: "created_at", type: "int", notNull: true, default: 0 },
    { name: "expires_at", type: "int", notNull: true, default: 0 },
    { name: "settled_at", type: "int", default: 0 },
    { name: "settled_quota", type: "int", default: 0 },
    // What settlement wanted to charge beyond the hold but the balance could not cover.
    { name: "shortfall", type: "int", default: 0 },
    // Credited back later (refund log rows), never more than settled_quota.
    { name: "refunded_quota", type: "int", default: 0 },
    // Usage seen so far on a long request, priced; the sweeper settles at it after a crash.
    { name: "checkpoint_quota", type: "int", default: 0 },
    { name: "checkpoint_prompt", type: "int", default: 0 },
    { name: "checkpoint_completion", type: "int", default: 0 },
    // The process holding it (a random id per start), and how the hold ended.
    { name: "owner", type: "varchar(64)", default: "" },
    { name: "resolution", type: "varchar(32)", default: "" },
    // The consume-log template (names, group, ratios) the sweeper needs to write the log row.
    { name: "meta", type: "text" },
  ],
  indexes: [
    { name: "uniq_quota_reservations_request_id", columns: ["request_id"], unique: true },
    { name: "idx_quota_reservations_status_expires", columns: ["status", "expires_at"] },
    { name: "idx_quota_reservations_user_id", columns: ["user_id"] },
  ],
};

/**
 * Quota leases (PostgreSQL, MySQL: several instances share the balances): a slice of a user's wallet or a
 * limited token's remain_quota moved out of the balance into one instance's row, which that instance spends
 * in memory (store/quota_leases.ts). The balance a reader sees is `quota` plus every lease of it; a lease
 * whose instance stopped renewing it is returned to the balance by any other instance.
 */
export const quotaLeases: Table = {
  name: "quota_leases",
  columns: [
    { name: "id", type: "id" },
    // The instance (Billing.owner, a random id per start).
    { name: "owner", type: "varchar(64)", notNull: true },
    // 1 = users.quota, 2 = tokens.remain_quota.
    { name: "kind", type: "int", notNull: true },
    { name: "subject_id", type: "int", notNull: true },
    // Moved in, minus the committed charges against it (may go below 0 by the overdraft rule's debt).
    { name: "amount", type: "int", notNull: true, default: 0 },
    { name: "expires_at", type: "int", notNull: true, default: 0 },
  ],
  indexes: [
    { name: "uniq_quota_leases_owner_subject", columns: ["owner", "kind", "subject_id"], unique: true },
    { name: "idx_quota_leases_subject", columns: ["kind", "subject_id"] },
    { name: "idx_quota_leases_expires_at", columns: ["expires_at"] },
  ],
};

export const billingTables: Table[] = [quotaReservations, quotaLeases];
