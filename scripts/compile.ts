/**
 * `deno task compile`: one executable that embeds the code, migrations, locales and the console bundle.
 * TARGET picks the platform (default x86_64-unknown-linux-gnu), OUTPUT the file (default dist/newapi-deno).
 * `deno compile` downloads its runtime (denort) unless DENORT_BIN names a local one; it is passed through.
 * The binary runs with `deno task start`'s V8 flags (scripts/start_flags.ts).
 */
import { startV8Flags } from "./start_flags.ts";

const root = new URL("../", import.meta.url).pathname;
const target = Deno.env.get("TARGET") ?? "x86_64-unknown-linux-gnu";
const output = Deno.env.get("OUTPUT") ?? "dist/newapi-deno";

async function run(args: string[]): Promise<void> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (code !== 0) Deno.exit(code);
}

const exists = (path: string) => Deno.stat(`${root}${path}`).then(() => true, () => false);

if (await exists("scripts/build_console.ts")) await run(["run", "-A", "scripts/build_console.ts"]);

const includes: string[] = [];
// The tokenizer's rank table is read as a file (relay/billing/estimate.ts), not imported.
for (const path of ["locales", "static", "relay/billing/o200k_base_ranks.json"]) {
  if (await exists(path)) includes.push("--include", path);
}
const flags = startV8Flags();
await run(["compile", "-A", ...flags, "--target", target, "--output", output, ...includes, "main.ts"]);
console.log(`compiled ${output} for ${target}`);
