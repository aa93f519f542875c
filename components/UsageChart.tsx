/**
 * A time-series chart of one metric per model, drawn with uPlot (loaded on first use, so pages without a
 * chart never fetch it). The server renders the frame and a fixed legend (model and total); the browser
 * draws into it, with axes in the page's language, the y axis as wide as its widest label, and a tooltip
 * that floats over the plot on hover (so nothing below it moves).
 */
import { useEffect, useRef } from "preact/hooks";

const PALETTE = ["#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16"];
/** uPlot's default axis font; the y axis is sized by measuring its labels in it. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif';
/** Tick steps for counts: whole numbers only (no "0.5 requests"). */
const WHOLE_STEPS = [1, 2, 5].flatMap((m) => Array.from({ length: 10 }, (_, e) => m * 10 ** e))
  .sort((a, b) => a - b);

export interface UsageChartProps {
  title: string;
  times: number[];
  models: string[];
  values: number[][];
  lang: string;
  /** Bucket width in seconds: hourly buckets label the x axis with times, daily ones with dates. */
  bucket: number;
  /** "Time" in the page's language, for the tooltip. */
  timeLabel: string;
  /** A value in the legend and tooltip. */
  format: (v: number) => string;
  /** The y axis' labels, all at once (so they share decimals). */
  ticks: (values: number[]) => string[];
  /** Whole-number ticks only (counts). */
  whole?: boolean;
}

export function UsageChart(props: UsageChartProps) {
  const { title, times, models, values, lang, bucket, timeLabel, format, ticks, whole } = props;
  const box = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let disposed = false;
    let destroy = () => {};
    const axisTime = new Intl.DateTimeFormat(
      lang,
      bucket < 86400 ? { hour: "2-digit", minute: "2-digit" } : { month: "short", day: "numeric" },
    );
    const tipTime = new Intl.DateTimeFormat(
      lang,
      bucket < 86400 ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" },
    );
    const measure = document.createElement("canvas").getContext("2d");
    import("uplot").then(({ default: UPlot }) => {
      if (disposed) return;
      const width = Math.max(280, el.clientWidth || 600);
      const chart = new UPlot(
        {
          width,
          height: 240,
          legend: { show: false },
          series: [
            {},
            ...models.map((name, i) => ({
              label: name,
              stroke: PALETTE[i % PALETTE.length],
              fill: PALETTE[i % PALETTE.length] + "22",
              width: 2,
            })),
          ],
          axes: [{
            stroke: "currentColor",
            font: AXIS_FONT,
            values: (_u: unknown, vs: number[]) => {
              const labels = vs.map((v) => axisTime.format(new Date(v * 1000)));
              el.dataset.xTicks = labels.join("|");
              return labels;
            },
          }, {
            stroke: "currentColor",
            font: AXIS_FONT,
            ...(whole ? { incrs: WHOLE_STEPS } : {}),
            values: (_u: unknown, vs: number[]) => {
              const labels = ticks(vs);
              el.dataset.yTicks = labels.join("|");
              return labels;
            },
            size: (_u: unknown, labels: string[] | null) => {
              if (!measure || !labels) return 50;
              measure.font = AXIS_FONT;
              const widest = Math.max(0, ...labels.map((l) => measure.measureText(l).width));
              // ticks (10) + gap (5) + the label + a margin, so the first character is never cut.
              const size = Math.ceil(widest) + 24;
              el.dataset.ySize = String(size);
              return size;
            },
          }],
          scales: {
            x: { time: true },
            ...(whole ? { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } } : {}),
          },
          hooks: {
            setCursor: [(u) => {
              const node = tip.current;
              const i = u.cursor.idx;
              if (!node) return;
              if (i == null || u.cursor.left == null || u.cursor.left < 0) {
                node.hidden = true;
                return;
              }
              node.replaceChildren();
              const head = document.createElement("div");
              head.className = "chart-tip-time";
              head.textContent = `${timeLabel}: ${tipTime.format(new Date(times[i] * 1000))}`;
              node.append(head);
              models.forEach((name, m) => {
                const line = document.createElement("div");
                const dot = document.createElement("span");
                dot.className = "swatch";
                dot.style.background = PALETTE[m % PALETTE.length];
                line.append(dot, `${name}: ${format(values[m][i] ?? 0)}`);
                node.append(line);
              });
              node.hidden = false;
              const left = u.cursor.left + u.over.offsetLeft;
              const flip = left > el.clientWidth / 2;
              node.style.left = flip ? "" : `${left + 12}px`;
              node.style.right = flip ? `${el.clientWidth - left + 12}px` : "";
            }],
          },
        },
        [times, ...values],
        el,
      );
      const onResize = () => chart.setSize({ width: Math.max(280, el.clientWidth), height: 240 });
      addEventListener("resize", onResize);
      destroy = () => {
        removeEventListener("resize", onResize);
        chart.destroy();
      };
      el.dataset.drawn = "";
    }).catch((err) => console.error("chart failed", err));
    return () => {
      disposed = true;
      destroy();
    };
  }, [times, models, values, lang]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div class="chart-body">
        <div ref={box} class="chart-canvas" />
        <div ref={tip} class="chart-tip" role="tooltip" hidden />
      </div>
      <ul class="chart-legend">
        {models.map((name, m) => (
          <li key={name}>
            <span class="swatch" style={{ background: PALETTE[m % PALETTE.length] }} />
            <span class="chart-legend-name">{name}</span>
            <span class="chart-legend-total">{format(values[m].reduce((a, b) => a + b, 0))}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
