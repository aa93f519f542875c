/** The benchmark's arithmetic: percentiles, per-round pairing, trend slopes and the long-run verdict. */
import { assert, assertEquals } from "../support/assert.ts";
import { pairedAdded, percentile, ratio, slope, summarize } from "../../bench/stats.ts";
import { judgeTrend } from "../../bench/long_run.ts";
import { evaluateGoals, lastLongRun } from "../../bench/summary.ts";

Deno.test("percentiles are nearest-rank over sorted values", () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assertEquals(percentile(sorted, 0.5), 50);
  assertEquals(percentile(sorted, 0.99), 99);
  assertEquals(percentile(sorted, 1), 100);
  assert(Number.isNaN(percentile([], 0.5)));
  const s = summarize([5, 1, 4, 2, 3]);
  assertEquals([s.count, s.p50, s.max, s.mean], [5, 3, 5, 3]);
});

Deno.test("added latency pairs rounds, so a slow spell hitting both sides cancels", () => {
  // Round 2 ran while the machine was busy: both sides slower by 5 ms.
  assertEquals(pairedAdded([1.5, 6.5, 1.7], [1.0, 6.0, 1.0]), 0.5);
  assert(Number.isNaN(pairedAdded([], [])));
  assertEquals(ratio(85, 100), 0.85);
  assertEquals(ratio(1, 0), null);
  assertEquals(ratio(undefined, 3), null);
});

Deno.test("the long-run verdict tells a flat RSS from a growing one after warm-up", () => {
  const minutes = 10;
  const times = Array.from({ length: 61 }, (_, i) => (i * minutes) / 60);
  const flat = times.map((m) => ({ minutes: m, mb: m < 1 ? 60 + m * 40 : 100 + Math.sin(m * 7) }));
  const growing = times.map((m) => ({ minutes: m, mb: 100 + m * 2 }));
  assertEquals(judgeTrend(flat, minutes).flat, true);
  assertEquals(judgeTrend(growing, minutes).flat, false);
  assert(Math.abs(judgeTrend(growing, minutes).slopeMbPerMinute - 2) < 1e-9);
  assertEquals(judgeTrend(growing, minutes).peakRssMb, 120);
  assertEquals(slope([[0, 1], [1, 3], [2, 5]]), 2);
});

Deno.test("the side-by-side table shows the last gateway long run as its memory row", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/long_run.json`;
    assertEquals(await lastLongRun(path), undefined, "no long run yet");
    const pending = evaluateGoals({}, undefined).at(-1)!;
    assertEquals(pending.status, "not measured");
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        target: "gateway",
        streams: 1000,
        minutes: 2,
        peakRssMb: 240.5,
        slopeMbPerMinute: 0.4,
        trend: "flat",
        finishedAt: "2026-12-07T15:40:00.000Z",
      }),
    );
    const goals = evaluateGoals({}, await lastLongRun(path));
    const [rss, flat] = goals.slice(-2);
    assertEquals([rss.status, rss.value, flat.status, flat.value], ["met", 241, "met", 0.4]);
    assert(rss.note!.includes("2026-12-07T15:40Z (2 min)"), rss.note);
    await Deno.writeTextFile(path, JSON.stringify({ target: "bare-undici", streams: 1000, peakRssMb: 200 }));
    assertEquals(await lastLongRun(path), undefined, "only the gateway's run counts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
