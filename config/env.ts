/**
 * Configuration read from environment variables, validated with zod. Names and defaults follow New API
 * where it has them, so an existing deployment's environment keeps its meaning.
 */
import { z } from "zod";
import { parseIpRangeList } from "../net/ip_ranges.ts";
import { looksLikeMysqlDsn, parseMysqlDsn } from "../store/mysql_dsn.ts";

/** Thrown when a variable has a value we cannot accept; the message is one line naming it. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

const blank = (v: string | undefined) => v === undefined || v.trim() === "";

function integer(name: string, fallback: number, min: number, max: number) {
  return z.string().optional().transform((raw, ctx) => {
    if (blank(raw)) return fallback;
    const text = raw!.trim();
    const n = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({
        code: "custom",
        message: `${name}="${raw}": expected an integer from ${min} to ${max}`,
      });
      return z.NEVER;
    }
    return n;
  });
}

function boolean(name: string, fallback: boolean) {
  return z.string().optional().transform((raw, ctx) => {
    if (blank(raw)) return fallback;
    const text = raw!.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(text)) return true;
    if (["0", "false", "no", "off"].includes(text)) return false;
    ctx.addIssue({ code: "custom", message: `${name}="${raw}": expected true or false` });
    return z.NEVER;
  });
}

function text(fallback: string) {
  return z.string().optional().transform((raw) => blank(raw) ? fallback : raw!.trim());
}

function oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]) {
  return z.string().optional().transform((raw, ctx) => {
    if (blank(raw)) return fallback;
    const value = raw!.trim().toLowerCase() as T;
    if (!allowed.includes(value)) {
      ctx.addIssue({ code: "custom", message: `${name}="${raw}": expected one of ${allowed.join(", ")}` });
      return z.NEVER;
    }
    return value;
  });
}

/**
 * `SQL_DSN` (and `LOG_SQL_DSN`, same forms): unset or `local` means the embedded SQLite store; a
 * postgres:// URL means PostgreSQL; New API's MySQL form (`user:pass@tcp(host:3306)/db?parseTime=true`) or a
 * mysql:// URL means MySQL/MariaDB.
 */
const dsnOf = (name: string) =>
  z.string().optional().transform((raw, ctx) => {
    if (blank(raw)) return undefined;
    const value = raw!.trim();
    if (value === "local") return value;
    if (looksLikeMysqlDsn(value)) {
      try {
        parseMysqlDsn(value);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `${name}: ${(err as Error).message}` });
        return z.NEVER;
      }
      return value;
    }
    if (!/^postgres(ql)?:\/\//i.test(value)) {
      ctx.addIssue({
        code: "custom",
        message: `${name}: expected a postgres:// URL, New API's MySQL form user:pass@tcp(host:3306)/db, a ` +
          `mysql:// URL or local (leave ${name} unset for the embedded SQLite store)`,
      });
      return z.NEVER;
    }
    try {
      const url = new URL(value);
      if (!url.hostname && !url.searchParams.get("host")) throw new Error("no host");
    } catch {
      ctx.addIssue({
        code: "custom",
        message: `${name}: not a valid URL (expected postgres://user:pass@host:5432/db)`,
      });
      return z.NEVER;
    }
    return value;
  });

/** Which store a validated DSN names (`local` and unset are the embedded SQLite file). */
function storeKindOf(dsn: string | undefined): StoreKind {
  return !dsn || dsn === "local" ? "sqlite" : looksLikeMysqlDsn(dsn) ? "mysql" : "postgres";
}

const secret = (name: string) =>
  z.string().optional().transform((raw, ctx) => {
    if (blank(raw)) return undefined;
    const value = raw!.trim();
    if (value === "random_string") {
      ctx.addIssue({
        code: "custom",
        message: `${name}="random_string": set a real secret (at least 16 characters)`,
      });
      return z.NEVER;
    }
    if (value.length < 16) {
      ctx.addIssue({ code: "custom", message: `${name}: too short, use at least 16 characters` });
      return z.NEVER;
    }
    return value;
  });

