/**
 * The root settings form: which New API options it edits, grouped by section. Values travel as strings
 * (`GET /api/option/` answers `[{key, value}]`, `PUT /api/option/` takes `{key, value}`).
 */
import type { MessageKey } from "../i18n/messages.ts";

export type OptionKind = "text" | "textarea" | "number" | "bool" | "json" | "secret";

export interface OptionField {
  key: string;
  /** Without one, the option key is the label (keys listed from the API's answer). */
  label?: MessageKey;
  kind: OptionKind;
  /** More words under the field (the option key is always shown). */
  hint?: MessageKey;
  /** The value is a quota amount: the form shows it in currency beside the field. */
  amount?: true;
}

export interface OptionSection {
  title: MessageKey;
  fields: OptionField[];
}

/** One entry of `GET /api/option/`: `implemented: false` marks a key stored but not acted on yet. */
export interface OptionEntry {
  key: string;
  value: string;
  implemented?: boolean;
}

/**
 * The keys the server accepts but does not act on yet and no section above edits, as one more section of
 * plain text fields, so a New API admin sees (and may still set) them, each marked as not acted on.
 */
export function notActedOnSection(entries: OptionEntry[]): OptionSection {
  const edited = new Set(OPTION_SECTIONS.flatMap((s) => s.fields.map((f) => f.key)));
  const fields = entries.filter((e) => e.implemented === false && !edited.has(e.key))
    .map((e): OptionField => ({ key: e.key, kind: "text" }));
  return { title: "setting.section_not_acted_on", fields };
}

