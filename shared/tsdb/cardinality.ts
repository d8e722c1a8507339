/**
 * @module
 * The head's cardinality statistics, as Prometheus's `/api/v1/status/tsdb`
 * reports them: per shard a summary of its series (series are disjoint
 * between shards, label values are not), merged into the top-`limit` lists.
 */
import type { Labels } from "../labels/labels.ts";

export interface ShardCardinality {
  numSeries: number;
  /** [metric name, series]. */
  byMetric: [string, number][];
  /** [`name=value`, series]. */
  byPair: [string, number][];
  /** [label name, distinct values]. */
  valuesByName: [string, string[]][];
}

export interface NameValue {
  name: string;
  value: number;
}

export interface TsdbCardinality {
  seriesCountByMetricName: NameValue[];
  labelValueCountByLabelName: NameValue[];
  memoryInBytesByLabelName: NameValue[];
  seriesCountByLabelValuePair: NameValue[];
}

export function summarizeSeries(series: Iterable<Labels>): ShardCardinality {
  const byMetric = new Map<string, number>();
  const byPair = new Map<string, number>();
  const values = new Map<string, Set<string>>();
  let n = 0;
  for (const ls of series) {
    n++;
    for (const l of ls) {
      if (l.name === "__name__") byMetric.set(l.value, (byMetric.get(l.value) ?? 0) + 1);
      const pair = `${l.name}=${l.value}`;
      byPair.set(pair, (byPair.get(pair) ?? 0) + 1);
      let vs = values.get(l.name);
      if (!vs) values.set(l.name, (vs = new Set()));
      vs.add(l.value);
    }
  }
  return { numSeries: n, byMetric: [...byMetric], byPair: [...byPair], valuesByName: [...values].map(([k, v]) => [k, [...v]]) };
}

/** Largest first; ties by name, so the answer is stable. */
function top(m: Map<string, number>, limit: number): NameValue[] {
  return [...m]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([name, value]) => ({ name, value }));
}

export function mergeCardinality(shards: readonly ShardCardinality[], limit: number): TsdbCardinality {
  const byMetric = new Map<string, number>();
  const byPair = new Map<string, number>();
  const values = new Map<string, Set<string>>();
  for (const s of shards) {
    for (const [k, v] of s.byMetric) byMetric.set(k, (byMetric.get(k) ?? 0) + v);
    for (const [k, v] of s.byPair) byPair.set(k, (byPair.get(k) ?? 0) + v);
    for (const [k, vs] of s.valuesByName) {
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      for (const v of vs) set.add(v);
    }
  }
  const enc = new TextEncoder();
  const count = new Map<string, number>();
  const bytes = new Map<string, number>();
  for (const [k, set] of values) {
    count.set(k, set.size);
    let b = 0;
    for (const v of set) b += enc.encode(v).length;
    bytes.set(k, b);
  }
  return {
    seriesCountByMetricName: top(byMetric, limit),
    labelValueCountByLabelName: top(count, limit),
    memoryInBytesByLabelName: top(bytes, limit),
    seriesCountByLabelValuePair: top(byPair, limit),
  };
}
