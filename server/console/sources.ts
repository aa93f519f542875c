/**
 * A fingerprint of everything the browser bundle is built from, recorded in the build manifest so a server
 * started from a checkout rebuilds when the sources changed. Undefined inside a compiled binary, which
 * carries its bundle and not its sources.
 */
const root = new URL("../../", import.meta.url);
const SOURCE_DIRS = ["client", "islands", "components", "i18n", "locales"];
const SOURCE_FILES = ["static/console.css"];

async function walk(dir: URL, prefix: string, out: string[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir), `${rel}/`, out);
    else if (entry.isFile) out.push(rel);
  }
}

export async function consoleSourceFingerprint(): Promise<string | undefined> {
  try {
    await Deno.stat(new URL("client/hydrate.ts", root));
  } catch {
    return undefined;
  }
  const files = [...SOURCE_FILES];
  for (const dir of SOURCE_DIRS) await walk(new URL(`${dir}/`, root), `${dir}/`, files);
  files.sort();
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const file of files) {
    parts.push(encoder.encode(`${file}\0`));
    parts.push(await Deno.readFile(new URL(file, root)));
    parts.push(encoder.encode("\0"));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}