export const OPTION_SECTIONS: OptionSection[] = [
  {
    title: "setting.section_system",
    fields: [
      { key: "SystemName", label: "setting.system_name", kind: "text" },
      { key: "ServerAddress", label: "setting.server_address", kind: "text" },
      { key: "Notice", label: "setting.notice", kind: "textarea", hint: "setting.notice_hint" },
      { key: "Footer", label: "setting.footer", kind: "textarea", hint: "setting.footer_hint" },
      { key: "RegisterEnabled", label: "setting.register_enabled", kind: "bool" },
      { key: "PasswordLoginEnabled", label: "setting.password_login", kind: "bool" },
      { key: "PasswordRegisterEnabled", label: "setting.password_register", kind: "bool" },
      {
        key: "AdminTwoFactorRequired",
        label: "setting.admin_2fa_required",
        kind: "bool",
        hint: "setting.admin_2fa_required_hint",
      },
      { key: "Chats", label: "setting.chats", kind: "json", hint: "setting.chats_hint" },
    ],
  },
  {
    title: "setting.section_operation",
    fields: [
      { key: "QuotaForNewUser", label: "setting.quota_new_user", kind: "number", amount: true },
      { key: "QuotaForInviter", label: "setting.quota_inviter", kind: "number", amount: true },
      { key: "QuotaForInvitee", label: "setting.quota_invitee", kind: "number", amount: true },
      { key: "PreConsumedQuota", label: "setting.pre_consumed_quota", kind: "number", amount: true },
      { key: "token_setting.max_user_tokens", label: "setting.max_user_tokens", kind: "number" },
      { key: "LogConsumeEnabled", label: "setting.log_consume", kind: "bool" },
      {
        key: "LogRetentionDays",
        label: "setting.log_retention_days",
        kind: "number",
        hint: "setting.log_retention_days_hint",
      },
      { key: "DataExportEnabled", label: "setting.data_export", kind: "bool" },
      { key: "DataExportInterval", label: "setting.data_export_interval", kind: "number" },
      { key: "SelfUseModeEnabled", label: "setting.self_use_mode", kind: "bool" },
    ],
  },
  {
    title: "setting.section_checkin",
    fields: [
      { key: "checkin_setting.enabled", label: "setting.checkin_enabled", kind: "bool" },
      { key: "checkin_setting.min_quota", label: "setting.checkin_min_quota", kind: "number", amount: true },
      {
        key: "checkin_setting.max_quota",
        label: "setting.checkin_max_quota",
        kind: "number",
        amount: true,
        hint: "setting.checkin_quota_hint",
      },
    ],
  },
  {
    title: "setting.section_channels",
    fields: [
      { key: "RetryTimes", label: "setting.retry_times", kind: "number" },
      { key: "AutomaticRetryStatusCodes", label: "setting.retry_status_codes", kind: "text" },
      { key: "AutomaticDisableChannelEnabled", label: "setting.auto_disable", kind: "bool" },
      { key: "AutomaticDisableStatusCodes", label: "setting.disable_status_codes", kind: "text" },
      { key: "AutomaticDisableKeywords", label: "setting.disable_keywords", kind: "textarea" },
      { key: "ChannelDisableThreshold", label: "setting.disable_threshold", kind: "number" },
      { key: "AutomaticEnableChannelEnabled", label: "setting.auto_enable", kind: "bool" },
      { key: "monitor_setting.auto_test_channel_enabled", label: "setting.auto_test", kind: "bool" },
      {
        key: "monitor_setting.auto_test_channel_minutes",
        label: "setting.auto_test_minutes",
        kind: "number",
      },
    ],
  },
  {
    title: "setting.section_ratios",
    fields: [
      { key: "ModelRatio", label: "setting.model_ratio", kind: "json" },
      { key: "CompletionRatio", label: "setting.completion_ratio", kind: "json" },
      { key: "ModelPrice", label: "setting.model_price", kind: "json" },
      { key: "CacheRatio", label: "setting.cache_ratio", kind: "json" },
      { key: "GroupRatio", label: "setting.group_ratio", kind: "json" },
      { key: "UserUsableGroups", label: "setting.user_usable_groups", kind: "json" },
      { key: "GroupGroupRatio", label: "setting.group_group_ratio", kind: "json" },
    ],
  },
  {
    title: "setting.section_rate_limit",
    fields: [
      { key: "ModelRequestRateLimitEnabled", label: "setting.rate_limit_enabled", kind: "bool" },
      { key: "ModelRequestRateLimitDurationMinutes", label: "setting.rate_limit_minutes", kind: "number" },
      { key: "ModelRequestRateLimitCount", label: "setting.rate_limit_count", kind: "number" },
      { key: "ModelRequestRateLimitSuccessCount", label: "setting.rate_limit_success", kind: "number" },
      {
        key: "ModelRequestRateLimitGroup",
        label: "setting.rate_limit_group",
        kind: "json",
        hint: "setting.rate_limit_group_hint",
      },
    ],
  },
  {
    title: "setting.section_notification",
    fields: [
      { key: "QuotaRemindThreshold", label: "setting.quota_remind", kind: "number", amount: true },
      { key: "SMTPServer", label: "setting.smtp_server", kind: "text" },
      { key: "SMTPPort", label: "setting.smtp_port", kind: "number" },
      { key: "SMTPSSLEnabled", label: "setting.smtp_ssl", kind: "bool" },
      { key: "SMTPAccount", label: "setting.smtp_account", kind: "text" },
      { key: "SMTPFrom", label: "setting.smtp_from", kind: "text" },
      { key: "SMTPToken", label: "setting.smtp_token", kind: "secret" },
      { key: "SMTPForceAuthLogin", label: "setting.smtp_force_login", kind: "bool" },
    ],
  },
  {
    title: "setting.section_payments",
    fields: [
      { key: "Price", label: "setting.price", kind: "number", hint: "setting.price_hint" },
      { key: "MinTopUp", label: "setting.min_top_up", kind: "number" },
      {
        key: "TopupGroupRatio",
        label: "setting.topup_group_ratio",
        kind: "json",
        hint: "setting.topup_group_ratio_hint",
      },
      {
        key: "payment_setting.amount_options",
        label: "setting.amount_options",
        kind: "json",
        hint: "setting.amount_options_hint",
      },
      {
        key: "payment_setting.amount_discount",
        label: "setting.amount_discount",
        kind: "json",
        hint: "setting.amount_discount_hint",
      },
      { key: "PayAddress", label: "setting.pay_address", kind: "text", hint: "setting.pay_address_hint" },
      { key: "EpayId", label: "setting.epay_id", kind: "text" },
      { key: "EpayKey", label: "setting.epay_key", kind: "secret" },
      { key: "PayMethods", label: "setting.pay_methods", kind: "json", hint: "setting.pay_methods_hint" },
      {
        key: "CustomCallbackAddress",
        label: "setting.callback_address",
        kind: "text",
        hint: "setting.callback_address_hint",
      },
    ],
  },
  {
    title: "setting.section_stripe",
    fields: [
      { key: "StripeApiSecret", label: "setting.stripe_api_secret", kind: "secret" },
      {
        key: "StripeWebhookSecret",
        label: "setting.stripe_webhook_secret",
        kind: "secret",
        hint: "setting.stripe_webhook_secret_hint",
      },
      { key: "StripePriceId", label: "setting.stripe_price_id", kind: "text" },
      { key: "StripeUnitPrice", label: "setting.stripe_unit_price", kind: "number" },
      { key: "StripeMinTopUp", label: "setting.stripe_min_top_up", kind: "number" },
      { key: "StripePromotionCodesEnabled", label: "setting.stripe_promotion_codes", kind: "bool" },
    ],
  },
  {
    title: "setting.section_creem",
    fields: [
      { key: "CreemApiKey", label: "setting.creem_api_key", kind: "secret" },
      {
        key: "CreemWebhookSecret",
        label: "setting.creem_webhook_secret",
        kind: "secret",
        hint: "setting.creem_webhook_secret_hint",
      },
      {
        key: "CreemProducts",
        label: "setting.creem_products",
        kind: "json",
        hint: "setting.creem_products_hint",
      },
      { key: "CreemTestMode", label: "setting.creem_test_mode", kind: "bool" },
    ],
  },
];

/** Checks a typed value before it is sent; returns a message key when it is not acceptable. */
export function optionValueProblem(kind: OptionKind, value: string): MessageKey | undefined {
  if (kind === "number" && value.trim() !== "" && !Number.isFinite(Number(value))) {
    return "setting.not_number";
  }
  if (kind === "json" && value.trim() !== "") {
    try {
      JSON.parse(value);
    } catch {
      return "setting.not_json";
    }
  }
  return undefined;
}
