/**
 * New API's own tables, with its table and column names and defaults, so that its PostgreSQL or SQLite
 * database can be adopted. Columns we add to its tables are marked "ours".
 */
import type { Column, ColumnType, Index, Table } from "./table.ts";

const col = (name: string, type: ColumnType, extra: Omit<Column, "name" | "type"> = {}): Column => ({
  name,
  type,
  ...extra,
});
const idx = (table: string, ...columns: string[]): Index => ({
  name: `idx_${table}_${columns.join("_")}`,
  columns,
});
const uniq = (table: string, ...columns: string[]): Index => ({ ...idx(table, ...columns), unique: true });

export const users: Table = {
  name: "users",
  columns: [
    col("id", "id"),
    col("username", "text"),
    col("password", "text", { notNull: true, default: "" }),
    col("display_name", "text"),
    col("role", "int", { default: 1 }),
    col("status", "int", { default: 1 }),
    col("email", "text"),
    col("github_id", "text"),
    col("discord_id", "text"),
    col("oidc_id", "text"),
    col("wechat_id", "text"),
    col("telegram_id", "text"),
    col("access_token", "char(32)"),
    col("quota", "int", { default: 0 }),
    col("used_quota", "int", { default: 0 }),
    col("request_count", "int", { default: 0 }),
    col("group", "varchar(64)", { default: "default" }),
    col("aff_code", "varchar(32)"),
    col("aff_count", "int", { default: 0 }),
    col("aff_quota", "int", { default: 0 }),
    col("aff_history", "int", { default: 0 }),
    col("inviter_id", "int"),
    col("deleted_at", "timestamp"),
    col("linux_do_id", "text"),
    col("setting", "text"),
    col("remark", "varchar(255)"),
    col("stripe_customer", "varchar(64)"),
    col("created_at", "int"),
    col("last_login_at", "int", { default: 0 }),
    col("auth_version", "int", { default: 1, notNull: true }),
    // ours: HMAC of the console access token; the plaintext `access_token` column stays empty.
    col("access_token_hash", "varchar(80)"),
    // ours: the access token encrypted (purpose access-token), read only by `deno task export-new-api`.
    col("access_token_sealed", "text"),
  ],
  indexes: [
    uniq("users", "username"),
    idx("users", "display_name"),
    idx("users", "email"),
    uniq("users", "access_token"),
    uniq("users", "aff_code"),
    idx("users", "inviter_id"),
    idx("users", "deleted_at"),
    uniq("users", "access_token_hash"),
  ],
};

export const tokens: Table = {
  name: "tokens",
  columns: [
    col("id", "id"),
    col("user_id", "int"),
    // Holds the keyed hash of the key (never the key itself once adopted).
    col("key", "varchar(128)"),
    col("status", "int", { default: 1 }),
    col("name", "text"),
    col("created_time", "int"),
    col("accessed_time", "int"),
    col("expired_time", "int", { default: -1 }),
    col("remain_quota", "int", { default: 0 }),
    col("unlimited_quota", "bool", { default: false }),
    col("model_limits_enabled", "bool", { default: false }),
    col("model_limits", "text"),
    col("allow_ips", "text", { default: "" }),
    col("used_quota", "int", { default: 0 }),
    col("group", "text", { default: "" }),
    col("cross_group_retry", "bool", { default: false }),
    col("auto_groups", "text"),
    col("deleted_at", "timestamp"),
    // ours: masked key for display, and per-token limits.
    col("key_hint", "varchar(64)", { default: "" }),
    col("rpm_limit", "int", { default: 0 }),
    col("tpm_limit", "int", { default: 0 }),
    col("concurrency_limit", "int", { default: 0 }),
    // ours: the key encrypted (purpose token-key), so `deno task export-new-api` can give New API its
    // plaintext keys back on a rollback; never read by the gateway itself.
    col("key_sealed", "text"),
  ],
  indexes: [
    idx("tokens", "user_id"),
    uniq("tokens", "key"),
    idx("tokens", "name"),
    idx("tokens", "deleted_at"),
  ],
};

