/**
 * @module
 * Merging series sets from several sources (head shards, blocks): label sets
 * sorted, and series that appear in more than one source combined by time,
 * the first source winning on equal timestamps (as Prometheus's merge querier
 * deduplicates).
 */
import { compareLabels } from "../labels/labels.ts";
import type { SeriesData, Querier, SelectHints, SelectRequest } from "./querier.ts";
import type { Matcher } from "../labels/matcher.ts";

export function mergeSamples(a: SeriesData, b: SeriesData): SeriesData {
  const n = a.t.length + b.t.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.t.length || j < b.t.length) {
    if (j >= b.t.length || (i < a.t.length && a.t[i]! <= b.t[j]!)) {
      if (j < b.t.length && a.t[i] === b.t[j]) j++;
      t[k] = a.t[i]!;
      v[k++] = a.v[i++]!;
    } else {
      t[k] = b.t[j]!;
      v[k++] = b.v[j++]!;
    }
  }
  return { labels: a.labels, t: t.subarray(0, k), v: v.subarray(0, k) };
}

/** Merges series sets that are each sorted by labels into one sorted set. */
export function mergeSeriesSets(sets: readonly SeriesData[][]): SeriesData[] {
  const nonEmpty = sets.filter((s) => s.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const all = nonEmpty.flat();
  // A stable sort keeps source order among equal label sets, so earlier sources win.
  all.sort((x, y) => compareLabels(x.labels, y.labels));
  const out: SeriesData[] = [];
  for (const s of all) {
    const last = out[out.length - 1];
    if (last && compareLabels(last.labels, s.labels) === 0) out[out.length - 1] = mergeSamples(last, s);
    else out.push(s);
  }
  return out;
}

export function mergeStrings(lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** A Querier over several others, e.g. every head shard plus the blocks. */
export class MergeQuerier implements Querier {
  readonly #queriers: readonly Querier[];

  constructor(queriers: readonly Querier[]) {
    this.#queriers = queriers;
  }

  async select(matchers: readonly Matcher[], hints: SelectHints): Promise<SeriesData[]> {
    return mergeSeriesSets(await Promise.all(this.#queriers.map((q) => q.select(matchers, hints))));
  }

  async selectMany(requests: readonly SelectRequest[]): Promise<SeriesData[][]> {
    const parts = await Promise.all(this.#queriers.map((q) => selectMany(q, requests)));
    return requests.map((_, i) => mergeSeriesSets(parts.map((p) => p[i]!)));
  }

  async labelNames(matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    return mergeStrings(await Promise.all(this.#queriers.map((q) => q.labelNames(matchers, hints))));
  }

  async labelValues(name: string, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    return mergeStrings(await Promise.all(this.#queriers.map((q) => q.labelValues(name, matchers, hints))));
  }
}

/** q.selectMany when it has one, else one select per request. */
export function selectMany(q: Querier, requests: readonly SelectRequest[]): Promise<SeriesData[][]> {
  if (q.selectMany !== undefined) return q.selectMany(requests);
  return Promise.all(requests.map((r) => q.select(r.matchers, r.hints)));
}
