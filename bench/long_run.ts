/**
 * Long-run memory test (`--streams N --minutes M`): N slow streams kept open at once through the target
 * (each 60 events one second apart, reopened when it ends), its RSS sampled every few seconds, reported
 * as peak and slope. The gateway is the default target; while its relay is missing the run says so and
 * measures the bare undici proxy instead, labelled as such.
 */
import type { BenchOptions, TargetName } from "./options.ts";
import { LoadAgent } from "./load_client.ts";
import { MemorySampler } from "./processes.ts";
import { scenarios } from "./scenarios.ts";
import { round, slope } from "./stats.ts";
import { probe, requestHeaders, startTargets } from "./targets.ts";

const MB = 1024 * 1024;
const STREAM_BODY = JSON.stringify({
  model: "gpt-4o-mini",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "Tell a long story slowly. [fake:chunks=60] [fake:interval=1000]" }],
});

export interface LongRunVerdict {
  peakRssMb: number;
  slopeMbPerMinute: number;
  flat: boolean;
}

/**
 * Flat means the trend after warm-up (the first quarter, which includes the ramp) would grow RSS by less
 * than 5% of its mean over the whole run.
 */
export function judgeTrend(samples: { minutes: number; mb: number }[], runMinutes: number): LongRunVerdict {
  const peak = Math.max(...samples.map((s) => s.mb));
  const warm = samples.filter((s) => s.minutes >= runMinutes / 4);
  const perMinute = slope(warm.map((s) => [s.minutes, s.mb]));
  const mean = warm.reduce((n, s) => n + s.mb, 0) / Math.max(1, warm.length);
  const flat = Number.isFinite(perMinute) ? perMinute * runMinutes < 0.05 * mean : false;
  return { peakRssMb: peak, slopeMbPerMinute: perMinute, flat };
}

export async function runLongRun(
  opts: BenchOptions,
  io: {
    writeJson(path: string, v: unknown): Promise<void>;
    machineNote(): Record<string, unknown>;
  },
): Promise<void> {
  const lr = opts.longRun!;
  const wanted: TargetName[] = lr.target === "gateway"
    ? ["direct", "gateway", "bare-undici"]
    : ["direct", lr.target];
  const agent = LoadAgent.start();
  const running = await startTargets(opts, wanted).catch(async (err) => {
    await agent.stop();
    throw err;
  });
  try {
    let target = running.targets.find((t) => t.name === lr.target)!;
    let note: string | undefined;
    const why = await probe(target, scenarios.stream);
    if (why && lr.target === "gateway") {
      note = `gateway ${why}: measured bare-undici instead (the harness works; gateway numbers pending)`;
      target = running.targets.find((t) => t.name === "bare-undici")!;
    } else if (why) {
      throw new Error(`${target.name} ${why}`);
    }
    if (note) console.log(note);
    console.log(
      `long run: ${lr.streams} concurrent slow streams through ${target.name} for ${lr.minutes} min, ` +
        `RSS every ${lr.sampleSeconds} s`,
    );
    const sampler = new MemorySampler(new Map([[target.name, target.pid!]]), { keepSamples: true });
    const t0 = performance.now();
    sampler.start(lr.sampleSeconds * 1000);
    let done = false;
    const hold = agent.hold({
      url: target.baseUrl + scenarios.stream.path,
      headers: requestHeaders(target),
      body: STREAM_BODY,
      streams: lr.streams,
      seconds: lr.minutes * 60,
      rampPerSecond: 200,
    }).finally(() => done = true);
    while (!done) {
      await Promise.race([hold.catch(() => {}), new Promise((r) => setTimeout(r, lr.sampleSeconds * 1000))]);
      const last = sampler.samples.at(-1);
      if (last && !done) {
        console.log(
          `  ${((performance.now() - t0) / 60_000).toFixed(2)} min  RSS ${(last.rss / MB).toFixed(1)} MB`,
        );
      }
    }
    const result = await hold;
    sampler.stop();
    const samples = sampler.samples.map((s) => ({ minutes: (s.at - t0) / 60_000, mb: s.rss / MB }));
    const verdict = judgeTrend(samples, lr.minutes);
    console.log(
      `peak RSS ${verdict.peakRssMb.toFixed(1)} MB, slope ${verdict.slopeMbPerMinute.toFixed(2)} MB/min ` +
        `after warm-up: ${verdict.flat ? "flat" : "GROWING"}; streams opened ${result.opened}, completed ` +
        `${result.completed}, failed ${result.failed}${result.firstError ? ` (${result.firstError})` : ""}`,
    );
    const out = opts.out.replace(/latest\.json$/, "long_run.json");
    await io.writeJson(out, {
      version: 1,
      finishedAt: new Date().toISOString(),
      machine: io.machineNote(),
      target: target.name,
      ...(note ? { note } : {}),
      streams: lr.streams,
      minutes: lr.minutes,
      load: result,
      peakRssMb: round(verdict.peakRssMb),
      slopeMbPerMinute: round(verdict.slopeMbPerMinute),
      trend: verdict.flat ? "flat" : "growing",
      goalRss250Mb: target.name === "gateway" && lr.streams >= 1000
        ? (verdict.peakRssMb <= 250 ? "met" : "missed")
        : "not measured (gateway not the target or fewer than 1,000 streams)",
      samples: samples.map((s) => [round(s.minutes), round(s.mb)]),
    });
    console.log(`JSON: ${out}`);
  } finally {
    await agent.stop();
    await running.stop();
  }
}