export const channels: Table = {
  name: "channels",
  columns: [
    col("id", "id"),
    col("type", "int", { default: 0 }),
    // Encrypted at rest (AES-GCM); see the channel repository. No default, as in New API: on MySQL that
    // keeps it `longtext` (a default makes it varchar(191), too short for a Vertex service-account key).
    col("key", "text", { notNull: true }),
    col("open_ai_organization", "text"),
    col("test_model", "text"),
    col("status", "int", { default: 1 }),
    col("name", "text"),
    col("weight", "int", { default: 0 }),
    col("created_time", "int"),
    col("test_time", "int"),
    col("response_time", "int"),
    col("base_url", "text", { default: "" }),
    col("other", "text"),
    col("balance", "float"),
    col("balance_updated_time", "int"),
    col("models", "text"),
    col("group", "varchar(64)", { default: "default" }),
    col("used_quota", "int", { default: 0 }),
    col("model_mapping", "text"),
    col("status_code_mapping", "varchar(1024)", { default: "" }),
    col("priority", "int", { default: 0 }),
    col("auto_ban", "int", { default: 1 }),
    col("other_info", "text"),
    col("tag", "text"),
    col("setting", "text"),
    col("param_override", "text"),
    col("header_override", "text"),
    col("remark", "varchar(255)"),
    col("channel_info", "json"),
    col("settings", "text"),
  ],
  indexes: [idx("channels", "name"), idx("channels", "tag")],
};

export const abilities: Table = {
  name: "abilities",
  columns: [
    col("group", "varchar(64)", { notNull: true }),
    col("model", "varchar(255)", { notNull: true }),
    col("channel_id", "int", { notNull: true }),
    col("enabled", "bool"),
    col("priority", "int", { default: 0 }),
    col("weight", "int", { default: 0 }),
    col("tag", "text"),
  ],
  primaryKey: ["group", "model", "channel_id"],
  indexes: [
    idx("abilities", "channel_id"),
    idx("abilities", "priority"),
    idx("abilities", "weight"),
    idx("abilities", "tag"),
  ],
};

export const logs: Table = {
  name: "logs",
  columns: [
    col("id", "id"),
    col("user_id", "int"),
    col("created_at", "int"),
    col("type", "int"),
    col("content", "text"),
    col("username", "text", { default: "" }),
    col("token_name", "text", { default: "" }),
    col("model_name", "text", { default: "" }),
    col("quota", "int", { default: 0 }),
    col("prompt_tokens", "int", { default: 0 }),
    col("completion_tokens", "int", { default: 0 }),
    col("use_time", "int", { default: 0 }),
    col("is_stream", "bool"),
    col("channel_id", "int"),
    col("token_id", "int", { default: 0 }),
    col("group", "text"),
    col("ip", "text", { default: "" }),
    col("other", "text"),
    // GORM read-only in New API (`->`) but still migrated, and the upstream's request id.
    col("channel_name", "text"),
    col("upstream_request_id", "varchar(128)", { default: "" }),
    // ours (New API keeps these inside `other`): the request id, indexed for lookups.
    col("request_id", "varchar(64)", { default: "" }),
  ],
  indexes: [
    { name: "idx_created_at_id", columns: ["id", "created_at"] },
    { name: "idx_created_at_type", columns: ["created_at", "type"] },
    // New API also indexes user_id, username, token_name, model_name, channel_id, token_id and group alone;
    // each leads one of the indexes below, which serve the same lookups, so a fresh store skips them (an
    // adopted database keeps its own): every index is paid on each consume row written.
    { name: "index_username_model_name", columns: ["model_name", "username"] },
    idx("logs", "ip"),
    idx("logs", "request_id"),
    // ours: the console lists newest first (created_at, id) under one equality filter and an optional time
    // range, so each filter column leads an index that already holds that order. The trailing columns
    // make the stat sums (consume rows' quota and tokens) index-only for the same filters.
    idx("logs", "created_at", "id"),
    ...["type", "user_id", "username", "token_name", "model_name", "channel_id", "group", "token_id"].map((
      c,
    ) => ({
      name: `idx_logs_${c}_created_at_id`,
      columns: [
        c,
        "created_at",
        "id",
        ...(c === "type" ? [] : ["type"]),
        "quota",
        "prompt_tokens",
        "completion_tokens",
      ],
    })),
  ],
};

export const options: Table = {
  name: "options",
  columns: [col("key", "text", { notNull: true }), col("value", "text")],
  primaryKey: ["key"],
};

export const redemptions: Table = {
  name: "redemptions",
  columns: [
    col("id", "id"),
    col("user_id", "int"),
    col("key", "char(32)"),
    col("status", "int", { default: 1 }),
    col("name", "text"),
    col("quota", "int", { default: 100 }),
    col("created_time", "int"),
    col("redeemed_time", "int"),
    col("used_user_id", "int"),
    col("deleted_at", "timestamp"),
    col("expired_time", "int"),
  ],
  indexes: [
    uniq("redemptions", "key"),
    idx("redemptions", "name"),
    idx("redemptions", "used_user_id"),
    idx("redemptions", "deleted_at"),
  ],
};

