/**
 * Names the migrated schema for the test template databases: a hash of everything that decides it (the
 * table definitions, the migrations and the code that turns them into DDL). A change to any of those files
 * gives a new name, so a template is never reused across schema changes; checkouts with the same files
 * share one.
 */
const store = new URL("../../store/", import.meta.url);

async function filesOf(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(new URL(dir, store))) {
    if (e.isFile && e.name.endsWith(".ts")) names.push(`${dir}${e.name}`);
  }
  return names.sort();
}

let hash: Promise<string> | undefined;

/** 12 hex characters. */
export function schemaHash(): Promise<string> {
  hash ??= (async () => {
    const files = [...await filesOf("schema/"), ...await filesOf("migrations/"), "migrate.ts"];
    const texts = await Promise.all(files.map(async (f) => [f, await Deno.readTextFile(new URL(f, store))]));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(texts)));
    return [...new Uint8Array(digest).slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
  })();
  return hash;
}
