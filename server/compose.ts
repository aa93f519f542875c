/**
 * Assembles `AppDeps` from the opened store and KV: builds the in-memory catalog and starts its sync, and
 * starts billing (which resolves holds a stopped process left behind). `main.ts` and every in-process
 * test harness use these two functions, so they wire and unwire the same things.
 */
import type { Config } from "../config/env.ts";
import type { Secrets } from "../config/secrets.ts";
import type { Db } from "../store/db.ts";
import type { Kv } from "../kv/kv.ts";
import { Catalog } from "../store/cache/catalog.ts";
import { CacheSync } from "../store/cache/sync.ts";
import { Billing, holdSecondsFor } from "../relay/billing/billing.ts";
import type { AppDeps } from "./deps.ts";

export async function composeDeps(
  parts: { config: Config; secrets: Secrets; db: Db; kv: Kv },
): Promise<AppDeps> {
  const { config, db } = parts;
  const catalog = new Catalog(db, parts.secrets.cryptoSecret);
  const cache = new CacheSync(db, catalog, config.syncFrequencySeconds);
  await cache.start();
  const billing = new Billing(db, catalog, {
    errorLogEnabled: config.errorLogEnabled,
    holdSeconds: holdSecondsFor(config),
    // One process owns a SQLite file, so holds found at start belong to a process that is gone.
    singleProcess: db.dialect === "sqlite",
  });
  await billing.start();
  return {
    ...parts,
    catalog,
    cache,
    billing,
    startedAt: Math.floor(Date.now() / 1000),
    state: { draining: false, setUp: false },
  };
}

/** Stops background work and flushes what is queued (logs, quota_data); the caller closes store and KV. */
export async function stopDeps(deps: AppDeps): Promise<void> {
  await deps.cache.stop();
  await deps.billing.stop();
}
