/**
 * @module
 * Turns a range query's matrix into uPlot's column data: one shared time
 * axis (the query's step grid) and one value column per series, with null
 * where a series has no point; stacking adds the columns up.
 */

export interface MatrixSeries {
  metric: Record<string, string>;
  values?: [number, string][];
}

export interface Aligned {
  /** Unix seconds, one per step from start to end. */
  times: number[];
  columns: (number | null)[][];
}

/** The series' label set as Prometheus prints it: `name{a="b", c="d"}`. */
export function seriesName(metric: Record<string, string>): string {
  const { __name__: name = "", ...rest } = metric;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return pairs.length === 0 && name !== "" ? name : `${name}{${pairs.join(", ")}}`;
}

/** Aligns every series onto the grid start, start+step, …, end (seconds). */
export function alignMatrix(series: readonly MatrixSeries[], startS: number, endS: number, stepS: number): Aligned {
  const times: number[] = [];
  // Integer step counts avoid floating drift on long ranges.
  const n = Math.floor((endS - startS) / stepS + 1e-9);
  for (let i = 0; i <= n; i++) times.push(startS + i * stepS);
  const columns = series.map((s) => {
    const col: (number | null)[] = new Array(times.length).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((t - startS) / stepS);
      if (i >= 0 && i < col.length) {
        const f = parseFloat(v);
        col[i] = Number.isFinite(f) ? f : null;
      }
    }
    return col;
  });
  return { times, columns };
}

/** Cumulative sums for a stacked graph: column i is the sum of columns 0..i (a gap stays a gap). */
export function stackColumns(columns: readonly (number | null)[][]): (number | null)[][] {
  const out: (number | null)[][] = [];
  let acc: number[] = [];
  columns.forEach((col, i) => {
    const next = col.map((v, j) => (v === null ? null : v + (i === 0 ? 0 : acc[j] ?? 0)));
    acc = col.map((v, j) => (v ?? 0) + (i === 0 ? 0 : acc[j] ?? 0));
    out.push(next);
  });
  return out;
}
