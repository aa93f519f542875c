/**
 * The JSON shapes the management API returns for users, tokens, channels and redemption codes, with New
 * API's field names. They are built field by field from an allow-list: password hashes, access tokens,
 * token keys and channel keys have no way in.
 */
import { Role, type User } from "../../store/users.ts";
import type { Token } from "../../store/tokens.ts";
import { parseTokenAutoGroups } from "../../options/groups.ts";
import type { Channel } from "../../store/channels.ts";
import type { Redemption } from "../../store/redemptions.ts";
import type { ModelMeta, Vendor } from "../../store/model_meta.ts";
import { asJsonObject } from "../../store/db.ts";
import { redemptionCodeHint } from "../../crypto/redemption_code.ts";
import { settingForOwner } from "../../notify/setting_secrets.ts";
import type { TopUp } from "../../store/top_ups.ts";
import type { MjTask } from "../../store/midjourneys.ts";
import type { Task } from "../../store/tasks.ts";

/**
 * A user's `setting` JSON without the secrets a user may keep there (webhook secret, Gotify token, the Bark
 * URL with its device key, ...): administrators see the preferences, never the credentials.
 */
function settingWithoutSecrets(text: string): string {
  if (!text) return text;
  const setting = asJsonObject(text);
  for (const key of Object.keys(setting)) {
    if (/secret|token|password|key/i.test(key) || key === "bark_url") delete setting[key];
  }
  return JSON.stringify(setting);
}

/**
 * A user as administrators see it (lists, detail), New API's `User` JSON. Its `password`,
 * `original_password` and `verification_code` keys (always empty there) are left out here on purpose.
 */
export function userView(u: User) {
  return {
    id: u.id,
    username: u.username,
    display_name: u.displayName,
    role: u.role,
    status: u.status,
    email: u.email,
    github_id: u.githubId,
    discord_id: u.discordId,
    oidc_id: u.oidcId,
    wechat_id: u.wechatId,
    telegram_id: u.telegramId,
    quota: u.quota,
    used_quota: u.usedQuota,
    request_count: u.requestCount,
    group: u.group,
    aff_code: u.affCode,
    aff_count: u.affCount,
    aff_quota: u.affQuota,
    aff_history_quota: u.affHistoryQuota,
    inviter_id: u.inviterId,
    // gorm's soft-delete column, written without a json tag: null while the user is live.
    DeletedAt: u.deletedAt,
    linux_do_id: u.linuxDoId,
    setting: settingWithoutSecrets(u.setting),
    remark: u.remark,
    stripe_customer: u.stripeCustomer,
    created_at: u.createdAt,
    last_login_at: u.lastLoginAt,
  };
}

/** The channel actions New API's built-in roles hold (root every one; admins read, operate, write). */
export function adminPermissionsOf(role: number): Record<string, Record<string, boolean>> {
  if (role < Role.admin) return {};
  const root = role >= Role.root;
  return {
    channel: { read: true, operate: true, write: true, sensitive_write: root, secret_view: root },
  };
}

/** One user for an administrator (`GET /api/user/:id`): the list view plus `admin_permissions`. */
export function userDetailView(u: User) {
  return { ...userView(u), admin_permissions: adminPermissionsOf(u.role) };
}

/**
 * The `POST /api/user/manage` answer: New API writes a `User` holding only the new role and status,
 * every other field empty.
 */
export function managedUserView(role: number, status: number) {
  const { remark: _remark, ...empty } = userView({
    id: 0,
    username: "",
    displayName: "",
    role,
    status,
    email: "",
    quota: 0,
    usedQuota: 0,
    requestCount: 0,
    group: "",
    affCode: "",
    affCount: 0,
    affQuota: 0,
    affHistoryQuota: 0,
    inviterId: 0,
    setting: "",
    remark: "",
    createdAt: 0,
    lastLoginAt: 0,
    authVersion: 0,
    deleted: false,
    deletedAt: null,
    githubId: "",
    discordId: "",
    oidcId: "",
    wechatId: "",
    telegramId: "",
    linuxDoId: "",
    stripeCustomer: "",
  });
  return empty;
}

/** New API's console permissions summary for the signed-in user. */
function permissionsOf(role: number) {
  const admin_permissions = adminPermissionsOf(role);
  if (role >= Role.root) return { sidebar_settings: false, sidebar_modules: {}, admin_permissions };
  if (role >= Role.admin) {
    return { sidebar_settings: true, sidebar_modules: { admin: { setting: false } }, admin_permissions };
  }
  return { sidebar_settings: true, sidebar_modules: { admin: false }, admin_permissions };
}

