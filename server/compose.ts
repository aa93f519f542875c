/**
 * Assembles `AppDeps` from the opened store and KV: builds the in-memory catalog and starts its sync.
 * `main.ts` and every in-process test harness use this one function, so they wire the same things.
 */
import type { Config } from "../config/env.ts";
import type { Secrets } from "../config/secrets.ts";
import type { Db } from "../store/db.ts";
import type { Kv } from "../kv/kv.ts";
import { Catalog } from "../store/cache/catalog.ts";
import { CacheSync } from "../store/cache/sync.ts";
import type { AppDeps } from "./deps.ts";

export async function composeDeps(
  parts: { config: Config; secrets: Secrets; db: Db; kv: Kv },
): Promise<AppDeps> {
  const catalog = new Catalog(parts.db, parts.secrets.cryptoSecret);
  const cache = new CacheSync(parts.db, catalog, parts.config.syncFrequencySeconds);
  await cache.start();
  return {
    ...parts,
    catalog,
    cache,
    startedAt: Math.floor(Date.now() / 1000),
    state: { draining: false, setUp: false },
  };
}
