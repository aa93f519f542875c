/**
 * Scores the T01–T36 plan against a JUnit report of a test run (`deno test --junit-path`): pure functions
 * from the XML text and the plan to one status per row, and the row table as Markdown and as plain text.
 */
import type { Pin, PlanRow } from "./plan.ts";

export interface TestCase {
  /** Path of the test file from the repository root (`tests/...`). */
  file: string;
  name: string;
  outcome: "passed" | "failed" | "skipped";
}

export type RowStatus = "held" | "broken" | "missing" | "n.a.";

export interface RowResult {
  row: PlanRow;
  status: RowStatus;
  passed: number;
  failed: number;
  /** Why the row is not held: failing tests, pins without results, or the plan's reason. */
  notes: string[];
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out[m[1]] = unescapeXml(m[2] ?? m[3] ?? "");
  }
  return out;
}

/** `./tests/a_test.ts`, `file:///repo/tests/a_test.ts` and `/repo/tests/a_test.ts` all become `tests/a_test.ts`. */
export function normaliseFile(path: string): string {
  const plain = path.replace(/^file:\/\//, "").replaceAll("\\", "/");
  const at = plain.lastIndexOf("/tests/");
  if (at >= 0) return plain.slice(at + 1);
  return plain.replace(/^\.\//, "");
}

/** Every `<testcase>` of a JUnit document, with its file (from `classname`, else its suite) and outcome. */
export function parseJunit(xml: string): TestCase[] {
  const cases: TestCase[] = [];
  let suite = "";
  const tags = /<testsuite\b([^>]*)>|<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(tags)) {
    if (m[1] !== undefined) {
      suite = attributes(m[1]).name ?? "";
      continue;
    }
    const attrs = attributes(m[2]);
    const body = m[4] ?? "";
    const outcome = /<(failure|error)\b/.test(body)
      ? "failed"
      : /<skipped\b/.test(body)
      ? "skipped"
      : "passed";
    cases.push({ file: normaliseFile(attrs.classname || suite), name: attrs.name ?? "", outcome });
  }
  return cases;
}

/**
 * The names a test file registers through a helper (`appTest("…")`, `storeTest(\`…${x}…\`)`), as patterns
 * matching the start of a JUnit name. Deno's JUnit report files such tests under the helper's module
 * (tests/support/stores.ts), so they are traced back to their file by name.
 */
export function helperTestNames(source: string): RegExp[] {
  const calls = /\b(?!Deno\.)[a-zA-Z]+Test\(\s*(["'`])((?:\\.|(?!\1)[^\\])*)\1/g;
  const out: RegExp[] = [];
  for (const m of source.matchAll(calls)) {
    const parts = m[2].split(/\$\{[^}]*\}/).map((p) =>
      p.replace(/\\(.)/g, "$1").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    );
    out.push(new RegExp("^" + parts.join(".*?") + "( \\[|$)"));
  }
  return out;
}

/** A pin's file as the scorer sees it: absent (undefined), or its helper-registered name patterns. */
export type FileLookup = (file: string) => RegExp[] | undefined;

const isTestFile = (file: string) => /_test\.tsx?$/.test(file);

function inFile(pin: Pin, c: TestCase, helperNames: RegExp[]): boolean {
  if (c.file === normaliseFile(pin.file)) return true;
  return !isTestFile(c.file) && helperNames.some((re) => re.test(c.name));
}

function matches(pin: Pin, c: TestCase, helperNames: RegExp[]): boolean {
  return inFile(pin, c, helperNames) && (pin.test === undefined || c.name.includes(pin.test));
}

const pinLabel = (pin: Pin) => pin.test === undefined ? pin.file : `${pin.file} ~ "${pin.test}"`;

/** One status per plan row. `lookup` says which pin files exist and what names they register. */
export function scorePlan(plan: PlanRow[], cases: TestCase[], lookup: FileLookup = () => []): RowResult[] {
  return plan.map((row) => {
    if (row.na !== undefined) return { row, status: "n.a.", passed: 0, failed: 0, notes: [row.na] };
    let passed = 0, failed = 0;
    const notes: string[] = [];
    let broken = false, missing = false;
    for (const pin of row.pins) {
      const helperNames = lookup(pin.file);
      const hit = cases.filter((c) => matches(pin, c, helperNames ?? []));
      const ok = hit.filter((c) => c.outcome === "passed").length;
      const bad = hit.filter((c) => c.outcome === "failed");
      passed += ok;
      failed += bad.length;
      if (bad.length > 0) {
        broken = true;
        for (const c of bad) notes.push(`failed: ${c.file} "${c.name}"`);
      } else if (ok === 0) {
        missing = true;
        const why = helperNames === undefined
          ? "file not written yet"
          : hit.length > 0
          ? "only skipped results"
          : cases.some((c) => inFile({ file: pin.file }, c, helperNames))
          ? "no test of that name"
          : "not in the report";
        notes.push(`${why}: ${pinLabel(pin)}`);
      }
    }
    if (row.notBuilt !== undefined) {
      missing = true;
      notes.unshift(`not built: ${row.notBuilt}`);
    } else if (row.pins.length === 0) {
      missing = true;
      notes.push("no test maps to this row");
    }
    const status: RowStatus = broken ? "broken" : missing ? "missing" : "held";
    return { row, status, passed, failed, notes };
  });
}

export function summarise(results: RowResult[]): Record<RowStatus, number> {
  const counts: Record<RowStatus, number> = { held: 0, broken: 0, missing: 0, "n.a.": 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

export function summaryLine(results: RowResult[]): string {
  const n = summarise(results);
  return `security plan: ${n.held} held, ${n.broken} broken, ${n.missing} missing, ${n["n.a."]} n.a. ` +
    `of ${results.length}`;
}

/** Exit code: 1 when a row is broken, or (strict) when one is missing. */
export function exitCode(results: RowResult[], strict: boolean): number {
  const n = summarise(results);
  return n.broken > 0 || (strict && n.missing > 0) ? 1 : 0;
}

/** A fixed-width table for the terminal. */
export function textTable(results: RowResult[]): string {
  const rows = results.map((r) => [r.row.id, r.row.name, r.status, String(r.passed), String(r.failed)]);
  const head = ["id", "name", "status", "passed", "failed"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** The report as Markdown: the table, then what each row that is not held lacks. */
export function markdownReport(results: RowResult[], source: string): string {
  const out = [
    "# Security plan report (T01–T36)",
    "",
    `From \`${source}\`. ${summaryLine(results)}.`,
    "",
    "| ID | Name | Attack | Status | Passed | Failed | Notes |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const notes = [...r.notes, ...(r.row.gaps ? [`gap: ${r.row.gaps}`] : [])].join("; ");
    out.push(
      `| ${r.row.id} | ${r.row.name} | ${cell(r.row.attack)} | ${r.status} | ${r.passed} | ${r.failed} | ` +
        `${cell(notes)} |`,
    );
  }
  return out.join("\n") + "\n";
}
