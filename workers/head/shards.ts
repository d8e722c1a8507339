/**
 * @module
 * Routing to head shards: a series belongs to shard `hash(labels) % n`.
 * Appends are grouped per shard and sent as one RPC per shard per commit;
 * reads fan out to every shard and merge.
 */
import type { Env } from "../env.ts";
import type { Appender, AppendResult, SeriesData } from "../../shared/tsdb/querier.ts";
import type { Labels } from "../../shared/labels/labels.ts";
import { labelsHash } from "../../shared/labels/labels.ts";
import { BatchAppender } from "../../shared/tsdb/head-appender.ts";
import { splitForRpc } from "../../shared/tsdb/rpc-batches.ts";
import { ShardedStorage } from "./read-path.ts";
import type { ReadOptions, ReadStats, SelectRequestSpec, ShardLabelsRequest, ShardLabelsResult, ShardSelectResult } from "./read-path.ts";

export function shardCount(env: Env): number {
  const n = Number(env.HEAD_SHARDS ?? "1");
  return Number.isInteger(n) && n > 0 ? n : 1;
}

export function shardStub(env: Env, i: number) {
  return env.HEAD_SHARD.get(env.HEAD_SHARD.idFromName(`shard-${i}`));
}

export function shardOf(labels: Labels, n: number): number {
  return labelsHash(labels) % n;
}

/** Sends each shard its part of a batch, one RPC per shard (more for parts over 8 MiB), and sums the results. */
export async function commitToShards(env: Env, batch: readonly SeriesData[], opts: { backfill?: boolean } = {}): Promise<AppendResult> {
  const n = shardCount(env);
  const perShard: SeriesData[][] = Array.from({ length: n }, () => []);
  for (const s of batch) perShard[shardOf(s.labels, n)]!.push(s);
  // Shards in parallel; a shard's parts in order, each under the RPC size limit.
  const perShardResults = await Promise.all(
    perShard.map(async (b, i) => {
      const out: AppendResult[] = [];
      for (const part of splitForRpc(b)) out.push(await shardStub(env, i).append(part, { shard: i, backfill: opts.backfill }));
      return out;
    }),
  );
  const total: AppendResult = { accepted: 0, outOfOrder: 0, duplicate: 0, tooOld: 0 };
  for (const r of perShardResults.flat()) {
    if (!r) continue;
    total.accepted += r.accepted;
    total.outOfOrder += r.outOfOrder;
    total.duplicate += r.duplicate;
    total.tooOld += r.tooOld;
  }
  return total;
}

/**
 * The head shard that holds what scrape shard `scrapeShard` scrapes
 * (functional sharding, as one Prometheus server per shard: docs/architecture.md).
 */
export function pairedShard(scrapeShard: number, headShards: number): number {
  return ((scrapeShard % headShards) + headShards) % headShards;
}

/**
 * An Appender for a scrape shard: its whole commit goes to its paired head
 * shard as one RPC (one WAL row), however many head shards there are. A
 * series lives where it is scraped; one that also arrives by remote write
 * (routed by hash) may sit in two shards, and queries merge it.
 */
export function pairedAppender(env: Env, scrapeShard: number): Appender {
  const i = pairedShard(scrapeShard, shardCount(env));
  return new BatchAppender(async (batch) => (batch.length > 0 ? shardStub(env, i).append([...batch], { shard: i }) : { accepted: 0, outOfOrder: 0, duplicate: 0, tooOld: 0 }));
}

/**
 * An Appender whose commit sends each shard its part of the batch, one RPC
 * per shard. `backfill` lets samples older than the head go into new blocks.
 */
export function shardedAppender(env: Env, opts: { backfill?: boolean } = {}): Appender {
  return new BatchAppender((batch) => commitToShards(env, batch, opts));
}

/**
 * Reads from every head shard and every block in R2; the head wins on equal
 * timestamps. Queries go through read-path.ts (one call per shard per query,
 * catalog cached); label lookups likewise, one call per shard.
 */
export function storageQuerier(env: Env, stats?: ReadStats, opts: ReadOptions = {}): ShardedStorage {
  const n = shardCount(env);
  const shards = {
    count: n,
    selectMany: (i: number, specs: SelectRequestSpec[], max: number) => shardStub(env, i).selectMany(specs, max) as Promise<ShardSelectResult>,
    labels: (i: number, request: ShardLabelsRequest) => shardStub(env, i).labels(request) as Promise<ShardLabelsResult>,
  };
  const limit = Number(env.QUERY_MAX_SAMPLES);
  return new ShardedStorage(env, shards, stats, { ...(Number.isInteger(limit) && limit > 0 ? { maxSamples: limit } : {}), ...opts });
}
