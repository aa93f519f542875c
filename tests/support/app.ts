/**
 * An in-process application on a real store: `appTest` runs a body against the full Hono app backed by
 * a fresh SQLite file and, separately, a fresh PostgreSQL and a fresh MySQL/MariaDB database (KV in memory). Requests go through
 * `app.request(...)`, no ports involved.
 */
import type { Hono } from "hono";
import { loadConfig } from "../../config/env.ts";
import { openKv } from "../../kv/kv.ts";
import { composeDeps, stopDeps } from "../../server/compose.ts";
import { createApp } from "../../server/app.ts";
import type { AppDeps } from "../../server/deps.ts";
import { openMigratedLogStore } from "../../store/open.ts";
import { sqliteFixture, type StoreFixture, storeTest, testSecrets } from "./stores.ts";

export interface AppHarness {
  app: Hono;
  deps: AppDeps;
  store: StoreFixture;
  /** `app.request` with a JSON body and headers. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export async function buildHarness(
  store: StoreFixture,
  env: Record<string, string> = {},
): Promise<AppHarness & { close(): Promise<void> }> {
  const db = await store.openMigrated();
  const config = loadConfig({
    DENO_KV_PATH: ":memory:",
    SESSION_SECRET: testSecrets.sessionSecret,
    // Per-IP limits have their own tests; here they would only make busy tests flaky.
    GLOBAL_API_RATE_LIMIT_ENABLE: "false",
    CRITICAL_RATE_LIMIT_ENABLE: "false",
    SEARCH_RATE_LIMIT_ENABLE: "false",
    GLOBAL_WEB_RATE_LIMIT_ENABLE: "false",
    ...env,
  });
  const kv = await openKv(config);
  // LOG_SQL_DSN in `env` puts the logs in that database, as in production.
  const logDb = await openMigratedLogStore(config, testSecrets, db);
  const deps: AppDeps = await composeDeps({ config, secrets: testSecrets, db, logDb, kv });
  const app = createApp(deps);
  return {
    app,
    deps,
    store,
    call: (method, path, body, headers = {}) =>
      Promise.resolve(app.request(path, {
        method,
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      })),
    close: async () => {
      await stopDeps(deps);
      kv.close();
      if (logDb !== db) await logDb.close();
      await db.close();
    },
  };
}

/** Registers `name [sqlite]`, `name [postgres]` and `name [mysql]`, each with a fresh app. */
export function appTest(
  name: string,
  fn: (h: AppHarness) => Promise<void>,
  env: Record<string, string> = {},
): void {
  storeTest(name, async (store) => {
    const h = await buildHarness(store, env);
    try {
      await fn(h);
    } finally {
      await h.close();
    }
  });
}

/** One test on a fresh SQLite app, for behaviour that does not depend on the store (routing, formats). */
export function sqliteAppTest(
  name: string,
  fn: (h: AppHarness) => Promise<void>,
  env: Record<string, string> = {},
): void {
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () =>
      sqliteFixture(async (store) => {
        const h = await buildHarness(store, env);
        try {
          await fn(h);
        } finally {
          await h.close();
        }
      }),
  });
}