const schema = z.object({
  PORT: integer("PORT", 3000, 0, 65535),
  HOST: text("0.0.0.0"),
  DATA_DIR: text("./data"),
  SQL_DSN: dsnOf("SQL_DSN"),
  LOG_SQL_DSN: dsnOf("LOG_SQL_DSN"),
  SQLITE_PATH: z.string().optional(),
  SQL_MAX_OPEN_CONNS: integer("SQL_MAX_OPEN_CONNS", 20, 1, 1000),
  SQL_MAX_LIFETIME: integer("SQL_MAX_LIFETIME", 60, 0, 86400),
  SQL_CONNECT_TIMEOUT: integer("SQL_CONNECT_TIMEOUT", 10, 1, 300),
  SQLITE_BUSY_TIMEOUT: integer("SQLITE_BUSY_TIMEOUT", 30000, 0, 600000),
  SQL_SLOW_THRESHOLD_MS: integer("SQL_SLOW_THRESHOLD_MS", 200, 0, 3_600_000),
  DENO_KV_PATH: z.string().optional(),
  DENO_KV_URL: z.string().optional(),
  REDIS_CONN_STRING: z.string().optional(),
  REDIS_POOL_SIZE: integer("REDIS_POOL_SIZE", 1, 1, 100),
  REDIS_KEY_PREFIX: text("newapi:"),
  SESSION_SECRET: secret("SESSION_SECRET"),
  CRYPTO_SECRET: secret("CRYPTO_SECRET"),
  METRICS_TOKEN: secret("METRICS_TOKEN"),
  SESSION_COOKIE_SECURE: boolean("SESSION_COOKIE_SECURE", false),
  SYNC_FREQUENCY: integer("SYNC_FREQUENCY", 60, 1, 86400),
  SYNC_POLL_INTERVAL_MS: integer("SYNC_POLL_INTERVAL_MS", 250, 20, 60000),
  QUOTA_LEASE_SECONDS: integer("QUOTA_LEASE_SECONDS", 30, 3, 3600),
  STREAMING_TIMEOUT: integer("STREAMING_TIMEOUT", 300, 1, 86400),
  RELAY_TIMEOUT: integer("RELAY_TIMEOUT", 0, 0, 86400),
  RELAY_FIRST_BYTE_TIMEOUT: integer("RELAY_FIRST_BYTE_TIMEOUT", 120, 1, 3600),
  SHUTDOWN_TIMEOUT_SECONDS: integer("SHUTDOWN_TIMEOUT_SECONDS", 120, 0, 3600),
  MAX_REQUEST_BODY_MB: integer("MAX_REQUEST_BODY_MB", 128, 1, 2048),
  ANONYMOUS_REQUEST_BODY_LIMIT_KB: integer("ANONYMOUS_REQUEST_BODY_LIMIT_KB", 512, 1, 1048576),
  STREAM_SCANNER_MAX_BUFFER_MB: integer("STREAM_SCANNER_MAX_BUFFER_MB", 128, 1, 1024),
  FORCE_STREAM_OPTION: boolean("FORCE_STREAM_OPTION", true),
  ERROR_LOG_ENABLED: boolean("ERROR_LOG_ENABLED", false),
  TRUSTED_PROXIES: text("none"),
  NODE_TYPE: oneOf("NODE_TYPE", "master", ["master", "slave"] as const),
  NODE_NAME: z.string().optional(),
  DEBUG: boolean("DEBUG", false),
  VERSION: z.string().optional(),
  GENERATE_DEFAULT_TOKEN: boolean("GENERATE_DEFAULT_TOKEN", false),
  AZURE_DEFAULT_API_VERSION: text("2025-04-01-preview"),
  GEMINI_SAFETY_SETTING: text("BLOCK_NONE"),
  COHERE_SAFETY_SETTING: text("NONE"),
  DIFY_DEBUG: boolean("DIFY_DEBUG", true),
  GEMINI_VISION_MAX_IMAGE_NUM: integer("GEMINI_VISION_MAX_IMAGE_NUM", 16, -1, 100_000),
  MAX_FILE_DOWNLOAD_MB: integer("MAX_FILE_DOWNLOAD_MB", 64, 1, 2048),
  GET_MEDIA_TOKEN: boolean("GET_MEDIA_TOKEN", true),
  GET_MEDIA_TOKEN_NOT_STREAM: boolean("GET_MEDIA_TOKEN_NOT_STREAM", true),
  CHANNEL_TEST_FREQUENCY: integer("CHANNEL_TEST_FREQUENCY", 0, 0, 525600),
  CHANNEL_UPDATE_FREQUENCY: integer("CHANNEL_UPDATE_FREQUENCY", 0, 0, 525600),
  POLLING_INTERVAL: integer("POLLING_INTERVAL", 0, 0, 3600),
  UPDATE_TASK: boolean("UPDATE_TASK", true),
  TASK_TIMEOUT_MINUTES: integer("TASK_TIMEOUT_MINUTES", 1440, 0, 525600),
  GLOBAL_API_RATE_LIMIT_ENABLE: boolean("GLOBAL_API_RATE_LIMIT_ENABLE", true),
  GLOBAL_API_RATE_LIMIT: integer("GLOBAL_API_RATE_LIMIT", 360, 1, 10_000_000),
  GLOBAL_API_RATE_LIMIT_DURATION: integer("GLOBAL_API_RATE_LIMIT_DURATION", 180, 1, 86400),
  GLOBAL_WEB_RATE_LIMIT_ENABLE: boolean("GLOBAL_WEB_RATE_LIMIT_ENABLE", true),
  GLOBAL_WEB_RATE_LIMIT: integer("GLOBAL_WEB_RATE_LIMIT", 120, 1, 10_000_000),
  GLOBAL_WEB_RATE_LIMIT_DURATION: integer("GLOBAL_WEB_RATE_LIMIT_DURATION", 180, 1, 86400),
  CRITICAL_RATE_LIMIT_ENABLE: boolean("CRITICAL_RATE_LIMIT_ENABLE", true),
  CRITICAL_RATE_LIMIT: integer("CRITICAL_RATE_LIMIT", 20, 1, 10_000_000),
  CRITICAL_RATE_LIMIT_DURATION: integer("CRITICAL_RATE_LIMIT_DURATION", 1200, 1, 86400),
  SEARCH_RATE_LIMIT_ENABLE: boolean("SEARCH_RATE_LIMIT_ENABLE", true),
  SEARCH_RATE_LIMIT: integer("SEARCH_RATE_LIMIT", 10, 1, 10_000_000),
  SEARCH_RATE_LIMIT_DURATION: integer("SEARCH_RATE_LIMIT_DURATION", 60, 1, 86400),
  LOGIN_LOCKOUT_THRESHOLD: integer("LOGIN_LOCKOUT_THRESHOLD", 5, 0, 1000),
  LOGIN_LOCKOUT_SECONDS: integer("LOGIN_LOCKOUT_SECONDS", 60, 1, 86400),
  LOGIN_LOCKOUT_MAX_SECONDS: integer("LOGIN_LOCKOUT_MAX_SECONDS", 900, 1, 604800),
  NOTIFY_LIMIT_COUNT: integer("NOTIFY_LIMIT_COUNT", 2, 0, 100000),
  NOTIFICATION_LIMIT_DURATION_MINUTE: integer("NOTIFICATION_LIMIT_DURATION_MINUTE", 10, 1, 525600),
  TLS_INSECURE_SKIP_VERIFY: boolean("TLS_INSECURE_SKIP_VERIFY", false),
  RELAY_IDLE_CONN_TIMEOUT: integer("RELAY_IDLE_CONN_TIMEOUT", 0, 0, 86400),
  CHANNEL_BREAKER_FAILURES: integer("CHANNEL_BREAKER_FAILURES", 5, 0, 1000),
  CHANNEL_BREAKER_EJECT_SECONDS: integer("CHANNEL_BREAKER_EJECT_SECONDS", 30, 1, 3600),
  KEY_RECOVERY_MINUTES: integer("KEY_RECOVERY_MINUTES", 5, 0, 1440),
  SYNC_UPSTREAM_BASE: text("https://basellm.github.io/llm-metadata"),
  SYNC_HTTP_TIMEOUT_SECONDS: integer("SYNC_HTTP_TIMEOUT_SECONDS", 15, 1, 600),
  SYNC_HTTP_RETRY: integer("SYNC_HTTP_RETRY", 3, 1, 10),
  SYNC_HTTP_MAX_MB: integer("SYNC_HTTP_MAX_MB", 10, 1, 100),
  STRIPE_API_BASE: text("https://api.stripe.com"),
  GITHUB_OAUTH_BASE: text("https://github.com"),
  GITHUB_API_BASE: text("https://api.github.com"),
  DISCORD_API_BASE: text("https://discord.com"),
  LINUX_DO_AUTHORIZE_ENDPOINT: text("https://connect.linux.do/oauth2/authorize"),
  LINUX_DO_TOKEN_ENDPOINT: text("https://connect.linux.do/oauth2/token"),
  LINUX_DO_USER_ENDPOINT: text("https://connect.linux.do/api/user"),
  TURNSTILE_SITEVERIFY_URL: text("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
  CREEM_API_BASE: text(""),
});

export type StoreKind = "sqlite" | "postgres" | "mysql";

/** The validated configuration every other module receives (never `Deno.env` directly). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  store: StoreKind;
  sqlDsn?: string;
  /**
   * Where the `logs` table lives when it is not the main store (New API's LOG_SQL_DSN); unset = in the
   * main store. `local` names the SQLite file at `sqlitePath`, so it counts only beside PostgreSQL or MySQL.
   */
  logStore?: { kind: StoreKind; dsn?: string };
  sqlitePath: string;
  sqlMaxOpenConns: number;
  sqlMaxLifetimeSeconds: number;
  sqlConnectTimeoutSeconds: number;
  sqliteBusyTimeoutMs: number;
  /** Statements this slow (ms) or slower are logged with their SQL text (New API's SQL_SLOW_THRESHOLD_MS); 0: off. */
  sqlSlowThresholdMs: number;
  /** `:memory:`, a file path, or undefined for Deno Deploy's built-in KV. */
  kvPath?: string;
  kvUrl?: string;
  /**
   * New API's REDIS_CONN_STRING: limits, slots, lockouts and throttles live in this Redis instead of KV
   * (`kv/redis_keys.ts`). `poolSize` connections (REDIS_POOL_SIZE), keys under `prefix` (REDIS_KEY_PREFIX).
   */
  redis?: { url: string; poolSize: number; prefix: string };
  sessionSecret?: string;
  cryptoSecret?: string;
  /** `GET /metrics` answers only with `Authorization: Bearer <this>`; unset: no `/metrics` (404). */
  metricsToken?: string;
  sessionCookieSecure: boolean;
  syncFrequencySeconds: number;
  /** MySQL: milliseconds between reads of the `cache_changes` feed (PostgreSQL uses LISTEN/NOTIFY). */
  syncPollIntervalMs: number;
  /** PostgreSQL/MySQL: how long an instance's quota lease lives without renewal (renewed every third). */
  quotaLeaseSeconds: number;
  streamingTimeoutSeconds: number;
  relayTimeoutSeconds: number;
  relayFirstByteTimeoutSeconds: number;
  /** Consecutive upstream failures (5xx, timeouts, no answer) that eject a channel on this instance; 0: off. */
  channelBreakerFailures: number;
  /** First ejection; doubled per ejection in a row, up to 300 s (or this, when longer). */
  channelBreakerEjectSeconds: number;
  /** Minutes before an auto-disabled key of a multi-key channel is probed (0: never on its own). */
  keyRecoveryMinutes: number;
  shutdownTimeoutSeconds: number;
  maxRequestBodyBytes: number;
  anonymousRequestBodyBytes: number;
  /** Where Stripe's API is (tests point it at a local fake). */
  stripeApiBase: string;
  /** Where the fixed OAuth providers are (New API's LINUX_DO_* variables; ours for GitHub, Discord). */
  oauthEndpoints: {
    githubOAuthBase: string;
    githubApiBase: string;
    discordBase: string;
    linuxDoAuthorize: string;
    linuxDoToken: string;
    linuxDoUser: string;
  };
  /** Cloudflare Turnstile's siteverify endpoint (tests point it at a local fake). */
  turnstileSiteverifyUrl: string;
  /** Creem's API ("" = Creem's own, test or live per CreemTestMode). */
  creemApiBase: string;
  streamScannerMaxBufferBytes: number;
  forceStreamOption: boolean;
  errorLogEnabled: boolean;
  trustedProxies: string;
  nodeType: "master" | "slave";
  nodeName: string;
  debug: boolean;
  versionOverride?: string;
  generateDefaultToken: boolean;
  azureDefaultApiVersion: string;
  geminiSafetySetting: string;
  /** COHERE_SAFETY_SETTING: Cohere chat's `safety_mode` (NONE: not sent). */
  cohereSafetySetting: string;
  /** DIFY_DEBUG: Dify workflow/node stream events shown as reasoning lines. */
  difyDebug: boolean;
  /** GEMINI_VISION_MAX_IMAGE_NUM: images a request translated to Gemini may carry; -1: no limit. */
  geminiVisionMaxImageNum: number;
  /** MAX_FILE_DOWNLOAD_MB: cap on an image/file fetched from a user-supplied URL. */
  maxFileDownloadMb: number;
  /** GET_MEDIA_TOKEN / GET_MEDIA_TOKEN_NOT_STREAM: measure images for the prompt estimate (New API's rule). */
  getMediaToken: boolean;
  getMediaTokenNotStream: boolean;
  channelTestFrequencyMinutes: number;
  /** Minutes between scheduled channel balance updates (New API's CHANNEL_UPDATE_FREQUENCY); 0: off. */
  channelUpdateFrequencyMinutes: number;
  pollingIntervalSeconds: number;
  /** UPDATE_TASK: this (master) instance polls async tasks (Midjourney, Suno) in `jobs/task_poll.ts`. */
  updateTask: boolean;
  /** TASK_TIMEOUT_MINUTES: an unfinished Suno/video task older than this fails and is refunded; 0 = never. */
  taskTimeoutMinutes: number;
  rateLimits: {
    globalApi: RateLimitSetting;
    globalWeb: RateLimitSetting;
    critical: RateLimitSetting;
    search: RateLimitSetting;
  };
  /** Per-account password sign-in lock (`kv/limits/login_lockout.ts`); threshold 0 turns it off. */
  loginLockout: { threshold: number; seconds: number; maxSeconds: number };
  notifyLimitCount: number;
  notificationLimitMinutes: number;
  /** Upstream TLS certificates are not verified (New API's TLS_INSECURE_SKIP_VERIFY); warned at start. */
  tlsInsecureSkipVerify: boolean;
  /** Idle keep-alive of pooled upstream connections, seconds; 0 = the HTTP client's default (4 s). */
  relayIdleConnTimeoutSeconds: number;
  /**
   * Where `/api/models/sync_upstream` reads model metadata (New API's SYNC_UPSTREAM_BASE and SYNC_HTTP_*):
   * `{base}/api/newapi/models.json` and `vendors.json`, fetched through the SSRF guard.
   */
  syncUpstream: { base: string; timeoutSeconds: number; retry: number; maxBytes: number };
}

