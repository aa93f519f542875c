/**
 * Captures what the process writes through `console.*` (the logger's only outlet) while a body runs, at
 * every level: debug logging is switched on for the duration. Lines still reach nothing else.
 */
import { setDebug } from "../../server/logger.ts";

const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

export async function captureConsole<T>(body: () => Promise<T>): Promise<{ result: T; output: string }> {
  const lines: string[] = [];
  const saved = METHODS.map((m) => [m, console[m]] as const);
  for (const m of METHODS) {
    console[m] = (...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : Deno.inspect(a, { depth: 8 }))).join(" "));
    };
  }
  setDebug(true);
  try {
    return { result: await body(), output: lines.join("\n") };
  } finally {
    setDebug(false);
    for (const [m, fn] of saved) console[m] = fn;
  }
}
