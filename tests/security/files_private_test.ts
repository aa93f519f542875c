/**
 * Issue 14 (smaller items): the files the gateway keeps under its data dir — the SQLite store with its
 * -wal/-shm files, the Deno KV file, secrets.json — are private to the user it runs as (no group or
 * other bits), and the directories it creates are 0700, whatever the umask. Files left wider by an
 * earlier version are tightened at start. The gateway is started as main.ts does, on a temp dir.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { DatabaseSync } from "node:sqlite";
import { loadConfig } from "../../config/env.ts";
import { resolveSecrets } from "../../config/secrets.ts";
import { openMigratedStore } from "../../store/open.ts";
import { openKv } from "../../kv/kv.ts";
import { composeDeps, stopDeps } from "../../server/compose.ts";
import { createApp } from "../../server/app.ts";

const posix = Deno.build.os !== "windows";

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return ((await Deno.stat(path)).mode ?? 0) & 0o777;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Starts the gateway on `dataDir` (SQLite store, KV file, generated secrets), writes, and stops it. */
async function runGateway(dataDir: string, check: (paths: string[]) => Promise<void>): Promise<void> {
  const config = loadConfig({ DATA_DIR: dataDir, GLOBAL_API_RATE_LIMIT_ENABLE: "false" });
  const secrets = await resolveSecrets(config);
  const db = await openMigratedStore(config, secrets);
  const kv = await openKv(config);
  const deps = await composeDeps({ config, secrets, db, kv });
  try {
    const app = createApp(deps);
    const res = await app.request("/api/setup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        username: "root",
        password: "root-password-1",
        confirmPassword: "root-password-1",
      }),
    });
    assertEquals((await res.json()).success, true);
    await kv.set(["files_private_test"], "written");
    await check([config.sqlitePath, `${config.sqlitePath}-wal`, `${config.sqlitePath}-shm`, config.kvPath!]);
  } finally {
    await stopDeps(deps);
    kv.close();
    await db.close();
  }
}

/** Every file in `dir` (recursively) and every directory below it: none has group or other bits. */
async function assertPrivateTree(dir: string): Promise<string[]> {
  const seen: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    const mode = (await modeOf(path))!;
    assertEquals(mode & 0o077, 0, `${path} is ${mode.toString(8)}`);
    seen.push(entry.name);
    if (entry.isDirectory) seen.push(...(await assertPrivateTree(path)).map((n) => `${entry.name}/${n}`));
  }
  return seen;
}

Deno.test({
  name: "a fresh data dir: the store, its -wal/-shm, the KV file and secrets are 0600, the dirs 0700",
  ignore: !posix,
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "napi_files_" });
    try {
      // The umask lets group/other bits through (else this test would prove nothing).
      await Deno.writeTextFile(`${tmp}/control`, "x");
      assert(((await modeOf(`${tmp}/control`))! & 0o044) !== 0, "default umask expected");
      const dataDir = `${tmp}/nested/data`;
      await runGateway(dataDir, async (paths) => {
        for (const path of paths) {
          const mode = await modeOf(path);
          assert(mode !== undefined, `${path} exists while the gateway runs`);
          assertEquals(mode & 0o077, 0, `${path} is ${mode.toString(8)}`);
        }
        assertEquals(await modeOf(dataDir), 0o700, "data dir");
        assertEquals(await modeOf(`${tmp}/nested`), 0o700, "a parent the gateway created");
        const names = await assertPrivateTree(dataDir);
        for (const name of ["one-api.db", "kv.sqlite3", "secrets.json"]) {
          assert(names.includes(name), `${name} in ${names.join(", ")}`);
        }
      });
      await assertPrivateTree(dataDir);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "files an earlier version left world-readable (store, -wal, -shm, KV, secrets) are tightened at start",
  ignore: !posix,
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "napi_files_" });
    try {
      const dataDir = `${tmp}/data`;
      await Deno.mkdir(dataDir);
      // An earlier process: a KV file, secrets, and a SQLite store that is still open (so its -wal and
      // -shm files exist), all 0644.
      const oldKv = await Deno.openKv(`${dataDir}/kv.sqlite3`);
      await oldKv.set(["old"], 1);
      oldKv.close();
      await Deno.writeTextFile(
        `${dataDir}/secrets.json`,
        JSON.stringify({ sessionSecret: "s".repeat(32), cryptoSecret: "c".repeat(32) }),
      );
      const old = new DatabaseSync(`${dataDir}/one-api.db`);
      old.exec("PRAGMA journal_mode = WAL");
      old.exec("CREATE TABLE earlier (id INTEGER)");
      try {
        for (const name of ["one-api.db", "one-api.db-wal", "one-api.db-shm", "kv.sqlite3", "secrets.json"]) {
          await Deno.chmod(`${dataDir}/${name}`, 0o644);
        }
        await runGateway(dataDir, async (paths) => {
          for (const path of paths) {
            const mode = await modeOf(path);
            assert(mode !== undefined, `${path} exists`);
            assertEquals(mode & 0o077, 0, `${path} is ${mode.toString(8)}`);
          }
          assertEquals((await modeOf(`${dataDir}/secrets.json`))! & 0o077, 0, "secrets.json");
        });
      } finally {
        old.close();
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
