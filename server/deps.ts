/** What the composition root hands to every router: configuration, the store, KV and shared state. */
import type { Config } from "../config/env.ts";
import type { Secrets } from "../config/secrets.ts";
import type { Db } from "../store/db.ts";
import type { Kv } from "../kv/kv.ts";
import type { Catalog } from "../store/cache/catalog.ts";
import type { CacheSync } from "../store/cache/sync.ts";
import type { Billing } from "../relay/billing/billing.ts";
import type { UpstreamClient } from "../relay/http/upstream_client.ts";
import type { TokenLimiter } from "../kv/limits/token_limits.ts";
import type { ModelRequestLimiter } from "../kv/limits/model_request_limit.ts";
import type { Notifier } from "../notify/notifier.ts";
import type { Scheduler } from "../jobs/scheduler.ts";
import type { InflightRequests } from "../relay/inflight.ts";
import type { ChannelBreaker } from "../relay/health/breaker.ts";
import type { ErrorWindow } from "../relay/health/error_window.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { InstanceHeartbeat } from "../jobs/instance_heartbeat.ts";

export interface AppState {
  /** Set at SIGTERM: health checks fail so load balancers stop sending traffic. */
  draining: boolean;
  /** Cached once the first-run setup is done. */
  setUp: boolean;
}

export interface AppDeps {
  config: Config;
  secrets: Secrets;
  db: Db;
  /**
   * Where the `logs` table is read and written: the main store (`db` itself) unless LOG_SQL_DSN names a
   * separate log database. Nothing joins logs with other tables in SQL; names come from `db` in code.
   */
  logDb: Db;
  kv: Kv;
  /** In-memory views the hot path reads (tokens, users, channels, routing index, options). */
  catalog: Catalog;
  /** Call `cache.publish(change)` after committing a change the catalog holds. */
  cache: CacheSync;
  /** Pricing, reservations, usage logs and quota_data (`deps.billing.begin(...)` on the relay path). */
  billing: Billing;
  /** The one client for upstream calls (keep-alive pools, timeouts from the environment). */
  upstream: UpstreamClient;
  /** Per-token RPM/TPM/concurrency and New API's per-user model request limit, in KV. */
  limiters: { token: TokenLimiter; model: ModelRequestLimiter };
  /** Notices to users and root (channel disabled, low quota), throttled and queued in KV. */
  notifier: Notifier;
  /** Background jobs that run on one instance (channel tests). */
  jobs: Scheduler;
  /** Channels ejected after failing in a row on this instance (routing skips them for a while). */
  breaker: ChannelBreaker;
  /** Each channel's (key's) last attempts, for "disable after X errors in N requests". */
  errorWindow: ErrorWindow;
  /** Relay requests in flight (graceful drain). */
  inflight: InflightRequests;
  /** Prometheus metrics of this app (`GET /metrics`, server/metrics.ts). */
  metrics: GatewayMetrics;
  /** This node's `system_instances` row, refreshed every 30 s (started by `composeDeps`). */
  heartbeat: InstanceHeartbeat;
  /** Unix seconds when this process started. */
  startedAt: number;
  state: AppState;
}
