/**
 * @module
 * The in-memory head of one shard: series with XOR-compressed chunks, a
 * postings index for matcher selection, Prometheus's append and chunk-cut
 * rules, and the hooks the Durable Object needs to checkpoint, restore and
 * cut blocks.
 */
import type { Label, Labels } from "../labels/labels.ts";
import { compareLabels, labelsToString } from "../labels/labels.ts";
import type { Matcher } from "../labels/matcher.ts";
import { XorAppender, XorIterator } from "../chunkenc/xor.ts";
import { BytePool } from "../chunkenc/byte-pool.ts";
import type { Appender, AppendResult, Querier, SelectHints, SeriesData } from "./querier.ts";
import { SampleLimitError } from "./querier.ts";
import { checkTimestamp, classifySample, countVerdict, emptyAppendResult } from "./head-append.ts";
import { BatchAppender } from "./head-appender.ts";
import {
  DEFAULT_CHUNK_RANGE,
  DEFAULT_SAMPLES_PER_CHUNK,
  MAX_BYTES_BEFORE_CUT,
  computeChunkEndTime,
  rangeForTimestamp,
} from "./head-chunk-cut.ts";
import { PostingList, intersect, subtract, union } from "./postings.ts";
import { ChunkArena } from "./head-arena.ts";
import { SampleBuffer } from "./memory-samples.ts";
import type { ChunkStore } from "./head-stored.ts";
import { chunkFileBytes } from "./block/chunk-file.ts";

/** An encoded XOR chunk with its time bounds (both inclusive). */
export interface HeadChunk {
  minT: number;
  maxT: number;
  bytes: Uint8Array;
  /**
   * For restoreSeries: a closed chunk durable in the head's ChunkStore at
   * `loc` (its bytes may then be left empty: they are not kept in memory).
   */
  stored?: { loc: number; length: number; samples: number };
}

/** A closed chunk the caller has made durable (see Head.markStored). */
export interface StoredChunk {
  ref: number;
  minT: number;
  loc: number;
}

export interface HeadOptions {
  /** Target samples per chunk (Prometheus's DefaultSamplesPerChunk, 120). */
  samplesPerChunk?: number;
  /** Chunks never cross a multiple of this (ms); the block range, 2 h by default. */
  chunkRange?: number;
}

export interface HeadStats {
  numSeries: number;
  numChunks: number;
  numSamples: number;
  /** Earliest and latest sample timestamps; NaN when the head is empty. */
  minTime: number;
  maxTime: number;
  /** Closed chunks whose bytes are in the ChunkStore, not in memory (counted in numChunks too). */
  storedChunks: number;
  /** A rough estimate of the heap the head holds (stored chunks' bytes are not in it). */
  approxBytes: number;
}

export interface DirtySeries {
  ref: number;
  labels: Labels;
  /** Closed chunks then the open one, in time order. */
  chunks: HeadChunk[];
}

/** Stored chunks read for one call, consumed in order. */
interface StoredCursor {
  bytes: Uint8Array[];
  i: number;
}

interface Posting {
  /** Unique for the head's lifetime; series keys are made of these. */
  id: number;
  /** The one shared Label object for this name/value pair (label interning). */
  label: Label;
  list: PostingList;
}

/**
 * Closed chunks are kept flat as [minT, maxT, location, size] per chunk. A
 * location >= 0 is in the arena; below 0 the chunk is in the ChunkStore at
 * -1 - location. Size packs the byte length and the sample count, so stats
 * need not read the chunk.
 */
const META = 4;
const COUNT_UNIT = 2 ** 32;
const lenOf = (size: number) => size % COUNT_UNIT;
const countOf = (size: number) => Math.floor(size / COUNT_UNIT);
const packSize = (len: number, count: number) => count * COUNT_UNIT + len;
/** Shared by series without closed chunks; never written to. */
const NO_CHUNKS: number[] = [];

class HeadSeries {
  readonly ref: number;
  /** The series' key in the head's lookup map (see Head.#key). */
  readonly key: string;
  readonly labels: Labels;
  /** Closed chunks in time order, META numbers each (a packed double array: no per-chunk objects). */
  chunks: number[] = NO_CHUNKS;
  /** The open chunk; empty only between the series' creation and its first sample. */
  app: XorAppender;
  /** Cut the open chunk at or after this timestamp. */
  nextAt = 0;
  /** Position in label order among all series (see Head.#ensureRanks); only the order matters. */
  rank = 0;

