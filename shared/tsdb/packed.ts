/**
 * @module
 * Series sets packed for a trip across an RPC boundary (structured clone):
 * one timestamp and one value column for every sample of every set, label
 * strings in one flat array, and offsets. Cloning a few large arrays costs far
 * less than cloning one object per label and two arrays per series. Unpacking
 * gives views into the columns, no copies.
 */
import type { Label, Labels } from "../labels/labels.ts";
import type { SeriesData } from "./querier.ts";

export interface PackedSeriesSets {
  /** Series per set. */
  seriesPerSet: Uint32Array;
  /** Labels per series. */
  labelsPerSeries: Uint16Array;
  /** name, value, name, value... for every series in order. */
  strings: string[];
  /** Samples per series. */
  samplesPerSeries: Uint32Array;
  t: Float64Array;
  v: Float64Array;
}

export function packSeriesSets(sets: readonly (readonly SeriesData[])[]): PackedSeriesSets {
  let series = 0;
  let samples = 0;
  for (const set of sets) {
    series += set.length;
    for (const s of set) samples += s.t.length;
  }
  const out: PackedSeriesSets = {
    seriesPerSet: new Uint32Array(sets.length),
    labelsPerSeries: new Uint16Array(series),
    strings: [],
    samplesPerSeries: new Uint32Array(series),
    t: new Float64Array(samples),
    v: new Float64Array(samples),
  };
  let k = 0;
  let off = 0;
  sets.forEach((set, i) => {
    out.seriesPerSet[i] = set.length;
    for (const s of set) {
      if (s.labels.length > 0xffff) throw new Error(`series with ${s.labels.length} labels cannot be packed`);
      out.labelsPerSeries[k] = s.labels.length;
      for (const l of s.labels) out.strings.push(l.name, l.value);
      out.samplesPerSeries[k++] = s.t.length;
      out.t.set(s.t, off);
      out.v.set(s.v, off);
      off += s.t.length;
    }
  });
  return out;
}

export function unpackSeriesSets(p: PackedSeriesSets): SeriesData[][] {
  const sets: SeriesData[][] = [];
  let k = 0;
  let str = 0;
  let off = 0;
  for (let i = 0; i < p.seriesPerSet.length; i++) {
    const set: SeriesData[] = new Array(p.seriesPerSet[i]!);
    for (let j = 0; j < set.length; j++, k++) {
      const nl = p.labelsPerSeries[k]!;
      const labels: Label[] = new Array(nl);
      for (let l = 0; l < nl; l++, str += 2) labels[l] = { name: p.strings[str]!, value: p.strings[str + 1]! };
      const n = p.samplesPerSeries[k]!;
      set[j] = { labels: labels as Labels, t: p.t.subarray(off, off + n), v: p.v.subarray(off, off + n) };
      off += n;
    }
    sets.push(set);
  }
  return sets;
}
