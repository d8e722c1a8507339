/**
 * @module
 * Persisted blocks: immutable files in R2 under `blocks/<ulid>/`, in
 * Prometheus's on-disk format, with a catalog row in D1. Readers use R2
 * range requests through shared/tsdb/block's RangeReader.
 */
import { drizzle } from "drizzle-orm/d1";
import { eq, lt, inArray } from "drizzle-orm";
import type { Env } from "../env.ts";
import { blocks } from "../db/schema.ts";
import type { WrittenBlock, RangeReader, BlockMeta } from "../../shared/tsdb/block/index.ts";
import { openBlock, BlockReader, parseMeta, segmentFileName } from "../../shared/tsdb/block/index.ts";

export type BlockRow = typeof blocks.$inferSelect;

export function blockKey(ulid: string, file: string): string {
  return `blocks/${ulid}/${file}`;
}

/**
 * Uploads the files, then records the block; a block without its row is
 * never read. Returns what it cost in R2 puts and D1 rows written.
 */
export async function storeBlock(env: Env, shard: number, b: WrittenBlock): Promise<{ r2Puts: number; d1RowsWritten: number }> {
  const sizes: Record<string, number> = {};
  await Promise.all(
    [...b.files].map(async ([name, bytes]) => {
      sizes[name] = bytes.byteLength;
      await env.BLOCKS.put(blockKey(b.ulid, name), bytes);
    }),
  );
  const res = await drizzle(env.DB)
    .insert(blocks)
    .values({
      ulid: b.ulid,
      shard,
      minTime: b.meta.minTime,
      maxTime: b.meta.maxTime,
      numSeries: b.stats.numSeries,
      numSamples: b.stats.numSamples,
      numChunks: b.stats.numChunks,
      sizeBytes: b.stats.totalBytes,
      level: b.meta.compaction.level,
      files: JSON.stringify(sizes),
      createdAt: Date.now(),
    });
  catalogChanged();
  return { r2Puts: b.files.size, d1RowsWritten: res.meta.rows_written };
}

/**
 * The catalog version this isolate reports (HeadShard.selectMany returns it):
 * an id of the isolate plus a count of the block writes and deletes made
 * from it. A query isolate keeps its copy of the catalog while every shard
 * reports the version it last saw; a shard that restarts reports a new id.
 */
let catalogEpoch: string | undefined;
let catalogChanges = 0;

function catalogChanged(): void {
  catalogChanges++;
}

export function catalogVersion(): string {
  // Random values may not be made at global scope in Workers: made on first use.
  catalogEpoch ??= crypto.randomUUID();
  return `${catalogEpoch}:${catalogChanges}`;
}

/** Removes blocks: catalog rows first, so readers stop using them, then the files. Returns the D1 rows written. */
export async function deleteBlocks(env: Env, rows: readonly BlockRow[]): Promise<number> {
  let written = 0;
  // D1 takes at most 100 bound parameters per statement.
  for (let i = 0; i < rows.length; i += 90) {
    const res = await drizzle(env.DB).delete(blocks).where(inArray(blocks.ulid, rows.slice(i, i + 90).map((r) => r.ulid)));
    written += res.meta.rows_written;
  }
  if (rows.length > 0) catalogChanged();
  const keys = rows.flatMap((r) => Object.keys(JSON.parse(r.files) as Record<string, number>).map((f) => blockKey(r.ulid, f)));
  for (let i = 0; i < keys.length; i += 1000) await env.BLOCKS.delete(keys.slice(i, i + 1000));
  return written;
}

export async function listBlocks(env: Env, opts: { shard?: number } = {}): Promise<BlockRow[]> {
  return drizzle(env.DB).select().from(blocks).where(opts.shard === undefined ? undefined : eq(blocks.shard, opts.shard)).orderBy(blocks.minTime);
}

export async function blocksBefore(env: Env, maxTime: number): Promise<BlockRow[]> {
  return drizzle(env.DB).select().from(blocks).where(lt(blocks.maxTime, maxTime));
}

/** A block file gone from R2: compaction or retention deleted the block after it was listed. */
export class MissingBlockFileError extends Error {}

/** R2 requests made for reads (the `stats` of a query). */
export interface R2ReadCounts {
  r2Requests: number;
  r2Bytes: number;
}

/**
 * Where a cached reader's R2 reads go: the bucket and counters of the query
 * using it now (set on each use; with queries running at once in one isolate
 * the counts of a shared block may go to either).
 */
interface ReadContext {
  bucket: R2Bucket;
  counts?: R2ReadCounts;
}

function r2Range(ctx: ReadContext, key: string, size: number): RangeReader {
  return {
    size,
    async read(offset, length) {
      if (length === 0) return new Uint8Array(0);
      if (ctx.counts) {
        ctx.counts.r2Requests++;
        ctx.counts.r2Bytes += length;
      }
      const obj = await ctx.bucket.get(key, { range: { offset, length } });
      if (!obj) throw new MissingBlockFileError(`block file ${key} is missing from R2`);
      return new Uint8Array(await obj.arrayBuffer());
    },
  };
}

/** Open readers by ULID: blocks are immutable, so an isolate reuses their symbols and postings tables. */
const readers = new Map<string, { reader: Promise<BlockReader>; ctx: ReadContext }>();

export function blockReader(env: Env, row: BlockRow, counts?: R2ReadCounts): Promise<BlockReader> {
  const cached = readers.get(row.ulid);
  if (cached) {
    cached.ctx.bucket = env.BLOCKS;
    cached.ctx.counts = counts;
    return cached.reader;
  }
  const ctx: ReadContext = { bucket: env.BLOCKS, counts };
  let r: Promise<BlockReader>;
  {
    const sizes = JSON.parse(row.files) as Record<string, number>;
    if (counts) counts.r2Requests++;
    const meta: Promise<BlockMeta> = env.BLOCKS.get(blockKey(row.ulid, "meta.json")).then(async (o) => {
      if (!o) throw new MissingBlockFileError(`block ${row.ulid}: meta.json is missing from R2`);
      return parseMeta(await o.text());
    });
    r = meta.then((m) =>
      openBlock(m, {
        index: r2Range(ctx, blockKey(row.ulid, "index"), sizes.index ?? 0),
        chunks: (segment) => {
          const name = `chunks/${segmentFileName(segment)}`;
          return r2Range(ctx, blockKey(row.ulid, name), sizes[name] ?? 0);
        },
      }),
    );
    r.catch(() => readers.delete(row.ulid));
    if (readers.size > 500) readers.clear();
    readers.set(row.ulid, { reader: r, ctx });
  }
  return r;
}