export const topUps: Table = {
  name: "top_ups",
  columns: [
    col("id", "id"),
    col("user_id", "int"),
    col("amount", "int"),
    col("money", "float"),
    col("trade_no", "varchar(255)"),
    col("payment_method", "varchar(50)"),
    col("payment_provider", "varchar(50)"),
    col("create_time", "int"),
    col("complete_time", "int"),
    col("status", "text"),
  ],
  indexes: [idx("top_ups", "user_id"), uniq("top_ups", "trade_no")],
};

export const quotaData: Table = {
  name: "quota_data",
  columns: [
    col("id", "id"),
    col("user_id", "int"),
    col("username", "varchar(64)", { default: "" }),
    col("model_name", "varchar(64)", { default: "" }),
    col("created_at", "int"),
    col("token_used", "int", { default: 0 }),
    col("count", "int", { default: 0 }),
    col("quota", "int", { default: 0 }),
    // New API's per-group, token, channel and node breakdown; declared for adoption, not yet written.
    col("use_group", "varchar(64)", { default: "" }),
    col("token_id", "int", { default: 0 }),
    col("channel_id", "int", { default: 0 }),
    col("node_name", "varchar(64)", { default: "" }),
  ],
  indexes: [
    idx("quota_data", "user_id"),
    { name: "idx_qdt_model_user_name", columns: ["model_name", "username"] },
    { name: "idx_qdt_created_at", columns: ["created_at"] },
  ],
};

export const setups: Table = {
  name: "setups",
  columns: [
    col("id", "id"),
    col("version", "varchar(50)", { notNull: true, default: "" }),
    col("initialized_at", "int"),
  ],
};

export const tasks: Table = {
  name: "tasks",
  columns: [
    col("id", "id"),
    col("created_at", "int"),
    col("updated_at", "int"),
    col("task_id", "varchar(191)"),
    col("platform", "varchar(30)"),
    col("user_id", "int"),
    col("group", "varchar(50)"),
    col("channel_id", "int"),
    col("quota", "int"),
    col("action", "varchar(40)"),
    col("status", "varchar(20)"),
    col("fail_reason", "text"),
    col("submit_time", "int"),
    col("start_time", "int"),
    col("finish_time", "int"),
    col("progress", "varchar(20)"),
    col("properties", "json"),
    col("private_data", "json"),
    col("data", "json"),
    // ours: the request id of the charge, so a failed task is refunded against it exactly once.
    col("request_id", "varchar(64)"),
  ],
  indexes: [
    idx("tasks", "created_at"),
    idx("tasks", "task_id"),
    idx("tasks", "platform"),
    idx("tasks", "user_id"),
    idx("tasks", "channel_id"),
    idx("tasks", "status"),
    idx("tasks", "submit_time"),
  ],
};

export const midjourneys: Table = {
  name: "midjourneys",
  columns: [
    col("id", "id"),
    col("code", "int"),
    col("user_id", "int"),
    col("action", "varchar(40)"),
    col("mj_id", "text"),
    col("prompt", "text"),
    col("prompt_en", "text"),
    col("description", "text"),
    col("state", "text"),
    col("submit_time", "int"),
    col("start_time", "int"),
    col("finish_time", "int"),
    col("image_url", "text"),
    col("video_url", "text"),
    col("video_urls", "text"),
    col("status", "varchar(20)"),
    col("progress", "varchar(30)"),
    col("fail_reason", "text"),
    col("channel_id", "int"),
    col("quota", "int"),
    col("buttons", "text"),
    col("properties", "text"),
    col("token_id", "int", { default: 0 }),
    col("billing_channel_id", "int", { default: 0 }),
    // ours: the request id of the charge, so a failed task is refunded against it exactly once.
    col("request_id", "varchar(64)"),
  ],
  indexes: [
    idx("midjourneys", "user_id"),
    idx("midjourneys", "action"),
    idx("midjourneys", "mj_id"),
    idx("midjourneys", "submit_time"),
    idx("midjourneys", "status"),
  ],
};

export const newApiTables: Table[] = [
  users,
  tokens,
  channels,
  abilities,
  logs,
  options,
  redemptions,
  topUps,
  quotaData,
  setups,
  tasks,
  midjourneys,
];
