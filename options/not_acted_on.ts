/**
 * New API's option keys this project accepts, checks and stores under their names but does not act on yet
 * (payments, OAuth, Turnstile, sensitive words, console panels, Midjourney, ...): a New API database and its
 * admin scripts keep working, and `GET /api/option/` marks each `implemented: false`. Defaults are New API's
 * (commit e2c7aa7); when a feature lands, move its keys to the area's module and drop the marker.
 */
import { boolOption, floatOption, intOption, jsonOption, type OptionDef } from "./registry.ts";

const text = (key: string, value = ""): OptionDef => ({ key, default: value });
const int = (key: string, value: number) => intOption(key, value, -2147483648, 2147483647);

const declared: OptionDef[] = [
  // Groups and billing
  boolOption("ExposeRatioEnabled", false),
  jsonOption("billing_setting.billing_expr", {}),
  jsonOption("billing_setting.billing_mode", {}),
  jsonOption("group_ratio_setting.group_group_ratio", {}),
  jsonOption("group_ratio_setting.group_ratio", { default: 1, vip: 1, svip: 1 }),
  jsonOption("group_ratio_setting.group_special_usable_group", {}),
  jsonOption("tool_price_setting.prices", {}),
  boolOption("quota_setting.enable_free_model_pre_consume", true),
  // Model settings
  jsonOption("claude.default_max_tokens", { default: 8192 }),
  jsonOption("claude.model_headers_settings", {}),
  boolOption("gemini.function_call_thought_signature_enabled", true),
  boolOption("gemini.remove_function_response_id_enabled", true),
  jsonOption("gemini.safety_settings", { default: "OFF" }),
  jsonOption("gemini.supported_imagine_models", [
    "gemini-2.0-flash-exp-image-generation",
    "gemini-2.0-flash-exp",
  ]),
  jsonOption("gemini.version_settings", { default: "v1beta" }),
  jsonOption("global.chat_completions_to_responses_policy", {}),
  boolOption("global.pass_through_request_enabled", false),
  floatOption("grok.violation_deduction_amount", 0.05),
  boolOption("grok.violation_deduction_enabled", true),
  jsonOption("qwen.sync_image_models", ["qwen-image", "qwen-image-edit"]),
  text("monitor_setting.channel_test_mode", "scheduled_all"),
  // Console panels and site
  boolOption("console_setting.uptime_kuma_enabled", true),
  jsonOption("console_setting.uptime_kuma_groups", []),
  boolOption("general_setting.ping_interval_enabled", false),
  int("general_setting.ping_interval_seconds", 60),
  text("ChatLink"),
  text("ChatLink2"),
  int("StreamCacheQueueLength", 0),
  // Sign-in: SMTP TLS details
  boolOption("SMTPInsecureSkipVerify", false),
  boolOption("SMTPStartTLSEnabled", false),
  // Files, drawing, tasks, Midjourney, workers
  int("FileDownloadPermission", 0),
  int("FileUploadPermission", 0),
  int("ImageDownloadPermission", 0),
  int("ImageUploadPermission", 0),
  boolOption("DrawingEnabled", true),
  boolOption("TaskEnabled", true),
  boolOption("MjAccountFilterEnabled", false),
  boolOption("MjModeClearEnabled", false),
  boolOption("MjNotifyEnabled", false),
  boolOption("WorkerAllowHttpImageRequestEnabled", false),
  text("WorkerUrl"),
  text("WorkerValidKey"),
  // Sensitive words
  boolOption("CheckSensitiveEnabled", true),
  boolOption("CheckSensitiveOnPromptEnabled", true),
  text("SensitiveWords", "test_sensitive"),
  boolOption("StopOnSensitiveEnabled", true),
  // Performance and metrics
  text("perf_metrics_setting.bucket_time", "hour"),
  boolOption("perf_metrics_setting.enabled", true),
  int("perf_metrics_setting.flush_interval", 5),
  int("perf_metrics_setting.retention_days", 0),
  boolOption("performance_setting.disk_cache_enabled", false),
  int("performance_setting.disk_cache_max_size_mb", 1024),
  text("performance_setting.disk_cache_path"),
  int("performance_setting.disk_cache_threshold_mb", 10),
  boolOption("performance_setting.monitor_enabled", false),
  int("performance_setting.monitor_cpu_threshold", 90),
  int("performance_setting.monitor_memory_threshold", 90),
  int("performance_setting.monitor_disk_threshold", 95),
  // Payments and top-up
  boolOption("payment_setting.compliance_confirmed", false),
  int("payment_setting.compliance_confirmed_at", 0),
  int("payment_setting.compliance_confirmed_by", 0),
  text("payment_setting.compliance_confirmed_ip"),
  text("payment_setting.compliance_terms_version"),
  text("WaffoApiKey"),
  text("WaffoCurrency", "USD"),
  boolOption("WaffoEnabled", false),
  text("WaffoMerchantId"),
  int("WaffoMinTopUp", 1),
  text("WaffoNotifyUrl"),
  text("WaffoPancakeMerchantID"),
  int("WaffoPancakeMinTopUp", 1),
  text("WaffoPancakePrivateKey"),
  text("WaffoPancakeProductID"),
  text("WaffoPancakeReturnURL"),
  text("WaffoPancakeStoreID"),
  floatOption("WaffoPancakeUnitPrice", 1),
  jsonOption("WaffoPayMethods", []),
  text("WaffoPrivateKey"),
  text("WaffoPublicCert"),
  text("WaffoReturnUrl"),
  boolOption("WaffoSandbox", false),
  text("WaffoSandboxApiKey"),
  text("WaffoSandboxPrivateKey"),
  text("WaffoSandboxPublicCert"),
  text("WaffoSubscriptionReturnUrl"),
  floatOption("WaffoUnitPrice", 1),
];

export const notActedOnOptions: OptionDef[] = declared.map((d) => ({ ...d, implemented: false }));
