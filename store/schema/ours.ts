/** Tables of ours that New API does not have (added next to its tables, never replacing them). */
import type { Table } from "./table.ts";

/** Background jobs run on one instance at a time: whoever holds the unexpired lease. */
export const jobLeases: Table = {
  name: "job_leases",
  columns: [
    { name: "name", type: "varchar(100)", notNull: true },
    { name: "holder", type: "varchar(100)", notNull: true, default: "" },
    { name: "expires_at", type: "int", notNull: true, default: 0 },
  ],
  primaryKey: ["name"],
};

/**
 * The change feed for stores without LISTEN/NOTIFY (MySQL): every cache-invalidating write appends a row,
 * every instance polls for ids above the last it saw (store/cache/change_feed.ts). Rows are pruned by age.
 */
export const cacheChanges: Table = {
  name: "cache_changes",
  columns: [
    { name: "id", type: "id" },
    { name: "payload", type: "text", notNull: true },
    { name: "created_at", type: "int", notNull: true },
  ],
  indexes: [{ name: "idx_cache_changes_created_at", columns: ["created_at"] }],
};

/**
 * A provider's recurring subscription (Stripe's `sub_…`) and the user subscription it pays for, so a renewal
 * invoice extends the right one (store/provider_subscriptions.ts). `money` is what the first order cost.
 */
export const providerSubscriptions: Table = {
  name: "provider_subscriptions",
  columns: [
    { name: "id", type: "id" },
    { name: "provider", type: "varchar(32)", notNull: true, default: "" },
    { name: "provider_subscription_id", type: "varchar(128)", notNull: true, default: "" },
    { name: "user_id", type: "int", notNull: true, default: 0 },
    { name: "plan_id", type: "int", notNull: true, default: 0 },
    { name: "user_subscription_id", type: "int", notNull: true, default: 0 },
    { name: "money", type: "float", notNull: true, default: 0 },
    { name: "status", type: "varchar(32)", notNull: true, default: "" },
    { name: "created_at", type: "int", notNull: true, default: 0 },
    { name: "updated_at", type: "int", notNull: true, default: 0 },
  ],
  indexes: [{
    name: "uniq_provider_subscriptions_ref",
    columns: ["provider", "provider_subscription_id"],
    unique: true,
  }],
};

/** Each renewal invoice a provider paid, once: the unique key makes a replayed invoice change nothing. */
export const providerInvoices: Table = {
  name: "provider_invoices",
  columns: [
    { name: "id", type: "id" },
    { name: "provider", type: "varchar(32)", notNull: true, default: "" },
    { name: "invoice_id", type: "varchar(128)", notNull: true, default: "" },
    { name: "provider_subscription_id", type: "varchar(128)", notNull: true, default: "" },
    { name: "user_subscription_id", type: "int", notNull: true, default: 0 },
    { name: "amount_cents", type: "int", notNull: true, default: 0 },
    { name: "created_at", type: "int", notNull: true, default: 0 },
  ],
  indexes: [{ name: "uniq_provider_invoices_ref", columns: ["provider", "invoice_id"], unique: true }],
};

export const ourTables: Table[] = [jobLeases, cacheChanges, providerSubscriptions, providerInvoices];
