/**
 * The runtime flags of `deno task start` (deno.json): `deno task compile` bakes them into the binary the
 * Dockerfile ships, and the benchmark starts the gateway with them, so they are written in one place.
 * `--max-semi-space-size=4`: the young generation's semi-spaces stop at 4 MB (V8 lets them reach 16 MB here).
 * `--heap-growing-percent=50`: after a full GC the old generation may grow by half its live size before the
 * next one, instead of V8's up-to-4x, so RSS under 1,000 open streams stays level instead of climbing for
 * minutes between full GCs. Measured (2 cores, shared): `deno task bench` gateway CPU per request within
 * the run-to-run noise (about +5%); 1,000 streams for 2 minutes: peak 468 MB and climbing 79 MB/min without
 * the flags, 344 MB and flat (7 MB/min) with them.
 */
export function startV8Flags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  const start: string = config.tasks?.start ?? "";
  return start.split(/\s+/).filter((arg) => arg.startsWith("--v8-flags="));
}