export interface RateLimitSetting {
  enabled: boolean;
  limit: number;
  durationSeconds: number;
}

/** Is this process running on Deno Deploy (no writable disk, built-in KV)? */
export function onDenoDeploy(env: Env): boolean {
  return !blank(env.DENO_DEPLOYMENT_ID);
}

/** Validates `env` and returns the configuration, or throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? "");
    throw new ConfigError(issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`);
  }
  const e = parsed.data;
  const deploy = onDenoDeploy(env);
  const dataDir = e.DATA_DIR.replace(/\/+$/, "") || ".";
  const sqlDsn = e.SQL_DSN === "local" ? undefined : e.SQL_DSN;
  const store = storeKindOf(sqlDsn);
  const logKind = e.LOG_SQL_DSN ? storeKindOf(e.LOG_SQL_DSN) : undefined;
  const logDsn = e.LOG_SQL_DSN === "local" ? undefined : e.LOG_SQL_DSN;
  // The same database named twice (or `local` beside the SQLite store) is one store, not two.
  const logStore = logKind && !(logKind === store && logDsn === sqlDsn)
    ? { kind: logKind, dsn: logDsn }
    : undefined;
  if (deploy && logStore?.kind === "sqlite") {
    throw new ConfigError("LOG_SQL_DSN: local needs a writable disk, which Deno Deploy does not have");
  }
  if (deploy && !sqlDsn) {
    throw new ConfigError("SQL_DSN: required on Deno Deploy (there is no writable disk for SQLite)");
  }
  try {
    parseIpRangeList(e.TRUSTED_PROXIES, "TRUSTED_PROXIES");
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (e.LOGIN_LOCKOUT_MAX_SECONDS < e.LOGIN_LOCKOUT_SECONDS) {
    throw new ConfigError(
      `LOGIN_LOCKOUT_MAX_SECONDS=${e.LOGIN_LOCKOUT_MAX_SECONDS}: below LOGIN_LOCKOUT_SECONDS=${e.LOGIN_LOCKOUT_SECONDS}`,
    );
  }
  const kvUrl = blank(e.DENO_KV_URL) ? undefined : e.DENO_KV_URL!.trim();
  if (kvUrl && !/^https?:\/\//.test(kvUrl)) {
    throw new ConfigError(`DENO_KV_URL="${kvUrl}": expected an http(s):// KV Connect URL`);
  }
  const redisUrl = blank(e.REDIS_CONN_STRING) ? undefined : e.REDIS_CONN_STRING!.trim();
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError("REDIS_CONN_STRING: expected a redis:// or rediss:// URL");
  }
  const kvPath = blank(e.DENO_KV_PATH)
    ? (deploy ? undefined : `${dataDir}/kv.sqlite3`)
    : e.DENO_KV_PATH!.trim();
  const rl = (enabled: boolean, limit: number, durationSeconds: number) => ({
    enabled,
    limit,
    durationSeconds,
  });
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    store,
    sqlDsn,
    logStore,
    sqlitePath: blank(e.SQLITE_PATH) ? `${dataDir}/one-api.db` : e.SQLITE_PATH!.trim(),
    sqlMaxOpenConns: e.SQL_MAX_OPEN_CONNS,
    sqlMaxLifetimeSeconds: e.SQL_MAX_LIFETIME,
    sqlConnectTimeoutSeconds: e.SQL_CONNECT_TIMEOUT,
    sqliteBusyTimeoutMs: e.SQLITE_BUSY_TIMEOUT,
    sqlSlowThresholdMs: e.SQL_SLOW_THRESHOLD_MS,
    kvPath,
    kvUrl,
    redis: redisUrl ? { url: redisUrl, poolSize: e.REDIS_POOL_SIZE, prefix: e.REDIS_KEY_PREFIX } : undefined,
    sessionSecret: e.SESSION_SECRET,
    metricsToken: e.METRICS_TOKEN,
    cryptoSecret: e.CRYPTO_SECRET ?? e.SESSION_SECRET,
    sessionCookieSecure: e.SESSION_COOKIE_SECURE,
    syncFrequencySeconds: e.SYNC_FREQUENCY,
    syncPollIntervalMs: e.SYNC_POLL_INTERVAL_MS,
    quotaLeaseSeconds: e.QUOTA_LEASE_SECONDS,
    streamingTimeoutSeconds: e.STREAMING_TIMEOUT,
    relayTimeoutSeconds: e.RELAY_TIMEOUT,
    relayFirstByteTimeoutSeconds: e.RELAY_FIRST_BYTE_TIMEOUT,
    channelBreakerFailures: e.CHANNEL_BREAKER_FAILURES,
    channelBreakerEjectSeconds: e.CHANNEL_BREAKER_EJECT_SECONDS,
    keyRecoveryMinutes: e.KEY_RECOVERY_MINUTES,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    maxRequestBodyBytes: e.MAX_REQUEST_BODY_MB * 1024 * 1024,
    anonymousRequestBodyBytes: e.ANONYMOUS_REQUEST_BODY_LIMIT_KB * 1024,
    stripeApiBase: e.STRIPE_API_BASE,
    oauthEndpoints: {
      githubOAuthBase: e.GITHUB_OAUTH_BASE.replace(/\/+$/, ""),
      githubApiBase: e.GITHUB_API_BASE.replace(/\/+$/, ""),
      discordBase: e.DISCORD_API_BASE.replace(/\/+$/, ""),
      linuxDoAuthorize: e.LINUX_DO_AUTHORIZE_ENDPOINT,
      linuxDoToken: e.LINUX_DO_TOKEN_ENDPOINT,
      linuxDoUser: e.LINUX_DO_USER_ENDPOINT,
    },
    turnstileSiteverifyUrl: e.TURNSTILE_SITEVERIFY_URL,
    creemApiBase: e.CREEM_API_BASE,
    streamScannerMaxBufferBytes: e.STREAM_SCANNER_MAX_BUFFER_MB * 1024 * 1024,
    forceStreamOption: e.FORCE_STREAM_OPTION,
    errorLogEnabled: e.ERROR_LOG_ENABLED,
    trustedProxies: e.TRUSTED_PROXIES,
    nodeType: e.NODE_TYPE,
    nodeName: blank(e.NODE_NAME) ? (env.HOSTNAME ?? "node") : e.NODE_NAME!.trim(),
    debug: e.DEBUG,
    versionOverride: blank(e.VERSION) ? undefined : e.VERSION!.trim(),
    generateDefaultToken: e.GENERATE_DEFAULT_TOKEN,
    azureDefaultApiVersion: e.AZURE_DEFAULT_API_VERSION,
    geminiSafetySetting: e.GEMINI_SAFETY_SETTING,
    cohereSafetySetting: e.COHERE_SAFETY_SETTING,
    difyDebug: e.DIFY_DEBUG,
    geminiVisionMaxImageNum: e.GEMINI_VISION_MAX_IMAGE_NUM,
    maxFileDownloadMb: e.MAX_FILE_DOWNLOAD_MB,
    getMediaToken: e.GET_MEDIA_TOKEN,
    getMediaTokenNotStream: e.GET_MEDIA_TOKEN_NOT_STREAM,
    channelTestFrequencyMinutes: e.CHANNEL_TEST_FREQUENCY,
    channelUpdateFrequencyMinutes: e.CHANNEL_UPDATE_FREQUENCY,
    pollingIntervalSeconds: e.POLLING_INTERVAL,
    updateTask: e.UPDATE_TASK,
    taskTimeoutMinutes: e.TASK_TIMEOUT_MINUTES,
    rateLimits: {
      globalApi: rl(
        e.GLOBAL_API_RATE_LIMIT_ENABLE,
        e.GLOBAL_API_RATE_LIMIT,
        e.GLOBAL_API_RATE_LIMIT_DURATION,
      ),
      globalWeb: rl(
        e.GLOBAL_WEB_RATE_LIMIT_ENABLE,
        e.GLOBAL_WEB_RATE_LIMIT,
        e.GLOBAL_WEB_RATE_LIMIT_DURATION,
      ),
      critical: rl(e.CRITICAL_RATE_LIMIT_ENABLE, e.CRITICAL_RATE_LIMIT, e.CRITICAL_RATE_LIMIT_DURATION),
      search: rl(e.SEARCH_RATE_LIMIT_ENABLE, e.SEARCH_RATE_LIMIT, e.SEARCH_RATE_LIMIT_DURATION),
    },
    loginLockout: {
      threshold: e.LOGIN_LOCKOUT_THRESHOLD,
      seconds: e.LOGIN_LOCKOUT_SECONDS,
      maxSeconds: e.LOGIN_LOCKOUT_MAX_SECONDS,
    },
    notifyLimitCount: e.NOTIFY_LIMIT_COUNT,
    notificationLimitMinutes: e.NOTIFICATION_LIMIT_DURATION_MINUTE,
    tlsInsecureSkipVerify: e.TLS_INSECURE_SKIP_VERIFY,
    relayIdleConnTimeoutSeconds: e.RELAY_IDLE_CONN_TIMEOUT,
    syncUpstream: {
      base: e.SYNC_UPSTREAM_BASE.replace(/\/+$/, ""),
      timeoutSeconds: e.SYNC_HTTP_TIMEOUT_SECONDS,
      retry: e.SYNC_HTTP_RETRY,
      maxBytes: e.SYNC_HTTP_MAX_MB * 1024 * 1024,
    },
  };
}
