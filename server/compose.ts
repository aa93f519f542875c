/**
 * Assembles `AppDeps` from the opened store and KV: builds the in-memory catalog and starts its sync,
 * starts billing (which resolves holds a stopped process left behind), the upstream client, the limiters
 * (in memory, written behind, when the KV is a local file only this process uses),
 * the notifier on the process's one KV queue router, and the scheduled jobs (channel test, log retention).
 * `main.ts` and every in-process test harness use these two functions, so they wire and unwire the same things.
 */
import type { Config } from "../config/env.ts";
import type { Secrets } from "../config/secrets.ts";
import type { Db } from "../store/db.ts";
import type { Kv } from "../kv/kv.ts";
import { Catalog } from "../store/cache/catalog.ts";
import { CacheSync } from "../store/cache/sync.ts";
import { Billing, holdSecondsFor } from "../relay/billing/billing.ts";
import type { AppDeps } from "./deps.ts";
import { createUpstreamClient, upstreamClientOptions } from "../relay/http/upstream_client.ts";
import { TokenLimiter } from "../kv/limits/token_limits.ts";
import { ModelRequestLimiter } from "../kv/limits/model_request_limit.ts";
import { Notifier } from "../notify/notifier.ts";
import { emailSettings, fetchSetting } from "../notify/settings.ts";
import { QueueRouter } from "../kv/queue.ts";
import { ownKeys } from "../kv/owned_keys.ts";
import { keyBackendOf } from "../kv/key_backend.ts";
import { Scheduler } from "../jobs/scheduler.ts";
import { taskPollJob } from "../jobs/task_poll.ts";
import { InflightRequests } from "../relay/inflight.ts";
import { GatewayMetrics } from "./metrics.ts";
import { InstanceHeartbeat, instanceInfo } from "../jobs/instance_heartbeat.ts";
import { ChannelBreaker } from "../relay/health/breaker.ts";
import { ErrorWindow } from "../relay/health/error_window.ts";
import { channelTestJob } from "../relay/health/test_job.ts";
import { keyRecoveryJob } from "../relay/health/key_recovery.ts";
import { logRetentionJob } from "../jobs/log_retention.ts";
import { channelBalanceJob } from "../relay/health/channel_balance.ts";
import { systemTaskJob } from "../jobs/system_tasks.ts";
import { subscriptionExpiryJob } from "../jobs/subscription_expiry.ts";
import { log } from "./logger.ts";

export async function composeDeps(
  parts: { config: Config; secrets: Secrets; db: Db; kv: Kv; logDb?: Db },
): Promise<AppDeps> {
  const { config, db } = parts;
  const logDb = parts.logDb ?? db;
  // A local KV file (or `:memory:`) belongs to this process alone (instances that share limits use
  // REDIS_CONN_STRING, DENO_KV_URL or Deploy's KV), so limits and throttles live in memory, exact, and are
  // written behind to it; a shared KV or Redis (opened by `openKv`) stays the source of truth.
  if (!keyBackendOf(parts.kv) && !config.kvUrl && config.kvPath !== undefined) ownKeys(parts.kv);
  const catalog = new Catalog(db, parts.secrets.cryptoSecret);
  const cache = new CacheSync(db, catalog, {
    syncFrequencySeconds: config.syncFrequencySeconds,
    pollIntervalMs: config.syncPollIntervalMs,
  });
  await cache.start();
  const billing = new Billing(db, catalog, {
    logDb,
    errorLogEnabled: config.errorLogEnabled,
    holdSeconds: holdSecondsFor(config),
    // One process owns a SQLite file, so holds found at start belong to a process that is gone.
    singleProcess: db.dialect === "sqlite",
    // That process owns the balances too: holds live in memory, settlements are journaled in batches.
    quotaBook: db.dialect === "sqlite" && logDb === db,
    // Several instances share PostgreSQL or MySQL: the book spends per-instance leases of the balances.
    leases: db.dialect !== "sqlite" && logDb === db ? { leaseSeconds: config.quotaLeaseSeconds } : undefined,
    nodeName: config.nodeName,
  });
  await billing.start();
  const notifier = new Notifier({
    kv: parts.kv,
    cryptoSecret: parts.secrets.cryptoSecret,
    throttle: { count: config.notifyLimitCount, minutes: config.notificationLimitMinutes },
    fetchSetting: () => fetchSetting(catalog),
    email: () => emailSettings(catalog),
  });
  const inflight = new InflightRequests();
  const startedAt = Math.floor(Date.now() / 1000);
  const metrics = new GatewayMetrics({
    inflight: () => inflight.size,
    openHolds: () => billing.openHolds,
    journalPending: () => billing.book?.pending ?? 0,
    channels: () => catalog.channels(),
  });
  const router = new QueueRouter();
  notifier.register(router);
  router.listen(parts.kv).catch((err) => log.error("KV queue listener stopped", { error: String(err) }));
  const deps: AppDeps = {
    ...parts,
    logDb,
    catalog,
    cache,
    billing,
    upstream: createUpstreamClient(upstreamClientOptions(config)),
    limiters: { token: new TokenLimiter(parts.kv), model: new ModelRequestLimiter(parts.kv) },
    notifier,
    jobs: new Scheduler(db),
    errorWindow: new ErrorWindow(),
    breaker: new ChannelBreaker({
      failures: config.channelBreakerFailures,
      ejectMs: config.channelBreakerEjectSeconds * 1000,
      maxEjectMs: Math.max(config.channelBreakerEjectSeconds, 300) * 1000,
    }),
    inflight,
    metrics,
    heartbeat: new InstanceHeartbeat({
      db,
      nodeName: config.nodeName,
      startedAt,
      info: () => instanceInfo({ nodeType: config.nodeType, store: db.dialect, inflight: inflight.size }),
    }),
    startedAt,
    state: { draining: false, setUp: false },
  };
  deps.heartbeat.start();
  // As in New API, a slave node serves requests and leaves the scheduled jobs to the master.
  if (config.nodeType === "master") {
    deps.jobs.start(channelTestJob(deps));
    deps.jobs.start(keyRecoveryJob(deps));
    deps.jobs.start(logRetentionJob(deps));
    deps.jobs.start(channelBalanceJob(deps));
    deps.jobs.start(systemTaskJob(deps, deps.jobs.holder));
    if (config.updateTask) deps.jobs.start(taskPollJob(deps));
    deps.jobs.start(subscriptionExpiryJob(deps));
  }
  return deps;
}

/** Stops background work and flushes what is queued (logs, quota_data); the caller closes store and KV. */
export async function stopDeps(deps: AppDeps): Promise<void> {
  deps.heartbeat.stop();
  deps.metrics.stop();
  deps.jobs.stop();
  deps.limiters.token.stop();
  await keyBackendOf(deps.kv)?.close();
  await deps.cache.stop();
  await deps.billing.stop();
  await deps.upstream.close().catch(() => {});
}