/**
 * The signed-in user's own view (`/api/user/self`, login). Its `setting` hides the notification secrets
 * (empty) and masks the Bark URL; saving those back keeps the stored ones.
 */
export function selfView(u: User, cryptoSecret: string) {
  const setting = asJsonObject(u.setting);
  const { remark: _remark, DeletedAt: _deletedAt, ...rest } = userView(u);
  return {
    ...rest,
    setting: u.setting ? JSON.stringify(settingForOwner(cryptoSecret, setting)) : u.setting,
    sidebar_modules: typeof setting.sidebar_modules === "string" ? setting.sidebar_modules : "",
    permissions: permissionsOf(u.role),
  };
}

/**
 * A token. `key` holds the masked hint (clients display that field); the full key exists only in the
 * create and regenerate responses.
 */
export function tokenView(t: Token) {
  return {
    id: t.id,
    user_id: t.userId,
    key: t.keyHint,
    key_hint: t.keyHint,
    status: t.status,
    name: t.name,
    created_time: t.createdTime,
    accessed_time: t.accessedTime,
    expired_time: t.expiredTime,
    remain_quota: t.remainQuota,
    unlimited_quota: t.unlimitedQuota,
    used_quota: t.usedQuota,
    model_limits_enabled: t.modelLimitsEnabled,
    model_limits: t.modelLimits,
    allow_ips: t.allowIps,
    group: t.group,
    cross_group_retry: t.crossGroupRetry,
    // New API answers the token's own auto list, or null when it follows `AutoGroups`.
    auto_groups: parseTokenAutoGroups(t.autoGroups)?.length ? parseTokenAutoGroups(t.autoGroups) : null,
    // New API's subscription-first billing mode (0), the only one without subscriptions; `DeletedAt` is
    // its soft-delete column, written without a json tag and null on every row it returns.
    billing_type: 0,
    DeletedAt: null,
    rpm_limit: t.rpmLimit,
    tpm_limit: t.tpmLimit,
    concurrency_limit: t.concurrencyLimit,
  };
}

/** A channel without its key (`key` is always empty, as New API's key-less reads return it). */
export function channelView(ch: Channel) {
  const info = asJsonObject(ch.channelInfo);
  delete info.multi_key_disabled_reason;
  delete info.multi_key_disabled_time;
  return {
    id: ch.id,
    type: ch.type,
    key: "",
    openai_organization: ch.openaiOrganization,
    test_model: ch.testModel,
    status: ch.status,
    name: ch.name,
    weight: ch.weight,
    created_time: ch.createdTime,
    test_time: ch.testTime,
    response_time: ch.responseTime,
    base_url: ch.baseUrl,
    other: ch.other,
    balance: ch.balance,
    balance_updated_time: ch.balanceUpdatedTime,
    models: ch.models,
    group: ch.group,
    used_quota: ch.usedQuota,
    model_mapping: ch.modelMapping,
    status_code_mapping: ch.statusCodeMapping,
    priority: ch.priority,
    auto_ban: ch.autoBan,
    other_info: ch.otherInfo,
    tag: ch.tag,
    setting: ch.setting,
    param_override: ch.paramOverride,
    header_override: ch.headerOverride,
    remark: ch.remark,
    channel_info: {
      is_multi_key: info.is_multi_key === true,
      multi_key_size: typeof info.multi_key_size === "number" ? info.multi_key_size : 0,
      multi_key_status_list: info.multi_key_status_list ?? {},
      multi_key_polling_index: typeof info.multi_key_polling_index === "number"
        ? info.multi_key_polling_index
        : 0,
      multi_key_mode: info.multi_key_mode === "polling" ? "polling" : "random",
    },
    settings: ch.settings,
  };
}

/**
 * A redemption code. `key` stays a string, as consoles expect, but holds a mask: the code itself was
 * shown once, at creation, and only its hash is stored.
 */
