/**
 * @module
 * The read path of a query: one call per head shard per query (every
 * selection of the query in it, samples packed into typed arrays), and the
 * block catalog kept in the isolate. Each shard's answer carries the
 * catalog version its isolate knows (bumped by every block written or
 * deleted there), so the catalog is listed from D1 again only when a shard
 * reports a change: a query over data in the head makes no D1 query and no
 * R2 request. Blocks are read while the shards answer; if the catalog turns
 * out stale they are read again. Shards whose head starts after the query's
 * range are not asked while their catalog version was confirmed recently.
 * Label names and values (`/api/v1/labels`, `/api/v1/label/…/values`) go
 * the same way: one call per shard, blocks from the cached catalog.
 */
import type { Env } from "../env.ts";
import type { Matcher, MatcherSpec } from "../../shared/labels/matcher.ts";
import { matcherToSpec } from "../../shared/labels/matcher.ts";
import type { Querier, SelectHints, SelectRequest, SeriesData } from "../../shared/tsdb/querier.ts";
import { SampleLimitError } from "../../shared/tsdb/querier.ts";
import { TooManySamplesError } from "../../shared/promql/value.ts";
import { mergeSeriesSets, mergeStrings } from "../../shared/tsdb/merge.ts";
import type { PackedSeriesSets } from "../../shared/tsdb/packed.ts";
import { unpackSeriesSets } from "../../shared/tsdb/packed.ts";
import type { BlockRow, R2ReadCounts } from "./blocks.ts";
import { MissingBlockFileError, blockReader, listBlocks } from "./blocks.ts";

/** A selection as sent to a head shard. */
export interface SelectRequestSpec {
  matchers: MatcherSpec[];
  hints: SelectHints;
}

/** A head shard's answer to selectMany. */
export interface ShardSelectResult {
  packed: PackedSeriesSets;
  /** The block catalog version the shard's isolate knows (blocks.ts catalogVersion). */
  catalog: string;
  /** The head holds no sample before this time (ms). */
  minValidTime: number;
  /** The selections would return more samples than allowed (nothing is returned). */
  overLimit?: boolean;
}

/** A label lookup as sent to a head shard: names when `name` is absent, else that label's values. */
export interface ShardLabelsRequest {
  name?: string;
  matchers: MatcherSpec[];
  hints: SelectHints;
}

/** A head shard's answer to a label lookup, with what selectMany reports of the catalog. */
export interface ShardLabelsResult {
  values: string[];
  catalog: string;
  minValidTime: number;
}

/** Round trips and time of one query's reads (returned with `stats=all`). */
export interface ReadStats extends R2ReadCounts {
  doCalls: number;
  d1Queries: number;
  shardsAsked: number;
  shardsSkipped: number;
  blocksRead: number;
  seriesFromShards: number;
  samplesFromShards: number;
  samplesFromBlocks: number;
  /** Wall times (ms): D1 catalog listing, the shard fan-out, the block reads. */
  catalogMs: number;
  fanoutMs: number;
  blockReadMs: number;
}

export function newReadStats(): ReadStats {
  return {
    doCalls: 0, d1Queries: 0, r2Requests: 0, r2Bytes: 0, shardsAsked: 0, shardsSkipped: 0, blocksRead: 0,
    seriesFromShards: 0, samplesFromShards: 0, samplesFromBlocks: 0, catalogMs: 0, fanoutMs: 0, blockReadMs: 0,
  };
}

/** The shards of a deployment, as the read path sees them. */
export interface ShardSet {
  count: number;
  selectMany(i: number, requests: SelectRequestSpec[], maxSamples: number): Promise<ShardSelectResult>;
  labels(i: number, request: ShardLabelsRequest): Promise<ShardLabelsResult>;
}

/**
 * Samples one query may load, all shards and blocks together: 16 bytes each
 * in columns, so 4 M stay well inside a Worker's 128 MB with the engine's own
 * arrays beside them. Past it the query fails with Prometheus's "too many
 * samples" error instead of the isolate running out of memory.
 */
export const DEFAULT_QUERY_MAX_SAMPLES = 4_000_000;

/**
 * A catalog confirmed by a shard this recently is trusted for queries that
 * skip that shard (their range ends before its head): only a backfill import
 * adds blocks below a head, and it shows here within this time.
 */
