/**
 * `deno task security`: the T01–T36 plan (tests/security/plan.ts) scored against a JUnit report of a test
 * run, printed as a table and written to tests/artifacts/security_report.md. Exits 1 when a row is broken
 * (a mapped test failed); with --strict also when a row is missing.
 *
 *   deno test -A --no-check=remote tests/ --junit-path=tests/artifacts/junit.xml && deno task security
 *   deno task security --junit /tmp/run.xml --strict
 *   deno task security --run     # runs only the plan's test files first, then reports
 */
import { PLAN } from "../tests/security/plan.ts";
import {
  exitCode,
  helperTestNames,
  markdownReport,
  parseJunit,
  scorePlan,
  summaryLine,
  textTable,
} from "../tests/security/report.ts";

const root = new URL("../", import.meta.url);
const DEFAULT_JUNIT = "tests/artifacts/junit.xml";
const DEFAULT_OUT = "tests/artifacts/security_report.md";

interface Flags {
  junit: string;
  out: string;
  strict: boolean;
  run: boolean;
}

function parseFlags(args: string[]): Flags {
  const flags: Flags = { junit: DEFAULT_JUNIT, out: DEFAULT_OUT, strict: false, run: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--strict") flags.strict = true;
    else if (a === "--run") flags.run = true;
    else if (a === "--junit" || a === "--out") flags[a === "--junit" ? "junit" : "out"] = args[++i] ?? "";
    else if (a.startsWith("--junit=")) flags.junit = a.slice(8);
    else if (a.startsWith("--out=")) flags.out = a.slice(6);
    else throw new Error(`unknown argument ${a} (use --junit <file>, --out <file>, --strict, --run)`);
  }
  return flags;
}

const pathOf = (p: string) => p.startsWith("/") ? p : new URL(p, root).pathname;

function exists(file: string): boolean {
  try {
    return Deno.statSync(pathOf(file)).isFile;
  } catch {
    return false;
  }
}

/** Runs the plan's test files that exist into `junit` (their failures are scored, not fatal here). */
async function runPlanTests(junit: string): Promise<void> {
  const files = [...new Set(PLAN.flatMap((r) => r.pins.map((p) => p.file)))].filter(exists).sort();
  await Deno.mkdir(pathOf(junit).replace(/\/[^/]*$/, ""), { recursive: true });
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check=remote", `--junit-path=${pathOf(junit)}`, ...files],
    cwd: root.pathname,
    stdout: "inherit",
    stderr: "inherit",
  });
  await cmd.output();
}

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args);
  if (flags.run) await runPlanTests(flags.junit);
  let xml: string;
  try {
    xml = await Deno.readTextFile(pathOf(flags.junit));
  } catch (e) {
    console.error(`cannot read the JUnit report ${flags.junit}: ${(e as Error).message}`);
    console.error("produce it with: deno test -A --no-check=remote tests/ --junit-path=" + flags.junit);
    return 2;
  }
  const lookup = (file: string) =>
    exists(file) ? helperTestNames(Deno.readTextFileSync(pathOf(file))) : undefined;
  const results = scorePlan(PLAN, parseJunit(xml), lookup);
  console.log(textTable(results));
  for (const r of results) {
    if (r.status === "broken") { for (const n of r.notes) console.log(`${r.row.id} ${n}`); }
  }
  console.log(summaryLine(results));
  await Deno.mkdir(pathOf(flags.out).replace(/\/[^/]*$/, ""), { recursive: true });
  await Deno.writeTextFile(pathOf(flags.out), markdownReport(results, flags.junit));
  console.log(`written ${flags.out}`);
  return exitCode(results, flags.strict);
}

if (import.meta.main) Deno.exit(await main());
