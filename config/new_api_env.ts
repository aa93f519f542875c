/**
 * Every environment variable New API reads, and what this gateway does with it: honoured (same name, same
 * meaning), not needed (its job is done another way, so ignoring it is safe) or not yet (the feature it
 * tunes is missing). A variable that is set but not honoured is named at start, one line each, so an
 * environment carried over from New API never changes meaning silently. README's table shows the same.
 */

export type EnvStatus = "honoured" | "not needed" | "not yet";

export interface NewApiEnvVar {
  name: string;
  status: EnvStatus;
  /** Why it is not honoured (shown at start when the variable is set). */
  reason?: string;
}

const honoured = (...names: string[]): NewApiEnvVar[] => names.map((name) => ({ name, status: "honoured" }));
const notNeeded = (reason: string, ...names: string[]): NewApiEnvVar[] =>
  names.map((name) => ({ name, status: "not needed", reason }));
const notYet = (reason: string, ...names: string[]): NewApiEnvVar[] =>
  names.map((name) => ({ name, status: "not yet", reason }));

export const newApiEnvVars: NewApiEnvVar[] = [
  ...honoured(
    "ANONYMOUS_REQUEST_BODY_LIMIT_KB",
    "AZURE_DEFAULT_API_VERSION",
    "CHANNEL_TEST_FREQUENCY",
    "CHANNEL_UPDATE_FREQUENCY",
    "COHERE_SAFETY_SETTING",
    "CRITICAL_RATE_LIMIT",
    "CRITICAL_RATE_LIMIT_DURATION",
    "CRITICAL_RATE_LIMIT_ENABLE",
    "CRYPTO_SECRET",
    "DEBUG",
    "DIFY_DEBUG",
    "ERROR_LOG_ENABLED",
    "FORCE_STREAM_OPTION",
    "GEMINI_SAFETY_SETTING",
    "GEMINI_VISION_MAX_IMAGE_NUM",
    "GENERATE_DEFAULT_TOKEN",
    "GET_MEDIA_TOKEN",
    "GET_MEDIA_TOKEN_NOT_STREAM",
    "GLOBAL_API_RATE_LIMIT",
    "GLOBAL_API_RATE_LIMIT_DURATION",
    "GLOBAL_API_RATE_LIMIT_ENABLE",
    "GLOBAL_WEB_RATE_LIMIT",
    "GLOBAL_WEB_RATE_LIMIT_DURATION",
    "GLOBAL_WEB_RATE_LIMIT_ENABLE",
    "HOSTNAME",
    "LINUX_DO_TOKEN_ENDPOINT",
    "LINUX_DO_USER_ENDPOINT",
    "LOG_SQL_DSN",
    "MAX_FILE_DOWNLOAD_MB",
    "MAX_REQUEST_BODY_MB",
    "NODE_NAME",
    "NODE_TYPE",
    "NOTIFICATION_LIMIT_DURATION_MINUTE",
    "NOTIFY_LIMIT_COUNT",
    "POLLING_INTERVAL",
    "PORT",
    "REDIS_CONN_STRING",
    "REDIS_POOL_SIZE",
    "RELAY_IDLE_CONN_TIMEOUT",
    "RELAY_TIMEOUT",
    "SEARCH_RATE_LIMIT",
    "SEARCH_RATE_LIMIT_DURATION",
    "SEARCH_RATE_LIMIT_ENABLE",
    "SESSION_COOKIE_SECURE",
    "SESSION_SECRET",
    "SHUTDOWN_TIMEOUT_SECONDS",
    "SQLITE_PATH",
    "SQL_SLOW_THRESHOLD_MS",
    "SQL_DSN",
    "SQL_MAX_LIFETIME",
    "SQL_MAX_OPEN_CONNS",
    "STREAMING_TIMEOUT",
    "STREAM_SCANNER_MAX_BUFFER_MB",
    "SYNC_FREQUENCY",
    "SYNC_HTTP_MAX_MB",
    "SYNC_HTTP_RETRY",
    "SYNC_HTTP_TIMEOUT_SECONDS",
    "SYNC_UPSTREAM_BASE",
    "TASK_TIMEOUT_MINUTES",
    "TLS_INSECURE_SKIP_VERIFY",
    "TRUSTED_PROXIES",
    "UPDATE_TASK",
    "VERSION",
  ),
  ...notNeeded(
    "quota and usage writes are always group-committed, exactly, per request",
    "BATCH_UPDATE_ENABLED",
    "BATCH_UPDATE_INTERVAL",
  ),
  ...notNeeded("tokens are always counted locally when the upstream reports no usage", "CountToken"),
  ...notNeeded("users, tokens, channels and options are always cached in memory", "MEMORY_CACHE_ENABLED"),
  ...notNeeded("Go's profiler; Deno has its own (`--inspect`, `--cpu-prof`)", "ENABLE_PPROF"),
  ...notNeeded("Go's web framework mode", "GIN_MODE"),
  ...notNeeded(
    "Go's continuous profiler",
    "PYROSCOPE_APP_NAME",
    "PYROSCOPE_BASIC_AUTH_PASSWORD",
    "PYROSCOPE_BASIC_AUTH_USER",
    "PYROSCOPE_BLOCK_RATE",
    "PYROSCOPE_MUTEX_RATE",
    "PYROSCOPE_URL",
  ),
  ...notNeeded(
    "the upstream pool has no global idle cap; RELAY_IDLE_CONN_TIMEOUT closes idle connections",
    "RELAY_MAX_IDLE_CONNS",
    "RELAY_MAX_IDLE_CONNS_PER_HOST",
  ),
  ...notNeeded("idle database connections close after SQL_MAX_LIFETIME", "SQL_MAX_IDLE_CONNS"),
  ...notNeeded(
    "logs are written to SQL_DSN's database, or LOG_SQL_DSN's; there is no ClickHouse log store",
    "LOG_SQL_CLICKHOUSE_TTL_DAYS",
  ),
  ...notNeeded(
    "STARTTLS is used whenever the SMTP server offers it, and certificates are always verified",
    "SMTP_STARTTLS_ENABLE",
    "SMTP_STARTTLS_ENABLED",
  ),
  ...notYet(
    "certificates of the SMTP server are always verified",
    "SMTP_INSECURE_SKIP_VERIFY",
    "SMTP_TLS_INSECURE_SKIP_VERIFY",
  ),
  ...notYet("channel tests run when CHANNEL_TEST_FREQUENCY is set", "CHANNEL_TEST_ENABLED"),
  ...notYet(
    "upstream model-list updates are not scheduled yet",
    "CHANNEL_UPSTREAM_MODEL_UPDATE_MIN_CHECK_INTERVAL_SECONDS",
    "CHANNEL_UPSTREAM_MODEL_UPDATE_TASK_ENABLED",
    "CHANNEL_UPSTREAM_MODEL_UPDATE_TASK_INTERVAL_MINUTES",
  ),
  ...notYet("Ali's Anthropic-compatible endpoint is not routed yet", "ALI_ANTHROPIC_MESSAGES_MODELS"),
  ...notYet("the console is always served by this process", "FRONTEND_BASE_URL"),
  ...notYet(
    "the console has no analytics script yet",
    "GOOGLE_ANALYTICS_ID",
    "UMAMI_SCRIPT_URL",
    "UMAMI_WEBSITE_ID",
  ),
  ...notYet("the session cookie is set for the serving host only", "SESSION_COOKIE_TRUSTED_URL"),
  ...notNeeded(
    "plans are read from the store per request (they are few); there is no plan cache to size",
    "SUBSCRIPTION_PLAN_CACHE_CAP",
    "SUBSCRIPTION_PLAN_CACHE_TTL",
    "SUBSCRIPTION_PLAN_INFO_CACHE_CAP",
    "SUBSCRIPTION_PLAN_INFO_CACHE_TTL",
  ),
  ...notYet(
    "task prices are New API's per-call ModelPrice; no price patch or query limit yet",
    "TASK_PRICE_PATCH",
    "TASK_QUERY_LIMIT",
  ),
  ...notYet(
    "payment return URLs go to this site only (`ServerAddress`, else the request's address); no OAuth yet",
    "TRUSTED_REDIRECT_DOMAINS",
  ),
  ...notYet(
    "console sessions have no issuance or activity limits yet",
    "USER_SESSION_ACTIVE_LIMIT",
    "USER_SESSION_HOURLY_ALERT_THRESHOLD",
    "USER_SESSION_ISSUANCE_LIMIT",
    "USER_SESSION_ISSUANCE_WINDOW_SECONDS",
    "USER_SESSION_REVOKED_RETENTION_DAYS",
  ),
];

/** One line per New API variable that is set in `env` but not honoured, naming why. */
export function unhonouredEnvNotices(env: Record<string, string | undefined>): string[] {
  return newApiEnvVars
    .filter((v) => v.status !== "honoured" && (env[v.name] ?? "").trim() !== "")
    .map((v) =>
      `${v.name} is set but ${v.status === "not yet" ? "not honoured yet" : "not needed"}: ${v.reason}`
    );
}
