/**
 * Files the gateway keeps on disk (the SQLite store, the Deno KV file, secrets.json) are private to the
 * user it runs as: files 0600 and the directories it creates 0700, whatever the umask. node:sqlite and
 * Deno KV create their files 0644 under the default umask, so the file is made 0600 before they open
 * it (SQLite gives its -wal/-shm files the main file's mode), and files an earlier run left wider are
 * tightened. An existing directory is left as it is: it may be shared (`/tmp`, a mounted volume).
 */
import { log } from "../server/logger.ts";

const POSIX = Deno.build.os !== "windows";

/** The directory part of `path`, or "" when it has none. */
function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : "") : path.slice(0, i);
}

/** Creates `dir` and any missing parents 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  if (dir === "") return;
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Drops the group and other bits of `path`, if it exists and has any. A file this process may use but
 * not chmod (another owner, a read-only mount) is warned about, not fatal: the operator chose it.
 */
export async function tightenFile(path: string): Promise<void> {
  if (!POSIX) return;
  let mode: number;
  try {
    mode = (await Deno.stat(path)).mode ?? 0;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  if ((mode & 0o077) === 0) return;
  try {
    await Deno.chmod(path, mode & 0o700);
  } catch (err) {
    log.warn(
      `${path} is readable by others (mode ${(mode & 0o777).toString(8)}) and cannot be made private`,
      {
        error: String(err),
      },
    );
  }
}

/**
 * Before a library opens the file at `path`: its directory created private, the file created empty
 * 0600 (SQLite and Deno KV take an empty file as a new database) or, if it exists, tightened.
 */
export async function preparePrivateFile(path: string): Promise<void> {
  await ensurePrivateDir(parentOf(path));
  try {
    (await Deno.open(path, { createNew: true, write: true, mode: 0o600 })).close();
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    await tightenFile(path);
  }
}

/** After SQLite (or Deno KV, which is SQLite) opened `path`: journal files it reused, tightened too. */
export async function tightenSqliteSidecars(path: string): Promise<void> {
  for (const suffix of ["-wal", "-shm", "-journal"]) await tightenFile(`${path}${suffix}`);
}
