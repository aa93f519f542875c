/** The exposition text: label values escaped, cumulative buckets with +Inf, sums and counts, gauges collected at render. */
import { assertEquals } from "../support/assert.ts";
import { Counter, Gauge, Histogram, Registry } from "../../server/prometheus.ts";

Deno.test("Prometheus text format: escaping, cumulative buckets, collected gauges", () => {
  const r = new Registry();
  const c = r.register(new Counter("x_total", "A counter.", ["model"]));
  c.inc({ model: 'a"b\\c\nd' }, 2);
  c.inc({ model: 'a"b\\c\nd' });
  const h = r.register(new Histogram("y_seconds", "A histogram.", ["op"], [0.1, 1]));
  for (const v of [0.05, 0.5, 5]) h.observe({ op: "chat" }, v);
  let n = 0;
  r.register(new Gauge("z", "A gauge.", [], (g) => g.set({}, ++n)));
  assertEquals(
    r.render(),
    [
      "# HELP x_total A counter.",
      "# TYPE x_total counter",
      'x_total{model="a\\"b\\\\c\\nd"} 3',
      "",
      "# HELP y_seconds A histogram.",
      "# TYPE y_seconds histogram",
      'y_seconds_bucket{op="chat",le="0.1"} 1',
      'y_seconds_bucket{op="chat",le="1"} 2',
      'y_seconds_bucket{op="chat",le="+Inf"} 3',
      'y_seconds_sum{op="chat"} 5.55',
      'y_seconds_count{op="chat"} 3',
      "",
      "# HELP z A gauge.",
      "# TYPE z gauge",
      "z 1",
      "",
    ].join("\n"),
  );
  assertEquals(r.render().includes("z 2"), true, "gauges are read at each scrape");
});