export const CATALOG_TRUST_MS = 5_000;

interface CatalogState {
  rows?: BlockRow[];
  /** Per shard: the version last reported, when, and the head's minValidTime. */
  versions: (string | undefined)[];
  confirmedAt: number[];
  minValidTime: number[];
}

/** Per D1 binding (one per deployment; tests use their own). */
const catalogs = new WeakMap<object, CatalogState>();

function catalogState(env: Env, n: number): CatalogState {
  let c = catalogs.get(env.DB);
  if (c === undefined || c.versions.length !== n) {
    c = { versions: new Array(n).fill(undefined), confirmedAt: new Array(n).fill(-Infinity), minValidTime: new Array(n).fill(-Infinity) };
    catalogs.set(env.DB, c);
  }
  return c;
}

export interface ReadOptions {
  catalogTrustMs?: number;
  /** Samples one query may load (DEFAULT_QUERY_MAX_SAMPLES). */
  maxSamples?: number;
}

function overlaps(b: BlockRow, hints: SelectHints): boolean {
  return b.minTime <= hints.end && b.maxTime > hints.start;
}

export class ShardedStorage implements Querier {
  readonly #env: Env;
  readonly #shards: ShardSet;
  readonly stats: ReadStats;
  readonly #trustMs: number;

  readonly #maxSamples: number;

  constructor(env: Env, shards: ShardSet, stats: ReadStats = newReadStats(), opts: ReadOptions = {}) {
    this.#env = env;
    this.#shards = shards;
    this.stats = stats;
    this.#trustMs = opts.catalogTrustMs ?? CATALOG_TRUST_MS;
    this.#maxSamples = opts.maxSamples ?? DEFAULT_QUERY_MAX_SAMPLES;
  }

  async select(matchers: readonly Matcher[], hints: SelectHints): Promise<SeriesData[]> {
    return (await this.selectMany([{ matchers, hints }]))[0]!;
  }

  labelNames(matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    return this.#labelLookup(undefined, matchers, hints);
  }

  labelValues(name: string, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    return this.#labelLookup(name, matchers, hints);
  }

