/**
 * Guards `deno task bench` against rot: a `--quick` run in a subprocess must finish and write a JSON
 * summary with real, non-zero numbers for the direct and bare-proxy targets, and the gateway either
 * measured or marked unavailable with a reason (never numbers it did not earn).
 */
import { assert, assertEquals } from "../support/assert.ts";
import { withTempDir } from "../support/temp_dir.ts";

const root = new URL("../../", import.meta.url).pathname;

// deno-lint-ignore no-explicit-any
type Json = any;

function assertMeasured(name: string, t: Json, stream: boolean): void {
  assertEquals(t?.status, "ok", `${name} status`);
  assert(t.closed.rps > 0, `${name}: closed-model req/s ${t.closed.rps}`);
  assert(
    t.closed.requests > 0 && t.closed.p50 > 0 && t.closed.p99 >= t.closed.p50,
    `${name}: closed latency`,
  );
  assertEquals(t.closed.non2xx + t.closed.errors, 0, `${name}: failed requests`);
  assert(t.closed.cpuUsPerRequest.target > 0, `${name}: CPU per request`);
  assert(
    t.open.achievedRate > 0 && t.open.p50 > 0 && t.open.p99 >= t.open.p50,
    `${name}: open-model latency`,
  );
  assertEquals(t.open.failed, 0, `${name}: failed at the fixed rate`);
  assert(typeof t.open.addedP50 === "number", `${name}: added latency`);
  if (stream) {
    assert(t.open.ttftP50 > 0 && t.open.ttftP50 < t.open.p50, `${name}: time to first token`);
    assert(t.open.gapP50 >= 0 && t.open.gapP99 > 0, `${name}: inter-chunk gaps`);
  }
}

Deno.test("bench --quick writes a summary with real numbers for direct and the bare proxies", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/summary.json`;
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${root}bench/main.ts`,
        "--quick",
        "--duration",
        "0.5",
        "--rate",
        "50",
        "--scenarios",
        "chat,stream",
        "--out",
        out,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assert(run.success, `bench failed:\n${text.slice(-3000)}`);
    const summary = JSON.parse(await Deno.readTextFile(out));
    assertEquals(summary.version, 1);
    assertEquals(summary.settings.quick, true);
    assertEquals(Object.keys(summary.scenarios), ["chat", "stream"]);
    assertEquals(summary.gateway.store, "sqlite");
    for (const [name, scenario] of Object.entries<Json>(summary.scenarios)) {
      assertEquals(Object.keys(scenario.targets), ["direct", "bare-fetch", "bare-undici", "gateway"]);
      for (const t of ["direct", "bare-undici", "bare-fetch"]) {
        assertMeasured(`${name}/${t}`, scenario.targets[t], name === "stream");
      }
      assertEquals(scenario.targets.direct.open.addedP50, 0);
      assert(scenario.ratios["bare-undici/direct"] > 0, `${name}: bare/direct ratio`);
      const gw = scenario.targets.gateway;
      if (gw.status === "ok") {
        assertMeasured(`${name}/gateway`, gw, name === "stream");
        assert(scenario.ratios["gateway/bare-undici"] > 0, `${name}: gateway/bare ratio`);
      } else {
        assertEquals(gw.status, "unavailable");
        assert(/^unavailable \(/.test(gw.reason), `gateway reason: ${gw.reason}`);
        assertEquals(gw.closed, undefined);
        assertEquals(scenario.ratios["gateway/bare-undici"], null);
      }
    }
    for (const name of ["upstream", "bare-undici", "bare-fetch", "gateway"]) {
      assert(
        summary.memory[name].highWaterMarkMb > 10,
        `${name}: peak RSS ${summary.memory[name].highWaterMarkMb}`,
      );
    }
    const goals: Json[] = summary.goals;
    assert(goals.length >= 6, "goals listed");
    for (const g of goals) {
      assert(["met", "missed", "not measured"].includes(g.status), `goal status ${g.status}`);
    }
    assert(/issue #8 targets/.test(text) && /ratios \(closed-model req\/s/.test(text), "table printed");
  });
});
