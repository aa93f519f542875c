/**
 * The real Hono app in-process on a fresh SQLite store, for console page tests: `app.request(...)` with no
 * server or port. `markSetUp()` records a finished first-run setup the way New API's `setups` table does;
 * `setUpAndSignIn()` runs the real setup and sign-in and returns the session cookie of the root user.
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
  setUpAndSignIn(): Promise<string>;
}

export function withConsoleApp(
  fn: (f: ConsoleAppFixture) => Promise<void>,
  options: ConsoleOptions = {},
): Promise<void> {
  return withTempDir(async (dir) => {
    const config = loadConfig({ DATA_DIR: dir, GLOBAL_WEB_RATE_LIMIT_ENABLE: "false" });
    const secrets = await resolveSecrets(config);
    const db = await openMigratedStore(config, secrets);
    const kv = await openKv(config);
    const deps: AppDeps = await composeDeps({ config, secrets, db, kv });
    const app = createApp(deps, options);
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost" },
        body: JSON.stringify(body),
      });
    try {
      await fn({
        app,
        deps,
        markSetUp: async () => {
          await db.exec("INSERT INTO setups (version, initialized_at) VALUES (?, ?)", ["test", 1]);
        },
        setUpAndSignIn: async () => {
          const password = "root-password-1";
          await post("/api/setup", { username: "root", password, confirmPassword: password });
          const res = await post("/api/user/login", { username: "root", password });
          const cookie = res.headers.getSetCookie().find((c) => c.startsWith("session="));
          if (!res.ok || !cookie) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
          return cookie.split(";")[0];
        },
      });
    } finally {
      await stopDeps(deps);
      kv.close();
      await db.close();
    }
  });
}
