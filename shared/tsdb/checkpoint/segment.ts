/**
 * @module
 * A checkpoint segment: one SQLite row holding many series' chunks, so a
 * checkpoint writes one row per shard (or a few, each at most a row's 2 MB)
 * instead of one per chunk. SQLite rows written are billed (docs/cost.md);
 * bytes in a row are not.
 *
 *   u32 entryCount
 *   per entry: u32 labelsJsonBytes, labels JSON ([name, value, ...]),
 *              u32 chunkCount, per chunk: f64 minT, f64 maxT, u32 n, n bytes
 * Little-endian throughout.
 */
import type { Labels } from "../../labels/labels.ts";
import { readLabelsJson } from "../labels-json.ts";
export { encodeLabelsJson } from "../labels-json.ts";

export interface SegmentChunk {
  minT: number;
  maxT: number;
  bytes: Uint8Array;
}

export interface SegmentEntry {
  labels: Labels;
  chunks: SegmentChunk[];
}

/** Bytes an entry takes in a segment, given its encoded labels. */
export function entryBytes(labelBytes: number, chunks: readonly SegmentChunk[]): number {
  let n = 8 + labelBytes;
  for (const c of chunks) n += 20 + c.bytes.length;
  return n;
}

/** Encodes entries into a row; `offsets`, if given, receives each chunk's byte offset in the row, in order. */
export function encodeSegment(entries: readonly { labelsJson: Uint8Array; chunks: readonly SegmentChunk[] }[], offsets?: number[]): Uint8Array {
  let size = 4;
  for (const e of entries) size += entryBytes(e.labelsJson.length, e.chunks);
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, entries.length, true);
  let off = 4;
  for (const e of entries) {
    dv.setUint32(off, e.labelsJson.length, true);
    buf.set(e.labelsJson, off + 4);
    off += 4 + e.labelsJson.length;
    dv.setUint32(off, e.chunks.length, true);
    off += 4;
    for (const c of e.chunks) {
      dv.setFloat64(off, c.minT, true);
      dv.setFloat64(off + 8, c.maxT, true);
      dv.setUint32(off + 16, c.bytes.length, true);
      buf.set(c.bytes, off + 20);
      offsets?.push(off + 20);
      off += 20 + c.bytes.length;
    }
  }
  return buf;
}

/** Decodes a row, the chunks copied out of it. */
export function decodeSegment(data: Uint8Array): SegmentEntry[] {
  return decodeSegmentViews(data).map((e) => ({ labels: e.labels, chunks: e.chunks.map((c) => ({ minT: c.minT, maxT: c.maxT, bytes: c.bytes.slice() })) }));
}

/** A chunk as it lies in a row: a view of its bytes and their offset in the row. */
export interface PlacedChunk extends SegmentChunk {
  offset: number;
}

/** Decodes a row without copying: chunks are views into `data` (a view keeps the whole row alive, so copy what is kept). */
export function decodeSegmentViews(data: Uint8Array): { labels: Labels; chunks: PlacedChunk[] }[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  const need = (n: number) => {
    if (off + n > data.length) throw new Error(`checkpoint segment truncated at byte ${off} (length ${data.length})`);
  };
  need(4);
  const count = dv.getUint32(0, true);
  off = 4;
  const out: { labels: Labels; chunks: PlacedChunk[] }[] = [];
  for (let i = 0; i < count; i++) {
    const read = readLabelsJson(data, dv, off, need);
    const labels = read.labels;
    off = read.end;
    need(4);
    const n = dv.getUint32(off, true);
    off += 4;
    const chunks: PlacedChunk[] = [];
    for (let j = 0; j < n; j++) {
      need(20);
      const minT = dv.getFloat64(off, true);
      const maxT = dv.getFloat64(off + 8, true);
      const bl = dv.getUint32(off + 16, true);
      off += 20;
      need(bl);
      chunks.push({ minT, maxT, bytes: data.subarray(off, off + bl), offset: off });
      off += bl;
    }
    out.push({ labels, chunks });
  }
  if (off !== data.length) throw new Error(`checkpoint segment: ${data.length - off} trailing bytes`);
  return out;
}
