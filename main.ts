/**
 * Composition root: configuration → secrets → store (migrated) → KV → app → server, and a graceful
 * shutdown on SIGTERM/SIGINT. No business logic lives here.
 */
import { ConfigError, loadConfig, type StoreKind } from "./config/env.ts";
import { unhonouredEnvNotices } from "./config/new_api_env.ts";
import { noteTracingConfig } from "./server/tracing.ts";
import { resolveSecrets } from "./config/secrets.ts";
import { openMigratedLogStore, openMigratedStore } from "./store/open.ts";
import { openKv } from "./kv/kv.ts";
import { composeDeps, stopDeps } from "./server/compose.ts";
import { createApp } from "./server/app.ts";
import { prepareConsole } from "./routes/console.ts";
import { log, setDebug } from "./server/logger.ts";
import { VERSION } from "./server/version.ts";

const storeName = (kind: StoreKind) =>
  kind === "postgres" ? "PostgreSQL" : kind === "mysql" ? "MySQL" : "SQLite";

function fatal(message: string): never {
  console.error(`newapi-deno: ${message}`);
  Deno.exit(1);
}

async function start(): Promise<void> {
  let config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (err) {
    if (err instanceof ConfigError) fatal(`invalid configuration: ${err.message}`);
    throw err;
  }
  setDebug(config.debug);
  for (const notice of unhonouredEnvNotices(Deno.env.toObject())) log.warn(notice);
  noteTracingConfig();
  if (config.tlsInsecureSkipVerify) {
    log.warn("TLS_INSECURE_SKIP_VERIFY=true: upstream TLS certificates are NOT verified");
  }
  // Before the store, so an unreachable Redis (REDIS_CONN_STRING) stops the start before anything is created.
  const kv = await openKv(config).catch((err) => fatal((err as Error).message));
  let secrets, db, logDb;
  try {
    secrets = await resolveSecrets(config);
    db = await openMigratedStore(config, secrets);
    logDb = await openMigratedLogStore(config, secrets, db).catch(async (err) => {
      await db!.close().catch(() => {});
      throw new Error(`LOG_SQL_DSN: ${(err as Error).message}`);
    });
  } catch (err) {
    fatal(err instanceof ConfigError ? `invalid configuration: ${err.message}` : (err as Error).message);
  }
  const deps = await composeDeps({ config, secrets, db, logDb, kv });
  const app = createApp(deps);
  await prepareConsole();

  const server = Deno.serve({
    port: config.port,
    hostname: config.host,
    onListen: ({ hostname, port }) => {
      const where = config.store === "sqlite" ? `SQLite ${config.sqlitePath}` : storeName(config.store);
      const logs = config.logStore ? `, logs: ${storeName(config.logStore.kind)} (LOG_SQL_DSN)` : "";
      const limits = config.redis ? ", limits: Redis (REDIS_CONN_STRING)" : "";
      log.info(
        `newapi-deno ${VERSION} listening on http://${hostname}:${port} (store: ${where}${logs}${limits})`,
      );
    },
  }, app.fetch);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.state.draining = true;
    log.info(`${signal}: draining in-flight requests (up to ${config.shutdownTimeoutSeconds}s)`);
    const closed = server.shutdown();
    const drained = await Promise.race([
      closed.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), config.shutdownTimeoutSeconds * 1000)),
    ]);
    if (!drained) {
      // Streams still running get their dialect's error event and are settled before we go.
      log.warn("drain deadline reached; ending the requests still in flight");
      deps.inflight.abortAll();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    }
    if (!await deps.inflight.idle(5000)) log.warn("some relay requests did not settle; the sweeper will");
    await stopDeps(deps);
    if (logDb !== db) {
      await logDb.close().catch((err) =>
        log.error("closing the log database failed", { error: String(err) })
      );
    }
    await db.close().catch((err) => log.error("closing the store failed", { error: String(err) }));
    kv.close();
    log.info("stopped");
    Deno.exit(0);
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    try {
      Deno.addSignalListener(signal, () => void shutdown(signal));
    } catch { /* signals unsupported on this platform (e.g. Deno Deploy) */ }
  }
  await server.finished;
}

/** `main.ts healthcheck`: exits 0 when this host's server answers /api/status (for Docker's HEALTHCHECK). */
async function healthcheck(): Promise<never> {
  const port = Deno.env.get("PORT") || "3000";
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/status`, { signal: AbortSignal.timeout(5000) });
    const body = await res.json();
    Deno.exit(res.ok && body?.success ? 0 : 1);
  } catch {
    Deno.exit(1);
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "healthcheck") await healthcheck();
  await start();
}