  constructor(ref: number, key: string, labels: Labels, app: XorAppender) {
    this.ref = ref;
    this.key = key;
    this.labels = labels;
    this.app = app;
  }

  // The last sample lives in the open chunk; no copies of it here keep the series small.
  get lastT(): number {
    return this.app.numSamples > 0 ? this.app.maxTime : -Infinity;
  }

  get lastV(): number {
    return this.app.lastValue;
  }

  get minT(): number {
    if (this.chunks.length > 0) return this.chunks[0]!;
    return this.app.numSamples > 0 ? this.app.minTime : Infinity;
  }
}

export class Head implements Querier {
  readonly samplesPerChunk: number;
  readonly chunkRange: number;
  /** Samples older than this are refused as too old (set after a block flush). */
  minValidTime = -Infinity;
  /** Samples newer than this are refused as out of bounds (the wall clock plus a grace, set by the caller). */
  maxValidTime = Infinity;
  /** Where chunks passed to markStored (or restored with a location) are read back from. */
  store: ChunkStore | undefined;

  #nextRef = 1;
  #byRef = new Map<number, HeadSeries>();
  /** Series by key: the ids of its label pairs' postings, one or two chars each. */
  #byKey = new Map<string, HeadSeries>();
  #nextPostingId = 0;
  /** Scratch for building keys. */
  #codes: number[] = [];
  #postings = new Map<string, Map<string, Posting>>();
  #all = new PostingList(1024);
  #dirty = new Set<HeadSeries>();
  #arena = new ChunkArena();
  /** Buffers of the open chunks, shared pages rather than a typed array each. */
  #pool = new BytePool();
  /** Bytes of closed chunks still referenced, to know when compacting the arena pays. */
  #liveChunkBytes = 0;
  #minTime = Infinity;
  #maxTime = -Infinity;
  /** All series in label order, except those created since the last #ensureRanks(). */
  #inOrder: HeadSeries[] = [];
  #unordered: HeadSeries[] = [];

  constructor(opts: HeadOptions = {}) {
    this.samplesPerChunk = opts.samplesPerChunk ?? DEFAULT_SAMPLES_PER_CHUNK;
    this.chunkRange = opts.chunkRange ?? DEFAULT_CHUNK_RANGE;
    if (!Number.isInteger(this.samplesPerChunk) || this.samplesPerChunk < 1) {
      throw new Error(`Head: samplesPerChunk must be a positive integer, got ${this.samplesPerChunk}`);
    }
    if (!Number.isSafeInteger(this.chunkRange) || this.chunkRange < 1) {
      throw new Error(`Head: chunkRange must be a positive integer of ms, got ${this.chunkRange}`);
    }
  }

  appender(): Appender {
    return new BatchAppender((batch) => this.appendBatch(batch));
  }

