/**
 * @module
 * The storage contracts every reader and writer shares: the PromQL engine
 * sees only `Querier`; scrapers and ingest endpoints see only `Appender`.
 */
import type { Labels } from "../labels/labels.ts";
import type { Matcher } from "../labels/matcher.ts";

/** One sample: timestamp in milliseconds since the epoch, float value. */
export interface Sample {
  t: number;
  v: number;
}

/** A series with its samples in time order, held column-wise. */
export interface SeriesData {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  /**
   * Start timestamp of each sample (ms; NaN = unknown), when the source knows
   * them: the time the counter began counting (OpenMetrics `_created`, OTel
   * start time). PromQL uses it to detect counter resets. Optional: only
   * MemoryStorage keeps it so far; Head, blocks, WAL and RPC drop it.
   */
  st?: Float64Array;
}

/** What the caller will do with the data; lets implementations prune work. */
export interface SelectHints {
  /** Inclusive start, ms. */
  start: number;
  /** Inclusive end, ms. */
  end: number;
  /**
   * Refuse (SampleLimitError) rather than return more samples than this: a
   * query must not outgrow its isolate's memory.
   */
  maxSamples?: number;
}

/** What a storage throws when a selection would exceed SelectHints.maxSamples. */
export class SampleLimitError extends Error {
  static readonly PREFIX = "selection exceeds the sample limit";
  constructor(limit: number) {
    super(`${SampleLimitError.PREFIX} of ${limit}`);
    this.name = "SampleLimitError";
  }

  /** Also recognises one that crossed an RPC boundary (only the message survives). */
  static is(e: unknown): boolean {
    return e instanceof Error && e.message.startsWith(SampleLimitError.PREFIX);
  }
}

/** One selection of a batch: matchers and the time range to read. */
export interface SelectRequest {
  matchers: readonly Matcher[];
  hints: SelectHints;
}

export interface Querier {
  /** Series matching all matchers with their samples in [start, end], sorted by labels. */
  select(matchers: readonly Matcher[], hints: SelectHints): Promise<SeriesData[]>;
  /**
   * Several selections at once, answered in request order: storages behind a
   * network (head shards, R2) answer a whole query in one round trip.
   */
  selectMany?(requests: readonly SelectRequest[]): Promise<SeriesData[][]>;
  /** Label names of series matching the matchers (all series when none) with data in [start, end]. */
  labelNames(matchers: readonly Matcher[], hints: SelectHints): Promise<string[]>;
  /** Values of one label over series matching the matchers with data in [start, end]. */
  labelValues(name: string, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]>;
}

/** Result of an append batch: what was stored and what was refused, and why. */
export interface AppendResult {
  accepted: number;
  outOfOrder: number;
  duplicate: number;
  tooOld: number;
}

export interface Appender {
  append(labels: Labels, t: number, v: number): void;
  commit(): Promise<AppendResult>;
}

/** Staleness marker: the NaN with bit pattern 0x7ff0000000000002. */
export const STALE_NAN: number = (() => {
  const b = new DataView(new ArrayBuffer(8));
  b.setUint32(0, 0x7ff00000);
  b.setUint32(4, 0x00000002);
  return b.getFloat64(0);
})();

const bits = new DataView(new ArrayBuffer(8));

export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  bits.setFloat64(0, v);
  // The marker is a signaling NaN; V8's optimized code may quiet it (set bit 51) on the way.
  return (bits.getUint32(0) & ~0x00080000) === 0x7ff00000 && bits.getUint32(4) === 0x00000002;
}
