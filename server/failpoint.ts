/**
 * Named crash points for crash tests: when `FAILPOINTS` (comma-separated names, read once at start) names
 * one, the process SIGKILLs itself there, as a power cut would stop it — no `finally`, no flush. Unset (every
 * deployment), a failpoint is one Set lookup.
 */
const armed: ReadonlySet<string> = new Set(
  (Deno.env.get("FAILPOINTS") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
);

export function failpoint(name: string): void {
  if (armed.has(name)) Deno.kill(Deno.pid, "SIGKILL");
}
