/**
 * @module
 * Closed head chunks kept outside the JS heap. Once a checkpoint has made a
 * closed chunk durable in a checkpoint row, the head forgets its bytes and
 * keeps only where they lie (row slot and byte offset), as Prometheus
 * memory-maps its closed head chunks; queries and block cuts read them back.
 * Reads are batched: the chunks a call needs are grouped by row and merged
 * into spans, so a query over many series reads each row once and a query
 * over one series reads only its few hundred bytes per row.
 */

/** Where stored chunks come from (the Durable Object's SQLite rows; a file in the bench). */
export interface ChunkStore {
  /** The bytes of the chunks at these locations, in the same order (views; copy to keep). */
  read(locs: readonly number[], lens: readonly number[]): Uint8Array[];
}

/** Offsets within a row stay below this (a row is at most 2 MB; the factor leaves room). */
const ROW_SPAN = 2 ** 24;

/** A stored chunk's location: its row's slot and the offset of its bytes in the row. */
export function storedLocation(slot: number, offset: number): number {
  if (!(offset >= 0 && offset < ROW_SPAN) || !Number.isSafeInteger(slot) || slot < 0) throw new Error(`storedLocation: bad slot ${slot} or offset ${offset}`);
  return slot * ROW_SPAN + offset;
}

/** Chunks closer than this in a row are read in one span (less than a span read costs). */
const MAX_GAP = 4096;

/**
 * A ChunkStore over rows read in byte ranges: `readSpan(slot, offset, length)`
 * returns that many bytes of the row at `slot` from `offset`.
 */
export function spanStore(readSpan: (slot: number, offset: number, length: number) => Uint8Array): ChunkStore {
  return {
    read(locs, lens) {
      const out: Uint8Array[] = new Array(locs.length);
      const order = Array.from(locs.keys()).sort((a, b) => locs[a]! - locs[b]!);
      let i = 0;
      while (i < order.length) {
        const first = locs[order[i]!]!;
        const slot = Math.floor(first / ROW_SPAN);
        const start = first % ROW_SPAN;
        let end = start + lens[order[i]!]!;
        let j = i + 1;
        for (; j < order.length; j++) {
          const loc = locs[order[j]!]!;
          if (Math.floor(loc / ROW_SPAN) !== slot || (loc % ROW_SPAN) - end > MAX_GAP) break;
          end = Math.max(end, (loc % ROW_SPAN) + lens[order[j]!]!);
        }
        const span = readSpan(slot, start, end - start);
        if (span.length < end - start) throw new Error(`stored chunks: row ${slot} holds ${start + span.length} bytes, need ${end}`);
        for (let k = i; k < j; k++) {
          const off = (locs[order[k]!]! % ROW_SPAN) - start;
          out[order[k]!] = span.subarray(off, off + lens[order[k]!]!);
        }
        i = j;
      }
      return out;
    },
  };
}