  /** Every shard asked once; blocks from the cached catalog, listed again only when a shard reports a change. */
  async #labelLookup(name: string | undefined, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    const n = this.#shards.count;
    const cat = catalogState(this.#env, n);
    const ask = Array.from({ length: n }, (_, i) => i);
    const request: ShardLabelsRequest = { ...(name === undefined ? {} : { name }), matchers: matchers.map(matcherToSpec), hints };
    this.stats.doCalls += n;
    this.stats.shardsAsked += n;
    const answers = await Promise.all(ask.map((i) => this.#shards.labels(i, request)));
    await this.#confirm(cat, ask, answers);
    const fromBlocks = async () => {
      const readers = await Promise.all(cat.rows!.filter((b) => overlaps(b, hints)).map((b) => blockReader(this.#env, b, this.stats)));
      return Promise.all(readers.map((r) => (name === undefined ? r.labelNames(matchers, hints) : r.labelValues(name, matchers, hints))));
    };
    let fromBlockLists: string[][];
    try {
      fromBlockLists = await fromBlocks();
    } catch (e) {
      // A block compacted or deleted after the listing: its data is in the blocks listed now.
      if (!(e instanceof MissingBlockFileError)) throw e;
      await this.#relist(cat);
      fromBlockLists = await fromBlocks();
    }
    return mergeStrings([...answers.map((a) => a.values), ...fromBlockLists]);
  }

  /**
   * Takes in what the shards reported of the catalog, listing it from D1
   * first when one reports a version this isolate has not seen (listed after
   * they answered, so the listing holds every change their versions count).
   * Says whether it listed.
   */
  async #confirm(cat: CatalogState, ask: readonly number[], answers: readonly { catalog: string; minValidTime: number }[]): Promise<boolean> {
    const stale = cat.rows === undefined || answers.some((a, k) => a.catalog !== cat.versions[ask[k]!]);
    if (stale) await this.#relist(cat);
    const seen = Date.now();
    answers.forEach((a, k) => {
      const i = ask[k]!;
      cat.versions[i] = a.catalog;
      cat.confirmedAt[i] = seen;
      cat.minValidTime[i] = a.minValidTime;
    });
    return stale;
  }

  async selectMany(requests: readonly SelectRequest[]): Promise<SeriesData[][]> {
    try {
      return await this.#selectMany(requests);
    } catch (e) {
      if (SampleLimitError.is(e)) throw new TooManySamplesError();
      throw e;
    }
  }

  async #selectMany(requests: readonly SelectRequest[]): Promise<SeriesData[][]> {
    const st = this.stats;
    const n = this.#shards.count;
    const cat = catalogState(this.#env, n);
    let maxEnd = -Infinity;
    for (const r of requests) maxEnd = Math.max(maxEnd, r.hints.end);
    const now = Date.now();
    const ask: number[] = [];
    for (let i = 0; i < n; i++) {
      const trusted = cat.rows !== undefined && now - cat.confirmedAt[i]! < this.#trustMs;
      if (trusted && maxEnd < cat.minValidTime[i]!) st.shardsSkipped++;
      else ask.push(i);
    }
    const specs = requests.map((r) => ({ matchers: r.matchers.map(matcherToSpec), hints: r.hints }));
    const t0 = performance.now();
    st.doCalls += ask.length;
    st.shardsAsked += ask.length;
    // Each shard may use the whole budget; the total is checked once they answer.
    const fanout = Promise.all(ask.map((i) => this.#shards.selectMany(i, specs, this.#maxSamples)));
    // Optimistically with the catalog in hand, while the shards answer.
    let blocks = cat.rows !== undefined ? this.#readBlocks(cat.rows, requests) : undefined;
    // Awaited below; a failure while the shards answer must not count as unhandled.
    blocks?.catch(() => undefined);
    const answers = await fanout;
    st.fanoutMs += performance.now() - t0;
    if (answers.some((a) => a.overLimit === true)) throw new SampleLimitError(this.#maxSamples);
    if (await this.#confirm(cat, ask, answers)) blocks = this.#readBlocks(cat.rows!, requests);
    let blockSets: SeriesData[][];
    try {
      blockSets = await blocks!;
    } catch (e) {
      // A block compacted or deleted after the listing: its data is in the blocks listed now.
      if (!(e instanceof MissingBlockFileError)) throw e;
      await this.#relist(cat);
      blockSets = await this.#readBlocks(cat.rows!, requests);
    }
    const fromShards = answers.map((a) => unpackSeriesSets(a.packed));
    for (const sets of fromShards) {
      for (const set of sets) {
        st.seriesFromShards += set.length;
        for (const s of set) st.samplesFromShards += s.t.length;
      }
    }
    for (const set of blockSets) for (const s of set) st.samplesFromBlocks += s.t.length;
    if (st.samplesFromShards + st.samplesFromBlocks > this.#maxSamples) throw new SampleLimitError(this.#maxSamples);
    // Shards first: on equal timestamps the head wins, as before.
    return requests.map((_, i) => mergeSeriesSets([...fromShards.map((sets) => sets[i]!), blockSets[i]!]));
  }

  async #relist(cat: CatalogState): Promise<void> {
    const t0 = performance.now();
    this.stats.d1Queries++;
    cat.rows = await listBlocks(this.#env);
    this.stats.catalogMs += performance.now() - t0;
  }

  /** Each request's series from the blocks that overlap its range (catalog order, oldest first). */
  async #readBlocks(rows: readonly BlockRow[], requests: readonly SelectRequest[]): Promise<SeriesData[][]> {
    const t0 = performance.now();
    const used = new Set<string>();
    let samples = 0;
    const perRequest = await Promise.all(
      requests.map(async (r) => {
        const overlapping = rows.filter((b) => overlaps(b, r.hints));
        for (const b of overlapping) used.add(b.ulid);
        const sets = await Promise.all(
          overlapping.map(async (b) => {
            const set = await (await blockReader(this.#env, b, this.stats)).select(r.matchers, r.hints);
            for (const s of set) samples += s.t.length;
            // Checked per block read, so a query over many blocks stops early.
            if (samples > this.#maxSamples) throw new SampleLimitError(this.#maxSamples);
            return set;
          }),
        );
        return mergeSeriesSets(sets);
      }),
    );
    this.stats.blocksRead += used.size;
    this.stats.blockReadMs += performance.now() - t0;
    return perRequest;
  }
}
