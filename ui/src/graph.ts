/**
 * @module
 * Range-query graphs with uPlot: one line per series (or stacked areas),
 * a legend with each series' labels and the hovered values, and drag to
 * zoom (the panel re-queries the selected span).
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { alignMatrix, seriesName, stackColumns } from "./lib/series.ts";
import type { MatrixSeries } from "./lib/series.ts";
import { palette } from "./theme.ts";

export interface GraphInput {
  series: MatrixSeries[];
  startS: number;
  endS: number;
  stepS: number;
  stacked: boolean;
  /** Called with the dragged span (seconds) to zoom into. */
  onZoom: (startS: number, endS: number) => void;
}

function fmtValue(v: number | null): string {
  if (v === null || v === undefined) return "–";
  return Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(6));
}

export function drawGraph(el: HTMLElement, g: GraphInput): () => void {
  const p = palette();
  const aligned = alignMatrix(g.series, g.startS, g.endS, g.stepS);
  const raw = aligned.columns;
  const drawn = g.stacked ? stackColumns(raw) : raw;
  const series: uPlot.Series[] = [
    { label: "Time", value: (_u, v) => (v === null ? "–" : new Date(v * 1000).toISOString().replace("T", " ").slice(0, 19)) },
    ...g.series.map((s, i): uPlot.Series => {
      const color = p.series[i % p.series.length]!;
      return {
        label: seriesName(s.metric),
        stroke: color,
        width: 1.5,
        fill: g.stacked ? color + "55" : undefined,
        // The legend shows the series' own value, not the stacked sum.
        value: (_u, _v, _si, idx) => fmtValue(idx === null ? null : raw[i]![idx] ?? null),
        points: { show: false },
        spanGaps: false,
      };
    }),
  ];
  // Stacked areas fill down to the series below.
  const bands: uPlot.Band[] = g.stacked ? drawn.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] })) : [];
  const axis = { stroke: p.fg, grid: { stroke: p.border + "55" }, ticks: { stroke: p.border } };
  const opts: uPlot.Options = {
    width: Math.max(300, el.clientWidth || 800),
    height: 320,
    series,
    bands,
    axes: [axis, { ...axis, size: 70 }],
    scales: { x: { time: true, min: g.startS, max: g.endS } },
    cursor: { drag: { x: true, y: false, setScale: false } },
    legend: { live: true },
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 2) return;
          const a = u.posToVal(u.select.left, "x");
          const b = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          g.onZoom(a, b);
        },
      ],
    },
  };
  const plot = new uPlot(opts, [aligned.times, ...drawn] as uPlot.AlignedData, el);
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height: 320 }));
  resize.observe(el);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}
