/**
 * Prepares a store for the benchmarked gateway as an operator would: a root user, an OpenAI channel to
 * the fake upstream, a token with quota and limits, the bench models priced, consume logs and per-user
 * model request limits on. Written through the store's repositories into a fresh SQLite `DATA_DIR` (or a
 * fresh database on the PostgreSQL or MySQL server named by `BENCH_SQL_DSN`), which `main.ts` then opens.
 */
import postgres from "postgres";
import mysql from "mysql2/promise";
import { loadConfig } from "../config/env.ts";
import { resolveSecrets } from "../config/secrets.ts";
import { openMigratedStore } from "../store/open.ts";
import { completeSetup } from "../store/setup.ts";
import { setUserQuota } from "../store/users.ts";
import { insertChannel } from "../store/channels.ts";
import { createToken } from "../store/tokens.ts";
import { saveOptions } from "../store/options.ts";
import { hashPassword } from "../crypto/password.ts";
import { VERSION } from "../server/version.ts";
import { DEFAULT_COMPLETION_RATIO, DEFAULT_MODEL_RATIO } from "../relay/billing/default_ratios.ts";
import { CHAT_MODEL, EMBEDDING_MODEL } from "./scenarios.ts";

export interface PreparedGateway {
  /** Environment for `main.ts` (PORT and HOST are added by the caller). */
  env: Record<string, string>;
  tokenKey: string;
  store: "sqlite" | "postgres" | "mysql";
  /** What was configured, for the report. */
  settings: Record<string, unknown>;
  cleanup(): Promise<void>;
}

export interface GatewaySetupOptions {
  upstreamUrl: string;
  /** A PostgreSQL or mysql:// server URL: a throwaway database is created on it (dropped by `cleanup`). */
  sqlDsn?: string;
  /** Concurrent requests the token may run (its concurrency limit). */
  tokenConcurrency: number;
}

const BIG_QUOTA = 1_000_000_000_000;

export async function prepareGateway(opts: GatewaySetupOptions): Promise<PreparedGateway> {
  const dataDir = await Deno.makeTempDir({ prefix: "napi_bench_" });
  const env: Record<string, string> = { DATA_DIR: dataDir };
  let dropDatabase = async () => {};
  if (opts.sqlDsn) {
    const { url, drop } = await createDatabase(opts.sqlDsn);
    const secret = Array.from(
      crypto.getRandomValues(new Uint8Array(24)),
      (b) => b.toString(16).padStart(2, "0"),
    )
      .join("");
    Object.assign(env, { SQL_DSN: url, SESSION_SECRET: secret, CRYPTO_SECRET: secret });
    dropDatabase = drop;
  }
  const config = loadConfig(env);
  const secrets = await resolveSecrets(config);
  const db = await openMigratedStore(config, secrets);
  const limits = {
    tokenRpm: 10_000_000,
    tokenTpm: 1_000_000_000,
    tokenConcurrency: opts.tokenConcurrency,
    modelRequestRateLimit: { durationMinutes: 1, count: 100_000_000, successCount: 100_000_000 },
  };
  let tokenKey;
  try {
    const setup = await completeSetup(db, {
      username: "root",
      passwordHash: await hashPassword("bench-root-password"),
      selfUseModeEnabled: false,
      demoSiteEnabled: false,
      version: VERSION,
    });
    if (!setup.ok) throw new Error("the fresh bench store was already set up");
    await setUserQuota(db, setup.rootId, BIG_QUOTA);
    await saveOptions(db, {
      ModelRatio: JSON.stringify({ ...DEFAULT_MODEL_RATIO, [CHAT_MODEL]: 0.075, [EMBEDDING_MODEL]: 0.01 }),
      CompletionRatio: JSON.stringify({ ...DEFAULT_COMPLETION_RATIO, [CHAT_MODEL]: 4 }),
      LogConsumeEnabled: "true",
      ModelRequestRateLimitEnabled: "true",
      ModelRequestRateLimitDurationMinutes: String(limits.modelRequestRateLimit.durationMinutes),
      ModelRequestRateLimitCount: String(limits.modelRequestRateLimit.count),
      ModelRequestRateLimitSuccessCount: String(limits.modelRequestRateLimit.successCount),
    });
    await insertChannel(db, secrets.cryptoSecret, {
      type: 1, // OpenAI
      name: "bench fake upstream",
      baseUrl: opts.upstreamUrl,
      key: "sk-fake-upstream-bench",
      models: `${CHAT_MODEL},${EMBEDDING_MODEL}`,
      group: "default",
    });
    const { key } = await createToken(db, secrets.cryptoSecret, setup.rootId, {
      name: "bench",
      remainQuota: BIG_QUOTA,
      unlimitedQuota: false,
      rpmLimit: limits.tokenRpm,
      tpmLimit: limits.tokenTpm,
      concurrencyLimit: limits.tokenConcurrency,
    });
    tokenKey = key;
  } finally {
    await db.close();
  }
  return {
    env,
    tokenKey,
    store: config.store,
    settings: { billing: "on (token quota, priced models)", consumeLogs: "on", limits },
    cleanup: async () => {
      await dropDatabase().catch(() => {});
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

async function createDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `napi_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  if (serverUrl.startsWith("mysql://")) return await createMysqlDatabase(serverUrl, name);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}

async function createMysqlDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = async (sql: string) => {
    const conn = await mysql.createConnection(serverUrl);
    try {
      await conn.query(sql);
    } finally {
      await conn.end();
    }
  };
  await admin(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS \`${name}\``) };
}
