/** The security report's matcher over small JUnit documents shaped like `deno test --junit-path` writes. */
import { assert, assertEquals } from "../support/assert.ts";
import type { PlanRow } from "./plan.ts";
import { PLAN } from "./plan.ts";
import {
  exitCode,
  helperTestNames,
  markdownReport,
  normaliseFile,
  parseJunit,
  scorePlan,
  summaryLine,
} from "./report.ts";

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="6" failures="2" errors="0" time="1.0">
    <testsuite name="./tests/a_test.ts" tests="4" disabled="1" errors="0" failures="1">
        <testcase name="refuses &lt;evil&gt; &amp; &quot;quotes&quot; [sqlite]" classname="./tests/a_test.ts" time="0.1">
        </testcase>
        <testcase name="refuses &lt;evil&gt; &amp; &quot;quotes&quot; [postgres]" classname="./tests/a_test.ts" time="0.1">
        </testcase>
        <testcase name="charges once [sqlite]" classname="./tests/a_test.ts" time="0.1">
            <failure message="Uncaught Error: boom">Error: boom
    at file:///repo/tests/a_test.ts:9:9</failure>
        </testcase>
        <testcase name="charges once [postgres]" classname="./tests/a_test.ts" time="0.0">
            <skipped/>
        </testcase>
    </testsuite>
    <testsuite name="./tests/b_test.ts" tests="2" disabled="0" errors="0" failures="1">
        <testcase name="steps" classname="./tests/b_test.ts" time="0.1">
            <failure message="1 test step failed">1 test step failed.</failure>
        </testcase>
        <testcase name="steps &gt; inner" classname="./tests/b_test.ts" time="0.0"/>
        <testcase name="only skipped" classname="./tests/b_test.ts" time="0.0"><skipped/></testcase>
    </testsuite>
