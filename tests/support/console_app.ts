/**
 * The real Hono app in-process on a fresh SQLite store, for console page tests: `app.request(...)` with no
 * server or port. `markSetUp()` records a finished first-run setup the way New API's `setups` table does.
 */
import type { Hono } from "hono";
import { loadConfig } from "../../config/env.ts";
import { resolveSecrets } from "../../config/secrets.ts";
import { openMigratedStore } from "../../store/open.ts";
import { openKv } from "../../kv/kv.ts";
import { createApp } from "../../server/app.ts";
import type { AppDeps } from "../../server/deps.ts";
import type { ConsoleOptions } from "../../routes/console.ts";
import { withTempDir } from "./temp_dir.ts";
import { composeDeps, stopDeps } from "../../server/compose.ts";

export interface ConsoleAppFixture {
  app: Hono;
  deps: AppDeps;
  markSetUp(): Promise<void>;
}

export function withConsoleApp(
  fn: (f: ConsoleAppFixture) => Promise<void>,
  options: ConsoleOptions = {},
): Promise<void> {
  return withTempDir(async (dir) => {
    const config = loadConfig({ DATA_DIR: dir });
    const secrets = await resolveSecrets(config);
    const db = await openMigratedStore(config, secrets);
    const kv = await openKv(config);
    const deps: AppDeps = await composeDeps({ config, secrets, db, kv });
    try {
      await fn({
        app: createApp(deps, options),
        deps,
        markSetUp: async () => {
          await db.exec("INSERT INTO setups (version, initialized_at) VALUES (?, ?)", ["test", 1]);
        },
      });
    } finally {
      await stopDeps(deps);
      kv.close();
      await db.close();
    }
  });
}
