/**
 * @module
 * Checkpoint planning: which rows a checkpoint writes. Chunks are grouped by
 * the block range their last sample falls in, so the block cut of a range
 * frees whole rows (a handful per range, never one per chunk); each group is
 * packed into as few rows as fit the row size limit.
 */
import type { Labels } from "../../labels/labels.ts";
import type { SegmentChunk } from "./segment.ts";
import { encodeLabelsJson, encodeSegment, entryBytes } from "./segment.ts";

/** Cloudflare limits a Durable Object's SQLite row (and BLOB) to 2 MB. */
export const MAX_ROW_BYTES = 2_000_000;

export interface CheckpointRow {
  /** The newest sample in the row: the row is redundant once a block covers it. */
  maxT: number;
  data: Uint8Array;
  /** Each chunk written (the caller's objects) with the offset of its bytes in `data`. */
  placed: { chunk: SegmentChunk; offset: number }[];
}

export interface PlanOptions {
  blockRange: number;
  maxRowBytes?: number;
}

/**
 * Rows for the given series' chunks: one per block range touched, more only
 * when a range's chunks exceed the row limit. Throws when one chunk alone
 * with its labels cannot fit a row (a chunk is a few KB at most).
 */
export function planCheckpointRows(
  entries: readonly { labels: Labels; chunks: readonly SegmentChunk[] }[],
  opts: PlanOptions,
): CheckpointRow[] {
  const max = opts.maxRowBytes ?? MAX_ROW_BYTES;
  const byRange = new Map<number, { labelsJson: Uint8Array; chunks: SegmentChunk[] }[]>();
  for (const e of entries) {
    if (e.chunks.length === 0) continue;
    const labelsJson = encodeLabelsJson(e.labels);
    let cur: { labelsJson: Uint8Array; chunks: SegmentChunk[] } | undefined;
    let curRange = NaN;
    for (const c of e.chunks) {
      const r = Math.floor(c.maxT / opts.blockRange);
      if (r !== curRange) {
        curRange = r;
        cur = { labelsJson, chunks: [] };
        const list = byRange.get(r) ?? [];
        list.push(cur);
        byRange.set(r, list);
      }
      cur!.chunks.push(c);
    }
  }
  const rows: CheckpointRow[] = [];
  for (const r of [...byRange.keys()].sort((a, b) => a - b)) {
    let piece: { labelsJson: Uint8Array; chunks: SegmentChunk[] }[] = [];
    let size = 4;
    let maxT = -Infinity;
    const emit = () => {
      if (piece.length > 0) {
        const offsets: number[] = [];
        const data = encodeSegment(piece, offsets);
        const chunks = piece.flatMap((p) => p.chunks);
        rows.push({ maxT, data, placed: chunks.map((chunk, i) => ({ chunk, offset: offsets[i]! })) });
      }
      piece = [];
      size = 4;
      maxT = -Infinity;
    };
    for (const e of byRange.get(r)!) {
      let part: { labelsJson: Uint8Array; chunks: SegmentChunk[] } | undefined;
      for (const c of e.chunks) {
        const alone = entryBytes(e.labelsJson.length, [c]);
        if (4 + alone > max) throw new Error(`checkpoint: a chunk of ${c.bytes.length} bytes with its labels does not fit a row of ${max} bytes`);
        // Adding to the current part costs the chunk; a new part costs labels too.
        const cost = part ? 20 + c.bytes.length : alone;
        if (size + cost > max) {
          emit();
          part = undefined;
        }
        if (!part) {
          part = { labelsJson: e.labelsJson, chunks: [] };
          piece.push(part);
          size += 8 + e.labelsJson.length;
        }
        part.chunks.push(c);
        size += 20 + c.bytes.length;
        if (c.maxT > maxT) maxT = c.maxT;
      }
    }
    emit();
  }
  return rows;
}
