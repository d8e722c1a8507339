/**
 * @module
 * A simple, obviously correct in-memory storage: every sample kept raw in
 * Float64Array columns. The PromQL test runner and reference tests use it;
 * the production path is the compressed `Head`.
 */
import type { Labels } from "../labels/labels.ts";
import { compareLabels, labelsKey } from "../labels/labels.ts";
import type { Matcher } from "../labels/matcher.ts";
import { matchLabels } from "../labels/matcher.ts";
import type { Appender, AppendResult, Querier, SelectHints, SeriesData } from "./querier.ts";
import { SampleBuffer, lowerBound } from "./memory-samples.ts";
import { checkTimestamp, classifySample, countVerdict, emptyAppendResult } from "./head-append.ts";
import { BatchAppender } from "./head-appender.ts";

interface MemSeries {
  labels: Labels;
  buf: SampleBuffer;
  /** Start timestamps parallel to buf (NaN = unknown); allocated with the first known one. */
  st?: Float64Array;
}

export class MemoryStorage implements Querier {
  #series = new Map<string, MemSeries>();
  /** All series sorted by labels; rebuilt lazily after new series arrive. */
  #sorted: MemSeries[] = [];
  #sortedValid = true;

  appender(): Appender {
    return new BatchAppender((batch) => this.appendBatch(batch));
  }

  /**
   * Appends one sample with an optional start timestamp (ms, NaN = unknown);
   * returns whether it was accepted (an exact duplicate counts as accepted).
   */
  appendSeries(labels: Labels, t: number, v: number, st = NaN): boolean {
    checkTimestamp(t, `sample of ${labelsKey(labels)}`);
    const s = this.#getOrCreate(labels);
    const verdict = classifySample(s.buf.n === 0 ? -Infinity : s.buf.t[s.buf.n - 1]!, s.buf.n === 0 ? 0 : s.buf.v[s.buf.n - 1]!, t, v, -Infinity);
    if (verdict === "append") push(s, t, v, st);
    return verdict === "append" || verdict === "ignore";
  }

  /** Appends whole batches of samples, applying the rules sample by sample in order. */
  appendBatch(batch: readonly SeriesData[]): AppendResult {
    const r = emptyAppendResult();
    for (const sd of batch) {
      if (sd.t.length !== sd.v.length) throw new Error(`appendBatch: series ${labelsKey(sd.labels)} has ${sd.t.length} timestamps but ${sd.v.length} values`);
      if (sd.st !== undefined && sd.st.length !== sd.t.length) throw new Error(`appendBatch: series ${labelsKey(sd.labels)} has ${sd.t.length} timestamps but ${sd.st.length} start timestamps`);
      for (let i = 0; i < sd.t.length; i++) checkTimestamp(sd.t[i]!, "appendBatch");
      const s = this.#getOrCreate(sd.labels);
      for (let i = 0; i < sd.t.length; i++) {
        const n = s.buf.n;
        const verdict = classifySample(n === 0 ? -Infinity : s.buf.t[n - 1]!, n === 0 ? 0 : s.buf.v[n - 1]!, sd.t[i]!, sd.v[i]!, -Infinity);
        if (verdict === "append") push(s, sd.t[i]!, sd.v[i]!, sd.st === undefined ? NaN : sd.st[i]!);
        countVerdict(r, verdict);
      }
    }
    return r;
  }

  clear(): void {
    this.#series.clear();
    this.#sorted = [];
    this.#sortedValid = true;
  }

  async select(matchers: readonly Matcher[], hints: SelectHints): Promise<SeriesData[]> {
    const out: SeriesData[] = [];
    for (const s of this.#matching(matchers)) {
      const lo = lowerBound(s.buf.t, s.buf.n, hints.start);
      const hi = lowerBound(s.buf.t, s.buf.n, nextUp(hints.end));
      if (lo >= hi) continue;
      // Views, not copies: samples below n are never rewritten (appends only go past n; growing makes new arrays).
      const sd: SeriesData = { labels: s.labels, t: s.buf.t.subarray(lo, hi), v: s.buf.v.subarray(lo, hi) };
      if (s.st !== undefined) sd.st = s.st.subarray(lo, hi);
      out.push(sd);
    }
    return out;
  }

  async labelNames(matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    const names = new Set<string>();
    for (const s of this.#matching(matchers)) {
      if (hasDataIn(s, hints)) for (const l of s.labels) names.add(l.name);
    }
    return [...names].sort();
  }

  async labelValues(name: string, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    const values = new Set<string>();
    for (const s of this.#matching(matchers)) {
      if (!hasDataIn(s, hints)) continue;
      for (const l of s.labels) if (l.name === name) values.add(l.value);
    }
    return [...values].sort();
  }

  #getOrCreate(labels: Labels): MemSeries {
    const key = labelsKey(labels);
    let s = this.#series.get(key);
    if (s === undefined) {
      s = { labels, buf: new SampleBuffer() };
      this.#series.set(key, s);
      this.#sortedValid = false;
    }
    return s;
  }

  *#matching(matchers: readonly Matcher[]): Generator<MemSeries> {
    if (!this.#sortedValid) {
      this.#sorted = [...this.#series.values()].sort((a, b) => compareLabels(a.labels, b.labels));
      this.#sortedValid = true;
    }
    for (const s of this.#sorted) if (matchLabels(matchers, s.labels)) yield s;
  }
}

/** Appends a sample and its start timestamp; the st column exists once any start timestamp is known. */
function push(s: MemSeries, t: number, v: number, st: number): void {
  const i = s.buf.n;
  s.buf.push(t, v);
  if (s.st === undefined && st !== st) return;
  // Keep st at least as long as buf, with NaN for samples whose start is unknown.
  if (s.st === undefined || s.st.length <= i) {
    const grown = new Float64Array(s.buf.t.length).fill(NaN);
    if (s.st !== undefined) grown.set(s.st);
    s.st = grown;
  }
  s.st[i] = st;
}

function hasDataIn(s: MemSeries, hints: SelectHints): boolean {
  const i = lowerBound(s.buf.t, s.buf.n, hints.start);
  return i < s.buf.n && s.buf.t[i]! <= hints.end;
}

/** The smallest timestamp after an inclusive end (timestamps are integers). */
function nextUp(end: number): number {
  return Math.floor(end) + 1;
}