</testsuites>`;

const row = (id: string, fields: Partial<PlanRow>): PlanRow => ({
  id,
  name: id.toLowerCase(),
  attack: "attack",
  expected: "expected",
  pins: [],
  ...fields,
});

Deno.test("JUnit test cases are read with their file, unescaped name and outcome", () => {
  const cases = parseJunit(JUNIT);
  assertEquals(cases.length, 7);
  assertEquals(cases[0], {
    file: "tests/a_test.ts",
    name: 'refuses <evil> & "quotes" [sqlite]',
    outcome: "passed",
  });
  assertEquals(cases.map((c) => c.outcome), [
    "passed",
    "passed",
    "failed",
    "skipped",
    "failed",
    "passed",
    "skipped",
  ]);
  assertEquals(cases[5].name, "steps > inner");
  assertEquals(normaliseFile("file:///work/repo/tests/x/y_test.ts"), "tests/x/y_test.ts");
  assertEquals(normaliseFile("./tests/x_test.ts"), "tests/x_test.ts");
});

Deno.test("held, broken, missing and n.a. rows, and the exit code they give", () => {
  const plan = [
    row("T01", { pins: [{ file: "tests/a_test.ts", test: "refuses <evil>" }] }),
    row("T02", { pins: [{ file: "tests/a_test.ts" }] }),
    row("T03", {
      pins: [{ file: "tests/a_test.ts", test: "refuses" }, { file: "tests/security/later_test.ts" }],
    }),
    row("T04", { pins: [{ file: "tests/b_test.ts", test: "only skipped" }] }),
    row("T05", { pins: [{ file: "tests/b_test.ts", test: "no such test" }] }),
    row("T06", { pins: [{ file: "tests/a_test.ts", test: "refuses" }], notBuilt: "no breaker" }),
    row("T07", { na: "no payments" }),
    row("T08", {}),
    row("T09", { pins: [{ file: "tests/b_test.ts", test: "steps" }] }),
  ];
  const results = scorePlan(
    plan,
    parseJunit(JUNIT),
    (f) => f === "tests/security/later_test.ts" ? undefined : [],
  );
  const by = Object.fromEntries(results.map((r) => [r.row.id, r]));
  assertEquals(
    results.map((r) => [r.row.id, r.status, r.passed, r.failed]),
    [
      ["T01", "held", 2, 0],
      ["T02", "broken", 2, 1],
      ["T03", "missing", 2, 0],
      ["T04", "missing", 0, 0],
      ["T05", "missing", 0, 0],
      ["T06", "missing", 2, 0],
      ["T07", "n.a.", 0, 0],
      ["T08", "missing", 0, 0],
      ["T09", "broken", 1, 1],
    ],
  );
  assertEquals(by.T02.notes, ['failed: tests/a_test.ts "charges once [sqlite]"']);
  assertEquals(by.T03.notes, ["file not written yet: tests/security/later_test.ts"]);
  assertEquals(by.T04.notes, ['only skipped results: tests/b_test.ts ~ "only skipped"']);
  assertEquals(by.T05.notes, ['no test of that name: tests/b_test.ts ~ "no such test"']);
  assertEquals(by.T06.notes, ["not built: no breaker"]);
  assertEquals(by.T07.notes, ["no payments"]);
  assertEquals(summaryLine(results), "security plan: 1 held, 2 broken, 5 missing, 1 n.a. of 9");
  assertEquals(exitCode(results, false), 1);

  const withoutBroken = results.filter((r) => r.status !== "broken");
  assertEquals(exitCode(withoutBroken, false), 0, "missing rows do not fail unless strict");
  assertEquals(exitCode(withoutBroken, true), 1);
  assertEquals(exitCode(withoutBroken.filter((r) => r.status !== "missing"), true), 0);
  const md = markdownReport(results, "run.xml");
  assert(md.includes("| T02 | t02 | attack | broken | 2 | 1 |"), md);
});

Deno.test("a run without the test files marks every mapped row missing, never broken", () => {
  const results = scorePlan(PLAN, []);
  assertEquals(results.length, 36);
  assert(results.every((r) => r.status === "missing" || r.status === "n.a."));
  assertEquals(exitCode(results, false), 0);
  assertEquals(exitCode(results, true), 1);
});

Deno.test("the plan lists T01 to T36 once each, every row mapped or explained", () => {
  assertEquals(
    PLAN.map((r) => r.id),
    Array.from({ length: 36 }, (_, i) => `T${String(i + 1).padStart(2, "0")}`),
  );
  for (const r of PLAN) {
    assert(r.pins.length > 0 || r.na !== undefined || r.notBuilt !== undefined, `${r.id} has no pin`);
    for (const p of r.pins) assert(p.file.startsWith("tests/") && p.file.endsWith("_test.ts"), p.file);
  }
});

Deno.test("tests registered through appTest or storeTest are traced to their file by name", () => {
  const source = 'appTest("charges ${n} once", async () => {});\nstoreTest(`a ${status} fails over`, f);\n' +
    'Deno.test("plain", () => {});';
  const names = helperTestNames(source);
  assertEquals(names.length, 2);
  const xml = `<testsuites><testsuite name="./tests/support/stores.ts">
    <testcase name="charges 2 once [sqlite]" classname="./tests/support/stores.ts"></testcase>
    <testcase name="a 429 fails over [postgres]" classname="./tests/support/stores.ts"><failure message="x">x</failure></testcase>
    <testcase name="charges 2 once elsewhere [sqlite]" classname="./tests/support/stores.ts"></testcase>
    <testcase name="charges 2 once [sqlite]" classname="./tests/other_test.ts"></testcase>
  </testsuite></testsuites>`;
  const plan = [
    row("T01", { pins: [{ file: "tests/x_test.ts", test: "charges" }] }),
    row("T02", { pins: [{ file: "tests/x_test.ts" }] }),
  ];
  const [held, broken] = scorePlan(plan, parseJunit(xml), () => names);
  assertEquals([held.status, held.passed, held.failed], ["held", 1, 0]);
  assertEquals([broken.status, broken.passed, broken.failed], ["broken", 1, 1]);
});