export function redemptionView(r: Redemption) {
  return {
    id: r.id,
    user_id: r.userId,
    key: redemptionCodeHint(r.key),
    status: r.status,
    name: r.name,
    quota: r.quota,
    created_time: r.createdTime,
    redeemed_time: r.redeemedTime,
    used_user_id: r.usedUserId,
    expired_time: r.expiredTime,
    // Request-only in New API (how many codes to make), written as 0; `DeletedAt` as for tokens.
    count: 0,
    DeletedAt: null,
  };
}

/** What New API adds to a model in its admin list and detail (`enrichModels`); empty parts are left out. */
export interface ModelExtras {
  boundChannels?: { name: string; type: number }[];
  enableGroups?: string[];
  quotaTypes?: number[];
  matchedModels?: string[];
}

/**
 * A model-metadata row in New API's JSON: Go's `omitempty` leaves out an empty description, icon, tags,
 * vendor_id and endpoints, and the extras when empty; `deleted_at` is `json:"-"` there.
 */
export function modelMetaView(m: ModelMeta, extras: ModelExtras = {}) {
  const view: Record<string, unknown> = { id: m.id, model_name: m.modelName };
  if (m.description) view.description = m.description;
  if (m.icon) view.icon = m.icon;
  if (m.tags) view.tags = m.tags;
  if (m.vendorId) view.vendor_id = m.vendorId;
  if (m.endpoints) view.endpoints = m.endpoints;
  view.status = m.status;
  view.sync_official = m.syncOfficial;
  view.created_time = m.createdTime;
  view.updated_time = m.updatedTime;
  if (extras.boundChannels?.length) view.bound_channels = extras.boundChannels;
  if (extras.enableGroups?.length) view.enable_groups = extras.enableGroups;
  if (extras.quotaTypes?.length) view.quota_types = extras.quotaTypes;
  view.name_rule = m.nameRule;
  if (extras.matchedModels?.length) {
    view.matched_models = extras.matchedModels;
    view.matched_count = extras.matchedModels.length;
  }
  return view;
}

/** A vendor in New API's JSON (`model_count` is filled in lists, 0 elsewhere, as there). */
export function vendorView(v: Vendor, modelCount = 0) {
  const view: Record<string, unknown> = { id: v.id, name: v.name };
  if (v.description) view.description = v.description;
  if (v.icon) view.icon = v.icon;
  view.status = v.status;
  view.created_time = v.createdTime;
  view.updated_time = v.updatedTime;
  view.model_count = modelCount;
  return view;
}

/** A `top_ups` order as New API serialises it (all its columns). */
export function topUpView(t: TopUp) {
  return {
    id: t.id,
    user_id: t.userId,
    amount: t.amount,
    money: t.money,
    trade_no: t.tradeNo,
    payment_method: t.paymentMethod,
    payment_provider: t.paymentProvider,
    create_time: t.createTime,
    complete_time: t.completeTime,
    status: t.status,
  };
}

/** A `midjourneys` row as New API serialises it (`model.Midjourney`); `imageUrl` as the caller is shown it. */
export function midjourneyView(t: MjTask, imageUrl: string) {
  return {
    id: t.id,
    code: t.code,
    user_id: t.userId,
    action: t.action,
    mj_id: t.mjId,
    prompt: t.prompt,
    prompt_en: t.promptEn,
    description: t.description,
    state: t.state,
    submit_time: t.submitTime,
    start_time: t.startTime,
    finish_time: t.finishTime,
    image_url: imageUrl,
    video_url: t.videoUrl,
    video_urls: t.videoUrls,
    status: t.status,
    progress: t.progress,
    fail_reason: t.failReason,
    channel_id: t.channelId,
    quota: t.quota,
    buttons: t.buttons,
    properties: t.properties,
  };
}

/** A `tasks` row as New API's task list shows it (`private_data` never; `username` in the admin list). */
export function taskView(t: Task, username?: string) {
  let data: unknown = null;
  try {
    data = t.data ? JSON.parse(t.data) : null;
  } catch { /* shown as null */ }
  const view: Record<string, unknown> = {
    id: t.id,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    task_id: t.taskId,
    platform: t.platform,
    user_id: t.userId,
    group: t.group,
    channel_id: t.channelId,
    quota: t.quota,
    action: t.action,
    status: t.status,
    fail_reason: t.failReason,
    submit_time: t.submitTime,
    start_time: t.startTime,
    finish_time: t.finishTime,
    progress: t.progress,
    properties: t.properties ? asJsonObject(t.properties) : null,
    data,
  };
  if (username !== undefined) view.username = username;
  return view;
}
