/**
 * The real server process for browser tests, on a fresh data folder, with what the tests need beside it:
 * the store opened from the test process (SQLite in WAL mode takes a second process) for seeding log and
 * `quota_data` rows through the store modules, first-run setup and sign-in through the API, and
 * Playwright's storage state for a signed-in browser.
 */
import type { BrowserContextOptions } from "playwright-core";
import { openSqlite } from "../../store/sqlite.ts";
import type { Db } from "../../store/db.ts";
import { type RunningServer, startServer } from "./server.ts";
import { withTempDir } from "./temp_dir.ts";

export interface ConsoleServer {
  url: string;
  server: RunningServer;
  /** The server's store, opened from the test process (closed by `withConsoleServer`). */
  store(): Promise<Db>;
  /** `POST /api/setup` with a root account, as the wizard does. */
  setUp(username: string, password: string): Promise<void>;
  /** Signs in through the API; returns the session cookie's value. */
  signIn(username: string, password: string): Promise<string>;
  /** Context options for a browser signed in with `session`. */
  signedIn(session: string, options?: BrowserContextOptions): BrowserContextOptions;
  /** `PUT /api/option/` as the admin signed in with `session`; throws unless it succeeds. */
  setOption(session: string, key: string, value: string): Promise<void>;
}

export async function withConsoleServer(fn: (s: ConsoleServer) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    // The per-IP API limit has its own tests; a long browser session would only make it flaky here.
    const server = await startServer({
      DATA_DIR: dir,
      GLOBAL_API_RATE_LIMIT_ENABLE: "false",
      GLOBAL_WEB_RATE_LIMIT_ENABLE: "false",
    });
    let db: Db | undefined;
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: server.url },
        body: JSON.stringify(body),
      });
    try {
      await fn({
        url: server.url,
        server,
        store: async () => db ??= await openSqlite({ path: `${dir}/one-api.db`, busyTimeoutMs: 10000 }),
        setUp: async (username, password) => {
          const res = await post("/api/setup", { username, password, confirmPassword: password });
          const body = await res.json();
          if (!body.success) throw new Error(`setup failed: ${JSON.stringify(body)}`);
        },
        signIn: async (username, password) => {
          const res = await post("/api/user/login", { username, password });
          await res.body?.cancel();
          const cookie = res.headers.getSetCookie().find((c) => c.startsWith("session="));
          if (!res.ok || !cookie) throw new Error(`sign-in as ${username} failed: ${res.status}`);
          return cookie.split(";")[0].slice("session=".length);
        },
        setOption: async (session, key, value) => {
          const res = await fetch(`${server.url}/api/option/`, {
            method: "PUT",
            headers: { cookie: `session=${session}`, origin: server.url, "content-type": "application/json" },
            body: JSON.stringify({ key, value }),
          });
          const body = await res.json();
          if (!body.success) throw new Error(`setting ${key} failed: ${JSON.stringify(body)}`);
        },
        signedIn: (session, options = {}) => ({
          ...options,
          storageState: {
            cookies: [{
              name: "session",
              value: session,
              domain: new URL(server.url).hostname,
              path: "/",
              expires: -1,
              httpOnly: true,
              secure: false,
              sameSite: "Strict",
            }],
            origins: [],
          },
        }),
      });
    } finally {
      await db?.close();
      await server.stop();
    }
  });
}
