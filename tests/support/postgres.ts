/**
 * Throwaway PostgreSQL databases for tests. TEST_POSTGRES_URL names a server (any database on it);
 * without it the local server on 127.0.0.1:5432 is tried. Under CI=true a missing server is an error,
 * never a skip.
 */
import postgres from "postgres";

const inCi = Deno.env.get("CI") === "true";

async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function detect(): Promise<string | undefined> {
  const configured = Deno.env.get("TEST_POSTGRES_URL");
  const candidates = configured ? [configured] : [
    "postgres://postgres@127.0.0.1:5432/postgres",
    "postgres://root@127.0.0.1:5432/postgres",
  ];
  for (const url of candidates) {
    if (await reachable(url)) return url;
  }
  if (inCi) {
    throw new Error(`CI=true but no PostgreSQL answers at ${candidates.join(" or ")}; set TEST_POSTGRES_URL`);
  }
  return undefined;
}

/** A server URL when PostgreSQL is available; undefined (tests are ignored) only outside CI. */
export const postgresServerUrl: string | undefined = await detect();

/** Creates an empty database, returns its URL, and drops it when `drop` is called. */
export async function createTempDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!postgresServerUrl) throw new Error("PostgreSQL is not available");
  const name = `napi_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(postgresServerUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresServerUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const sql = postgres(postgresServerUrl!, { max: 1, onnotice: () => {} });
      await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql.end();
    },
  };
}
