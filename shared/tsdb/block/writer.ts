/**
 * @module
 * Builds a complete block from series of encoded XOR chunks, purely in
 * memory: the caller stores each file under `blocks/<ulid>/<name>`.
 */
import { isValid as isValidUlid, monotonicFactory } from "ulid";
import type { Labels } from "../../labels/labels.ts";
import { labelsToString } from "../../labels/labels.ts";
import { ChunkSegmentsWriter, ENCODING_XOR, MAX_SEGMENT_SIZE, segmentFileName } from "./chunk-file.ts";
import { writeIndex, type ChunkMeta, type IndexSeries } from "./index-writer.ts";
import { META_VERSION, encodeMeta, type BlockMeta, type BlockParent } from "./meta.ts";

export interface BlockChunk {
  /** First and last sample timestamp, ms. */
  minT: number;
  maxT: number;
  /** An XOR chunk as Prometheus encodes it (2-byte sample count, then the bit stream). */
  bytes: Uint8Array;
}

export interface BlockSeries {
  labels: Labels;
  /** In time order, not overlapping. */
  chunks: readonly BlockChunk[];
}

export interface WriteBlockOptions {
  /** Defaults to a new ULID for the current time, as Prometheus names blocks. */
  ulid?: string;
  /** Inclusive start of the block's range, ms. */
  minTime: number;
  /** Exclusive end, ms. */
  maxTime: number;
  /** Compaction level: 1 for a block cut from the head (default). */
  level?: number;
  /** Level-1 blocks whose data this holds; defaults to [ulid]. */
  sources?: string[];
  parents?: BlockParent[];
  /** Segment size limit for chunks/ files (tests use small ones). */
  maxSegmentSize?: number;
  /** The chunks' bytes in segment files (Σ chunkFileBytes), if known: the files are then allocated once at their size. */
  chunkFileBytes?: number;
}

export interface WrittenBlock {
  ulid: string;
  /** File name within the block directory ("meta.json", "index", "chunks/000001", "tombstones") → bytes. */
  files: Map<string, Uint8Array>;
  meta: BlockMeta;
  stats: BlockSizeStats;
}

export interface BlockSizeStats {
  numSamples: number;
  numSeries: number;
  numChunks: number;
  indexBytes: number;
  chunkBytes: number;
  metaBytes: number;
  totalBytes: number;
}

/** An empty tombstones file: magic 0x0130BA30, version 1, CRC32C of no tombstones (0). */
const EMPTY_TOMBSTONES = Uint8Array.of(0x01, 0x30, 0xba, 0x30, 0x01, 0, 0, 0, 0);

const nextUlid = monotonicFactory();

/** Series must be sorted by labels (compareLabels) and unique; series without chunks are left out. Read once, in order (a generator may produce them as they are written). */
export function writeBlock(series: Iterable<BlockSeries>, opts: WriteBlockOptions): WrittenBlock {
  const { minTime, maxTime } = opts;
  if (!Number.isSafeInteger(minTime) || !Number.isSafeInteger(maxTime) || minTime >= maxTime) {
    throw new RangeError(`writeBlock: need integer minTime < maxTime, got [${minTime}, ${maxTime})`);
  }
  const ulid = opts.ulid ?? nextUlid();
  if (!isValidUlid(ulid)) throw new Error(`writeBlock: ${JSON.stringify(ulid)} is not a valid ULID`);

  const segments = new ChunkSegmentsWriter(opts.maxSegmentSize ?? MAX_SEGMENT_SIZE, opts.chunkFileBytes);
  const indexSeries: IndexSeries[] = [];
  let numSamples = 0;
  let numChunks = 0;
  for (const s of series) {
    if (s.chunks.length === 0) continue;
    const metas: ChunkMeta[] = [];
    s.chunks.forEach((c, i) => {
      const where = () => `writeBlock: series ${labelsToString(s.labels)} chunk ${i} [${c.minT}, ${c.maxT}]`;
      if (c.bytes.length < 2) throw new Error(`${where()}: ${c.bytes.length} bytes is too short for an XOR chunk`);
      const n = (c.bytes[0]! << 8) | c.bytes[1]!;
      if (n === 0) throw new Error(`${where()}: chunk holds no samples`);
      if (!(c.minT <= c.maxT)) throw new Error(`${where()}: minT after maxT`);
      if (c.minT < minTime || c.maxT >= maxTime) throw new Error(`${where()}: outside the block range [${minTime}, ${maxTime})`);
      if (i > 0 && c.minT <= s.chunks[i - 1]!.maxT) throw new Error(`${where()}: overlaps the previous chunk, which ends at ${s.chunks[i - 1]!.maxT}`);
      metas.push({ minT: c.minT, maxT: c.maxT, ref: segments.write(ENCODING_XOR, c.bytes) });
      numSamples += n;
    });
    numChunks += metas.length;
    indexSeries.push({ labels: s.labels, chunks: metas });
  }
  const index = writeIndex(indexSeries);

  const meta: BlockMeta = {
    ulid,
    minTime,
    maxTime,
    stats: { numSamples, numSeries: indexSeries.length, numChunks },
    compaction: { level: opts.level ?? 1, sources: opts.sources ?? [ulid] },
    version: META_VERSION,
  };
  if (opts.parents !== undefined) meta.compaction.parents = opts.parents;
  const metaBytes = encodeMeta(meta);

  const files = new Map<string, Uint8Array>();
  let chunkBytes = 0;
  segments.finish().forEach((seg, i) => {
    files.set(`chunks/${segmentFileName(i)}`, seg);
    chunkBytes += seg.length;
  });
  files.set("index", index);
  files.set("meta.json", metaBytes);
  files.set("tombstones", EMPTY_TOMBSTONES);
  return {
    ulid,
    files,
    meta,
    stats: {
      ...meta.stats,
      indexBytes: index.length,
      chunkBytes,
      metaBytes: metaBytes.length,
      totalBytes: index.length + chunkBytes + metaBytes.length,
    },
  };
}
