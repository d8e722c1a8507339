/**
 * @module
 * The simplest checkpoint: the closed chunks of the series changed since the
 * last one, packed into rows, then out of the head's memory. The Durable
 * Object's own checkpoint does this and more (open chunks of idle series,
 * WAL bookkeeping); the head benchmarks and tests use this one.
 */
import type { Labels } from "../../labels/labels.ts";
import type { Head, StoredChunk } from "../head.ts";
import { storedLocation } from "../head-stored.ts";
import type { CheckpointRow } from "./plan.ts";
import { planCheckpointRows } from "./plan.ts";
import type { SegmentChunk } from "./segment.ts";

/** Writes the rows through `put` (which returns each row's slot), marks their chunks stored, clears the dirty set. */
export function checkpointClosedChunks(head: Head, put: (row: CheckpointRow) => number, blockRange: number): void {
  const entries: { labels: Labels; chunks: SegmentChunk[] }[] = [];
  const refs = new Map<SegmentChunk, number>();
  for (const s of head.dirtySeries()) {
    // The open chunk (last) stays: the WAL holds it.
    const closed = s.chunks.slice(0, -1);
    for (const c of closed) refs.set(c, s.ref);
    if (closed.length > 0) entries.push({ labels: s.labels, chunks: closed });
  }
  const placed: StoredChunk[] = [];
  for (const row of planCheckpointRows(entries, { blockRange })) {
    const slot = put(row);
    for (const p of row.placed) placed.push({ ref: refs.get(p.chunk)!, minT: p.chunk.minT, loc: storedLocation(slot, p.offset) });
  }
  head.markStored(placed);
  head.markClean();
}
