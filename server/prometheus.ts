/**
 * The Prometheus text exposition format (0.0.4) for the few metric kinds the gateway exports: counters,
 * gauges read at scrape time, and histograms with fixed buckets, all with labels. Written here because
 * npm `prom-client` (the usual choice) makes `deno compile` of Deno 2.9 overflow its stack
 * (denoland/deno#36746), and the single binary comes first; what it needed of the library is this much.
 */

type Labels = Record<string, string>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(names: readonly string[], values: Labels, extra = ""): string {
  const parts = names.map((n) => `${n}="${escapeLabel(values[n] ?? "")}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return Number.isNaN(v) ? "NaN" : String(v);
}

interface Metric {
  render(): string;
}

abstract class Labelled<T> implements Metric {
  protected readonly series = new Map<string, { labels: Labels; value: T }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: string,
    readonly labelNames: readonly string[],
  ) {}

  protected entry(labels: Labels, init: () => T): { labels: Labels; value: T } {
    const key = this.labelNames.map((n) => labels[n] ?? "").join("\u0000");
    let e = this.series.get(key);
    if (!e) this.series.set(key, e = { labels: { ...labels }, value: init() });
    return e;
  }

  protected header(): string {
    return `# HELP ${this.name} ${
      this.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")
    }\n# TYPE ${this.name} ${this.type}\n`;
  }

  abstract render(): string;
}

export class Counter extends Labelled<number> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, "counter", labelNames);
  }
  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels, () => 0).value += by;
  }
  render(): string {
    let out = this.header();
    for (const { labels, value } of this.series.values()) {
      out += `${this.name}${labelText(this.labelNames, labels)} ${num(value)}\n`;
    }
    return out;
  }
}

/** A gauge whose samples `collect` sets just before each scrape. */
export class Gauge extends Labelled<number> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly collect: (g: Gauge) => void,
  ) {
    super(name, help, "gauge", labelNames);
  }
  set(labels: Labels, value: number): void {
    this.entry(labels, () => 0).value = value;
  }
  reset(): void {
    this.series.clear();
  }
  render(): string {
    this.collect(this);
    let out = this.header();
    for (const { labels, value } of this.series.values()) {
      out += `${this.name}${labelText(this.labelNames, labels)} ${num(value)}\n`;
    }
    return out;
  }
}

interface HistogramValue {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Labelled<HistogramValue> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, "histogram", labelNames);
  }
  observe(labels: Labels, v: number): void {
    const h = this.entry(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) h.counts[i]++;
    h.sum += v;
    h.count++;
  }
  render(): string {
    let out = this.header();
    for (const { labels, value } of this.series.values()) {
      this.buckets.forEach((b, i) => {
        out += `${this.name}_bucket${labelText(this.labelNames, labels, `le="${num(b)}"`)} ${
          value.counts[i]
        }\n`;
      });
      out += `${this.name}_bucket${labelText(this.labelNames, labels, 'le="+Inf"')} ${value.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, labels)} ${num(value.sum)}\n`;
      out += `${this.name}_count${labelText(this.labelNames, labels)} ${value.count}\n`;
    }
    return out;
  }
}

export class Registry {
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  readonly #metrics: Metric[] = [];
  register<M extends Metric>(m: M): M {
    this.#metrics.push(m);
    return m;
  }
  render(): string {
    return this.#metrics.map((m) => m.render()).join("\n");
  }
}