  /**
   * Appends samples series by series with Prometheus's rules. The whole batch
   * is validated first, so a malformed batch throws without storing anything.
   */
  appendBatch(batch: readonly SeriesData[]): AppendResult {
    for (const sd of batch) validateSeriesData(sd);
    const r = emptyAppendResult();
    const minValid = this.minValidTime;
    const maxValid = this.maxValidTime;
    for (const sd of batch) {
      let s = this.#byKey.get(this.#key(sd.labels, false) ?? "");
      let appended = false;
      for (let i = 0; i < sd.t.length; i++) {
        const t = sd.t[i]!;
        if (s === undefined) {
          // Create series only for a sample that will be stored.
          if (t < minValid || t > maxValid) {
            r.tooOld++;
            continue;
          }
          s = this.#create(sd.labels);
        }
        // The common case, newer than the last sample, needs no look at the last value.
        const lastT = s.lastT;
        const verdict = t > lastT && t >= minValid && t <= maxValid ? "append" : classifySample(lastT, s.lastV, t, sd.v[i]!, minValid, maxValid);
        if (verdict === "append") {
          this.#appendSample(s, t, sd.v[i]!);
          appended = true;
        }
        countVerdict(r, verdict);
      }
      if (appended) {
        this.#dirty.add(s!);
        if (s!.lastT > this.#maxTime) this.#maxTime = s!.lastT;
        if (s!.minT < this.#minTime) this.#minTime = s!.minT;
      }
    }
    return r;
  }

  async select(matchers: readonly Matcher[], hints: SelectHints): Promise<SeriesData[]> {
    // One buffer for the whole result, viewed per series: two small typed arrays per series would cost more than the decoding.
    const buf = new SampleBuffer(1024);
    const found: HeadSeries[] = [];
    const ends: number[] = [];
    const limit = hints.maxSamples ?? Infinity;
    const matching = this.#matching(matchers, hints);
    // Stored chunks are read in one batch for the whole selection, then consumed in order.
    const stored = this.#readStored(matching, (minT, maxT) => maxT >= hints.start && minT <= hints.end);
    for (const s of matching) {
      decodeInto(s, this.#arena, hints.start, hints.end, buf, stored);
      if (buf.n > limit) throw new SampleLimitError(limit);
      if (buf.n > (ends[ends.length - 1] ?? 0)) {
        found.push(s);
        ends.push(buf.n);
      }
    }
    // Trimmed to size: a structured clone (RPC) sends the shared buffer once, slack included.
    const t = buf.t.slice(0, buf.n);
    const v = buf.v.slice(0, buf.n);
    const out: SeriesData[] = new Array(found.length);
    for (let i = 0; i < found.length; i++) {
      const from = i === 0 ? 0 : ends[i - 1]!;
      out[i] = { labels: found[i]!.labels, t: t.subarray(from, ends[i]), v: v.subarray(from, ends[i]) };
    }
    return out;
  }

  async labelNames(matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    if (matchers.length === 0 && this.#covers(hints)) return [...this.#postings.keys()].sort();
    const names = new Set<string>();
    const matching = this.#matching(matchers, hints);
    const stored = this.#readStraddling(matching, hints.start, hints.end);
    for (const s of matching) {
      if (this.#hasDataIn(s, hints.start, hints.end, stored)) for (const l of s.labels) names.add(l.name);
    }
    return [...names].sort();
  }

  async labelValues(name: string, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    if (matchers.length === 0 && this.#covers(hints)) return [...(this.#postings.get(name)?.keys() ?? [])].sort();
    const values = new Set<string>();
    const matching = this.#matching(matchers, hints);
    const stored = this.#readStraddling(matching, hints.start, hints.end);
    for (const s of matching) {
      if (!this.#hasDataIn(s, hints.start, hints.end, stored)) continue;
      for (const l of s.labels) if (l.name === name) values.add(l.value);
    }
    return [...values].sort();
  }

  /**
   * Series changed since the last markClean(), with their chunks not yet
   * stored (see markStored), the open one last; all copies.
   */
  dirtySeries(): DirtySeries[] {
    const out: DirtySeries[] = [];
    for (const s of this.#dirty) out.push({ ref: s.ref, labels: s.labels, chunks: this.#chunksOf(s, -Infinity, Infinity, false) });
    return out;
  }

  /**
   * The caller has made these closed chunks durable in the ChunkStore: their
   * bytes leave memory and are read back from there when needed. Chunks no
   * longer in the head (or still open) are ignored.
   */
  markStored(chunks: readonly StoredChunk[]): void {
    if (this.store === undefined) throw new Error("Head.markStored: no ChunkStore set");
    for (const { ref, minT, loc } of chunks) {
      const c = this.#byRef.get(ref)?.chunks;
      if (c === undefined) continue;
      for (let i = 0; i < c.length; i += META) {
        if (c[i] !== minT) continue;
        if (c[i + 2]! >= 0) this.#liveChunkBytes -= lenOf(c[i + 3]!);
        c[i + 2] = -1 - loc;
        break;
      }
    }
    this.#compactIfSparse();
  }

  markClean(): void {
    this.#dirty.clear();
  }

  /**
   * Rebuilds a series from checkpointed chunks (time-ordered, non-overlapping).
   * The last chunk becomes the open chunk, with the cut state Prometheus
   * would have, so re-appending newer samples cuts chunks exactly as if the
   * head had never stopped. Returns the new series ref.
   */
  restoreSeries(labels: Labels, chunks: readonly HeadChunk[]): number {
    const where = `restoreSeries ${labelsToString(labels)}`;
    const problem = labelsProblem(labels);
    if (problem !== undefined) throw new Error(`${where}: ${problem}`);
    if (this.#byKey.has(this.#key(labels, false) ?? "")) throw new Error(`${where}: series is already in the head`);
    if (chunks.length === 0) throw new Error(`${where}: no chunks`);
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      if (!(c.minT <= c.maxT) || (i > 0 && c.minT <= chunks[i - 1]!.maxT)) {
        throw new Error(`${where}: chunk ${i} [${c.minT}, ${c.maxT}] is out of order or overlaps the previous one`);
      }
      const samples = c.stored !== undefined && i < chunks.length - 1 ? c.stored.samples : c.bytes.length < 2 ? 0 : (c.bytes[0]! << 8) | c.bytes[1]!;
      if (samples === 0) throw new Error(`${where}: chunk ${i} holds no samples`);
      if (c.stored !== undefined && this.store === undefined) throw new Error(`${where}: chunk ${i} is stored but no ChunkStore is set`);
    }
    const last = chunks[chunks.length - 1]!;
    let app: XorAppender;
    try {
      app = XorAppender.fromBytes(last.bytes, this.#pool);
    } catch (e) {
      throw new Error(`${where}: last chunk: ${(e as Error).message}`);
    }
    const s = this.#create(labels);
    for (let i = 0; i < chunks.length - 1; i++) {
      const c = chunks[i]!;
      if (c.stored !== undefined) {
        if (s.chunks === NO_CHUNKS) s.chunks = [];
        s.chunks.push(c.minT, c.maxT, -1 - c.stored.loc, packSize(c.stored.length, c.stored.samples));
      } else this.#addClosed(s, c.minT, c.maxT, c.bytes);
    }
    s.app.release();
    s.app = app;
    this.#replayCutState(s, last.bytes);
    if (s.minT < this.#minTime) this.#minTime = s.minT;
    if (s.lastT > this.#maxTime) this.#maxTime = s.lastT;
    return s.ref;
  }

  /**
   * Chunks lying entirely in [mint, maxt), per series sorted by labels: what a
   * block for that range is built from. The open chunk is included when it
   * lies inside, so set minValidTime >= maxt first so nothing more lands there.
   */
  chunksInRange(mint: number, maxt: number): { labels: Labels; chunks: HeadChunk[] }[] {
    return [...this.iterateChunksInRange(mint, maxt)];
  }

  /**
   * chunksInRange one series at a time, stored chunks read back a batch of
   * series at a time: a block cut then holds the block being written and one
   * batch, not every chunk of the range besides. Nothing may be appended
   * while iterating.
   */
  *iterateChunksInRange(mint: number, maxt: number, batch = 1000): Generator<{ labels: Labels; chunks: HeadChunk[] }> {
    this.#ensureRanks();
    const all = this.#inOrder;
    const wanted = (minT: number, maxT: number) => minT >= mint && maxT < maxt;
    for (let from = 0; from < all.length; from += batch) {
      const some = all.slice(from, from + batch);
      const stored = this.#readStored(some, wanted);
      for (const s of some) {
        const chunks = this.#chunksOf(s, mint, maxt, true, stored);
        if (chunks.length > 0) yield { labels: s.labels, chunks };
      }
    }
  }

  /** Bytes the chunks iterateChunksInRange(mint, maxt) hands out take in a block's chunk file, segment header included. */
  chunkFileBytesInRange(mint: number, maxt: number): number {
    let n = 8;
    for (const s of this.#byRef.values()) {
      const c = s.chunks;
      for (let i = 0; i < c.length; i += META) if (c[i]! >= mint && c[i + 1]! < maxt) n += chunkFileBytes(lenOf(c[i + 3]!));
      const a = s.app;
      if (a.numSamples > 0 && a.minTime >= mint && a.maxTime < maxt) n += chunkFileBytes(a.byteLength);
    }
    return n;
  }

  /** Every series' labels, in no particular order (cardinality statistics). */
  *seriesLabels(): IterableIterator<Labels> {
    for (const s of this.#inOrder) yield s.labels;
    for (const s of this.#unordered) yield s.labels;
  }

  /** Drops chunks whose samples all lie before t, and series left without chunks. */
  truncateBefore(t: number): void {
    const gone = new Set<number>();
    for (const s of this.#byRef.values()) {
      const c = s.chunks;
      let drop = 0;
      while (drop < c.length && c[drop + 1]! < t) {
        if (c[drop + 2]! >= 0) this.#liveChunkBytes -= lenOf(c[drop + 3]!);
        drop += META;
      }
      if (drop > 0) s.chunks = drop === c.length ? NO_CHUNKS : c.slice(drop);
      // Closed chunks are older than the open one, so they are all gone too.
      if (s.app.maxTime < t) gone.add(s.ref);
    }
    if (gone.size > 0) this.#remove(gone);
    this.#compactIfSparse();
    this.#minTime = Infinity;
    this.#maxTime = -Infinity;
    for (const s of this.#byRef.values()) {
      if (s.minT < this.#minTime) this.#minTime = s.minT;
      if (s.lastT > this.#maxTime) this.#maxTime = s.lastT;
    }
  }

  stats(): HeadStats {
    let numChunks = 0;
    let numSamples = 0;
    let stored = 0;
    let bytes = 0;
    for (const s of this.#byRef.values()) {
      for (let i = 0; i < s.chunks.length; i += META) {
        numSamples += countOf(s.chunks[i + 3]!);
        if (s.chunks[i + 2]! < 0) stored++;
      }
      numChunks += s.chunks.length / META + 1;
      numSamples += s.app.numSamples;
      // Objects per series (series, open chunk, lookup entries, labels array, chunk list), calibrated on the
      // storage bench's heap figures (head_bytes_per_series_3h, head_bytes_per_series_node_x20_80m).
      bytes += 8 * s.chunks.length + 690 + 8 * s.labels.length;
    }
    for (const [name, values] of this.#postings) {
      for (const [value, p] of values) bytes += 2 * (name.length + value.length) + 96 + p.list.refs.byteLength;
    }
    bytes += this.#arena.capacity + this.#pool.capacity;
    const empty = this.#byRef.size === 0;
    return {
      numSeries: this.#byRef.size,
      numChunks,
      numSamples,
      storedChunks: stored,
      minTime: empty ? NaN : this.#minTime,
      maxTime: empty ? NaN : this.#maxTime,
      approxBytes: bytes,
    };
  }

  #appendSample(s: HeadSeries, t: number, v: number): void {
    let app = s.app;
    if (app.numSamples === 0) s.nextAt = rangeForTimestamp(t, this.chunkRange);
    else if (app.byteLength > MAX_BYTES_BEFORE_CUT) app = this.#cut(s, t);
    const n = app.numSamples;
    if (n > 0) {
      // A quarter full: aim the cut so the rest of the chunk range splits evenly.
      if (n === this.samplesPerChunk >> 2) s.nextAt = computeChunkEndTime(app.minTime, app.maxTime, s.nextAt, 4);
      if (t >= s.nextAt || n >= this.samplesPerChunk * 2) app = this.#cut(s, t);
    }
    app.append(t, v);
  }

  #cut(s: HeadSeries, t: number): XorAppender {
    const old = s.app;
    this.#addClosed(s, old.minTime, old.maxTime, old.bytes());
    old.release();
    // Start small and grow: reserving the previous chunk's size up front would hold more memory on average.
    s.app = new XorAppender(this.#pool);
    s.nextAt = rangeForTimestamp(t, this.chunkRange);
    return s.app;
  }

  #addClosed(s: HeadSeries, minT: number, maxT: number, bytes: Uint8Array): void {
    if (s.chunks === NO_CHUNKS) s.chunks = [];
    s.chunks.push(minT, maxT, this.#arena.put(bytes), packSize(bytes.length, (bytes[0]! << 8) | bytes[1]!));
    this.#liveChunkBytes += bytes.length;
  }

  /** Compacts the arena once most of it holds dropped or stored chunks. */
  #compactIfSparse(): void {
    if (this.#liveChunkBytes === 0 ? this.#arena.used > 0 : this.#arena.used > 2 * this.#liveChunkBytes + 65536) this.#compact();
  }

  /** Copies the closed chunks still in the arena into a fresh one, freeing the space of the others. */
  #compact(): void {
    const old = this.#arena;
    this.#arena = new ChunkArena();
    for (const s of this.#byRef.values()) {
      const c = s.chunks;
      for (let i = 0; i < c.length; i += META) if (c[i + 2]! >= 0) c[i + 2] = this.#arena.put(old.view(c[i + 2]!, lenOf(c[i + 3]!)));
    }
  }

  /**
   * The chunks of s within [mint, maxt) (closed then open) as exact copies: a
   * view into an arena page would drag the whole page along when
   * structured-cloned or stored. Stored chunks are included only with
   * `withStored`, taken in order from `stored` (see #readStored): views of
   * the store's fresh buffers, which hold nothing else worth copying away from.
   */
  #chunksOf(s: HeadSeries, mint: number, maxt: number, withStored: boolean, stored?: StoredCursor): HeadChunk[] {
    const out: HeadChunk[] = [];
    const c = s.chunks;
    for (let i = 0; i < c.length; i += META) {
      if (!(c[i]! >= mint && c[i + 1]! < maxt)) continue;
      if (c[i + 2]! >= 0) out.push({ minT: c[i]!, maxT: c[i + 1]!, bytes: this.#arena.view(c[i + 2]!, lenOf(c[i + 3]!)).slice() });
      else if (withStored) out.push({ minT: c[i]!, maxT: c[i + 1]!, bytes: stored!.bytes[stored!.i++]! });
    }
    const a = s.app;
    if (a.numSamples > 0 && a.minTime >= mint && a.maxTime < maxt) out.push({ minT: a.minTime, maxT: a.maxTime, bytes: a.bytes() });
    return out;
  }

  /**
   * Reads, in one batch, the stored chunks of `series` that `wanted` picks,
   * in the order #chunksOf and decodeInto walk them (they pick the same).
   */
  #readStored(series: readonly HeadSeries[], wanted: (minT: number, maxT: number) => boolean): StoredCursor {
    const locs: number[] = [];
    const lens: number[] = [];
    for (const s of series) {
      const c = s.chunks;
      for (let i = 0; i < c.length; i += META) {
        if (c[i + 2]! < 0 && wanted(c[i]!, c[i + 1]!)) {
          locs.push(-1 - c[i + 2]!);
          lens.push(lenOf(c[i + 3]!));
        }
      }
    }
    if (locs.length === 0) return { bytes: [], i: 0 };
    if (this.store === undefined) throw new Error("Head: chunks were stored but no ChunkStore is set");
    return { bytes: this.store.read(locs, lens), i: 0 };
  }

  /**
   * The stored chunks #hasDataIn must decode (those reaching past both ends
   * of the range), read in one batch.
   */
  #readStraddling(series: readonly HeadSeries[], start: number, end: number): StoredCursor {
    // An empty range has no data (and would pick chunks #hasDataIn never reaches).
    if (start > end) return { bytes: [], i: 0 };
    return this.#readStored(series, (minT, maxT) => minT < start && maxT > end);
  }

  /**
   * Whether the series has a sample in [start, end]; decodes only a chunk
   * that straddles the whole range. `stored` holds, in order, the stored
   * chunks #readStraddling picked.
   */
  #hasDataIn(s: HeadSeries, start: number, end: number, stored: StoredCursor): boolean {
    if (start > end) return false;
    const check = (minT: number, maxT: number, it: () => XorIterator): boolean | undefined => {
      if (maxT < start || minT > end) return undefined;
      if (minT >= start || maxT <= end) return true;
      const i = it();
      while (i.next()) if (i.t >= start) return i.t <= end;
      return false;
    };
    const c = s.chunks;
    for (let i = 0; i < c.length; i += META) {
      // A chunk is decoded only when it straddles the range, so it is the series' only such chunk, and read for it.
      const r = check(c[i]!, c[i + 1]!, () => new XorIterator(c[i + 2]! >= 0 ? this.#arena.view(c[i + 2]!, lenOf(c[i + 3]!)) : stored.bytes[stored.i++]!));
      if (r !== undefined) return r;
    }
    const a = s.app;
    if (a.numSamples === 0) return false;
    return check(a.minTime, a.maxTime, () => a.iterator()) ?? false;
  }


  /** Sets nextAt from the open chunk's timestamps, as appending them would have. */
  #replayCutState(s: HeadSeries, bytes: Uint8Array): void {
    const it = new XorIterator(bytes);
    const quarter = this.samplesPerChunk >> 2;
    let i = 0;
    let first = 0;
    while (it.next()) {
      if (i === 0) {
        first = it.t;
        s.nextAt = rangeForTimestamp(first, this.chunkRange);
      }
      i++;
      if (i === quarter && it.numSamples > quarter) s.nextAt = computeChunkEndTime(first, it.t, s.nextAt, 4);
    }
  }

  /**
   * The lookup key of a label set: its postings' ids as chars. Map lookups by
   * the label strings use V8's cached string hashes, far cheaper than hashing
   * every label in JS on each append. Returns undefined when a label pair has
   * no postings yet (so no series has it) unless `create` is set.
   */
  #key(labels: Labels, create: boolean): string | undefined {
    const codes = this.#codes;
    codes.length = 0;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      const p = this.#postings.get(l.name)?.get(l.value) ?? (create ? this.#newPosting(l) : undefined);
      if (p === undefined) return undefined;
      // Prefix-free: ids below 2^15 take one char, larger ones two with the top bit set in the first.
      if (p.id < 0x8000) codes.push(p.id);
      else codes.push(0x8000 | (p.id >>> 15), p.id & 0x7fff);
    }
    return String.fromCharCode.apply(null, codes);
  }

  #newPosting(l: Label): Posting {
    let values = this.#postings.get(l.name);
    if (values === undefined) {
      values = new Map();
      this.#postings.set(l.name, values);
    }
    const p: Posting = { id: this.#nextPostingId++, label: { name: l.name, value: l.value }, list: new PostingList() };
    values.set(l.value, p);
    return p;
  }

  #create(labels: Labels): HeadSeries {
    const ref = this.#nextRef++;
    const key = this.#key(labels, true)!;
    // Sized up front: push() would over-allocate the backing store.
    const interned: Label[] = new Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const p = this.#postings.get(labels[i]!.name)!.get(labels[i]!.value)!;
      p.list.push(ref);
      interned[i] = p.label;
    }
    this.#all.push(ref);
    const s = new HeadSeries(ref, key, interned, new XorAppender(this.#pool));
    this.#byRef.set(ref, s);
    this.#unordered.push(s);
    this.#byKey.set(key, s);
    return s;
  }

  #remove(gone: Set<number>): void {
    const isGone = (ref: number) => gone.has(ref);
    const touched = new Set<Posting>();
    for (const ref of gone) {
      const s = this.#byRef.get(ref)!;
      this.#byRef.delete(ref);
      this.#dirty.delete(s);
      this.#byKey.delete(s.key);
      s.app.release();
      for (const l of s.labels) touched.add(this.#postings.get(l.name)!.get(l.value)!);
    }
    for (const p of touched) {
      p.list.removeWhere(isGone);
      if (p.list.n > 0) continue;
      const values = this.#postings.get(p.label.name)!;
      values.delete(p.label.value);
      if (values.size === 0) this.#postings.delete(p.label.name);
    }
    this.#all.removeWhere(isGone);
    // Filtering keeps the survivors' relative order, so their ranks stay valid.
    this.#inOrder = this.#inOrder.filter((s) => !gone.has(s.ref));
    this.#unordered = this.#unordered.filter((s) => !gone.has(s.ref));
  }

  /** Whether [start, end] spans every sample in the head, so no per-series time check is needed. */
  #covers(hints: SelectHints): boolean {
    return hints.start <= this.#minTime && hints.end >= this.#maxTime;
  }

  /** Series matching all matchers whose chunks overlap [start, end], sorted by labels. */
  #matching(matchers: readonly Matcher[], hints: SelectHints): HeadSeries[] {
    const refs = this.#postingsFor(matchers);
    const found: HeadSeries[] = [];
    for (let i = 0; i < refs.length; i++) {
      const s = this.#byRef.get(refs[i]!)!;
      if (s.minT <= hints.end && s.lastT >= hints.start) found.push(s);
    }
    return this.#sorted(found);
  }

  #sorted(series: HeadSeries[]): HeadSeries[] {
    this.#ensureRanks();
    return series.sort((a, b) => a.rank - b.rank);
  }

  /**
   * Merges series created since the last call into the label order and
   * renumbers ranks, so queries sort by a number instead of comparing labels.
   */
  #ensureRanks(): void {
    if (this.#unordered.length === 0) return;
    const fresh = this.#unordered.sort((a, b) => compareLabels(a.labels, b.labels));
    const old = this.#inOrder;
    const merged: HeadSeries[] = new Array(old.length + fresh.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < merged.length; k++) {
      const s = j >= fresh.length || (i < old.length && compareLabels(old[i]!.labels, fresh[j]!.labels) < 0) ? old[i++]! : fresh[j++]!;
      s.rank = k;
      merged[k] = s;
    }
    this.#inOrder = merged;
    this.#unordered = [];
  }

  /**
   * Refs of series matching all matchers. A matcher that rejects "" requires
   * the label, so its postings are intersected; one that accepts "" also
   * selects series without the label, so the series whose value it rejects
   * are subtracted instead.
   */
  #postingsFor(matchers: readonly Matcher[]): Uint32Array {
    let acc: Uint32Array | undefined;
    const exclude: Uint32Array[] = [];
    for (const m of matchers) {
      if (m.matchesEmpty()) {
        exclude.push(this.#valuesPostings(m, false));
      } else {
        const p = this.#valuesPostings(m, true);
        acc = acc === undefined ? p : intersect(acc, p);
        if (acc.length === 0) return acc;
      }
    }
    acc ??= this.#all.view();
    for (const x of exclude) if (x.length > 0) acc = subtract(acc, x);
    return acc;
  }

  /** Union of the postings of m.name's values for which m.matches(value) === want. */
  #valuesPostings(m: Matcher, want: boolean): Uint32Array {
    const values = this.#postings.get(m.name);
    if (values === undefined) return new Uint32Array(0);
    // Equality needs one lookup, not a scan.
    if ((m.type === "=" && want) || (m.type === "!=" && !want)) {
      return values.get(m.value)?.list.view() ?? new Uint32Array(0);
    }
    const lists: Uint32Array[] = [];
    for (const [value, p] of values) if (m.matches(value) === want) lists.push(p.list.view());
    return union(lists);
  }
}

/** What is wrong with a label set, or undefined; no allocation on the valid path. */
function labelsProblem(ls: Labels): string | undefined {
  if (ls.length === 0) return "empty label set";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (l.name === "" || l.value === "") return `label ${JSON.stringify(l.name)} has an empty name or value`;
    if (i > 0 && ls[i - 1]!.name >= l.name) return `labels not sorted by unique name at ${JSON.stringify(l.name)}`;
  }
  return undefined;
}

function validateSeriesData(sd: SeriesData): void {
  const problem = labelsProblem(sd.labels);
  if (problem !== undefined) throw new Error(`${batchWhere(sd)}: ${problem}`);
  if (sd.t.length !== sd.v.length) throw new Error(`${batchWhere(sd)}: ${sd.t.length} timestamps but ${sd.v.length} values`);
  for (let i = 0; i < sd.t.length; i++) {
    if (!Number.isSafeInteger(sd.t[i]!)) checkTimestamp(sd.t[i]!, `${batchWhere(sd)} sample ${i}`);
  }
}

/** Names the series in an appendBatch error; only formatted when there is one. */
function batchWhere(sd: SeriesData): string {
  return `appendBatch ${labelsToString(sd.labels)}`;
}

/**
 * Appends the samples of s in [start, end] to buf, touching only the chunks
 * that overlap the range.
 */
function decodeInto(s: HeadSeries, arena: ChunkArena, start: number, end: number, buf: SampleBuffer, stored: StoredCursor): void {
  const c = s.chunks;
  for (let i = 0; i < c.length; i += META) {
    if (c[i + 1]! >= start && c[i]! <= end) {
      const bytes = c[i + 2]! >= 0 ? arena.view(c[i + 2]!, lenOf(c[i + 3]!)) : stored.bytes[stored.i++]!;
      decodeChunk(s, new XorIterator(bytes), start, end, buf);
    }
  }
  const a = s.app;
  if (a.numSamples > 0 && a.maxTime >= start && a.minTime <= end) decodeChunk(s, a.iterator(), start, end, buf);
}

function decodeChunk(s: HeadSeries, it: XorIterator, start: number, end: number, buf: SampleBuffer): void {
  buf.reserve(it.numSamples);
  while (it.next()) {
    const ts = it.t;
    if (ts < start) continue;
    if (ts > end) break;
    buf.t[buf.n] = ts;
    it.valueInto(buf.v, buf.n);
    buf.n++;
  }
  if (it.err !== undefined) throw new Error(`series ${labelsToString(s.labels)}: ${it.err.message}`);
}
