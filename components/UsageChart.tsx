/**
 * A time-series chart of one metric per model, drawn with uPlot (loaded on first use, so pages without a
 * chart never fetch it). The server renders the empty frame; the browser draws into it.
 */
import { useEffect, useRef } from "preact/hooks";

const PALETTE = ["#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16"];

export interface UsageChartProps {
  title: string;
  times: number[];
  models: string[];
  values: number[][];
  format?: (v: number) => string;
}

export function UsageChart({ title, times, models, values, format }: UsageChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let disposed = false;
    let destroy = () => {};
    import("uplot").then(({ default: UPlot }) => {
      if (disposed) return;
      const width = Math.max(280, el.clientWidth || 600);
      const chart = new UPlot(
        {
          width,
          height: 240,
          series: [
            {},
            ...models.map((name, i) => ({
              label: name,
              stroke: PALETTE[i % PALETTE.length],
              fill: PALETTE[i % PALETTE.length] + "22",
              width: 2,
              value: (_u: unknown, v: number | null) => v == null ? "—" : format ? format(v) : String(v),
            })),
          ],
          axes: [{ stroke: "currentColor" }, {
            stroke: "currentColor",
            values: (_u: unknown, ticks: number[]) => ticks.map((v) => format ? format(v) : String(v)),
            size: 70,
          }],
          scales: { x: { time: true } },
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
  }, [times, models, values]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-canvas" />
    </figure>
  );
}
