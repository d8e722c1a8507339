import { describe, it, expect } from "vitest";
import { labelsFromRecord } from "../labels/labels.ts";
import { Matcher } from "../labels/matcher.ts";
import { Head } from "./head.ts";
import type { SeriesData } from "./querier.ts";
import { spanStore, storedLocation } from "./head-stored.ts";
import { checkpointClosedChunks } from "./checkpoint/closed.ts";
import { writeBlock } from "./block/index.ts";
import { ramp, runQuerierSuite } from "./querier.case.test.ts";

/** Checkpoint rows kept in memory (the Durable Object keeps them in SQLite), counting the reads. */
class MemoryRows {
  rows: Uint8Array[] = [];
  reads: { slot: number; offset: number; length: number }[] = [];

  attach(head: Head): Head {
    head.store = spanStore((slot, offset, length) => {
      this.reads.push({ slot, offset, length });
      return this.rows[slot]!.slice(offset, offset + length);
    });
    return head;
  }

  checkpoint(head: Head): void {
    checkpointClosedChunks(head, (row) => this.rows.push(row.data) - 1, 7_200_000);
  }
}

runQuerierSuite("Head with closed chunks stored", async (data) => {
  const rows = new MemoryRows();
  const h = rows.attach(new Head({ samplesPerChunk: 5, chunkRange: 60_000 }));
  // Half, a checkpoint, the rest, another: stored and in-memory chunks side by side.
  h.appendBatch(data.map((s) => ({ ...s, t: s.t.subarray(0, s.t.length >> 1), v: s.v.subarray(0, s.v.length >> 1) })));
  rows.checkpoint(h);
  h.appendBatch(data.map((s) => ({ ...s, t: s.t.subarray(s.t.length >> 1), v: s.v.subarray(s.v.length >> 1) })));
  return h;
});

runQuerierSuite("Head restored with stored chunks", async (data) => {
  const rows = new MemoryRows();
  const src = rows.attach(new Head({ samplesPerChunk: 5, chunkRange: 60_000 }));
  src.appendBatch(data);
  rows.checkpoint(src);
  // As the object restores: stored chunks by location, the open one by its bytes.
  const h = rows.attach(new Head({ samplesPerChunk: 5, chunkRange: 60_000 }));
  for (const s of src.chunksInRange(-Infinity, Infinity)) {
    const last = s.chunks[s.chunks.length - 1]!;
    // Stored chunks by location only (no bytes), as the object restores them.
    h.restoreSeries(s.labels, s.chunks.map((c, i) => (i < s.chunks.length - 1 ? { minT: c.minT, maxT: c.maxT, bytes: new Uint8Array(0), stored: { loc: locate(rows, c.bytes), length: c.bytes.length, samples: (c.bytes[0]! << 8) | c.bytes[1]! } } : last)));
  }
  return h;
});

/** Where a chunk's bytes lie in the rows (the object gets this from decodeSegmentViews). */
function locate(rows: MemoryRows, bytes: Uint8Array): number {
  for (const [slot, row] of rows.rows.entries()) {
    for (let off = 0; off + bytes.length <= row.length; off++) {
      if (row[off] === bytes[0] && bytes.every((b, i) => row[off + i] === b)) return storedLocation(slot, off);
    }
  }
  throw new Error("chunk not in any row");
}

const ALL = { start: -Infinity, end: Infinity };

const many = Array.from({ length: 200 }, (_, i) => ramp(labelsFromRecord({ __name__: "m", i: String(i) }), 600, 0, 15_000, (k) => k * (i + 1)));

describe("Head with stored chunks", () => {
  it("leaves closed chunks' bytes out of memory once stored, answering the same from the store", async () => {
    const rows = new MemoryRows();
    const h = rows.attach(new Head());
    h.appendBatch(many);
    const before = await h.select([], ALL);
    const blocks = h.chunksInRange(0, 7_200_000);
    const mem = h.stats().approxBytes;
    rows.checkpoint(h);
    // 4 closed chunks of 120 samples per series went to the rows; the arena is empty.
    expect(h.stats().approxBytes).toBeLessThan(mem - 200 * 4 * 100);
    expect(h.stats()).toMatchObject({ numSeries: 200, numChunks: 1000, numSamples: 200 * 600 });
    expect(h.dirtySeries()).toEqual([]);
    expect(await h.select([], ALL)).toEqual(before);
    // One read per row for a query over every series (the chunks of one row are adjacent).
    expect(rows.reads).toHaveLength(rows.rows.length);
    expect(h.chunksInRange(0, 7_200_000)).toEqual(blocks);
  });

  it("reads only the chunks a selection needs, in ranges, and gives dirtySeries only what is not stored", async () => {
    const rows = new MemoryRows();
    const h = rows.attach(new Head());
    h.appendBatch(many);
    rows.checkpoint(h);
    rows.reads = [];
    // The last hour: the open chunk and the closed one before it.
    const got = await h.select([new Matcher("=", "i", "7")], { start: 600 * 15_000 - 3_600_000, end: Infinity });
    expect(got[0]!.t.length).toBe(240);
    expect(rows.reads).toHaveLength(1);
    expect(rows.reads[0]!.length).toBeLessThan(1000);
    // More samples close the chunk that was open and one more: in memory until the next checkpoint,
    // and all dirtySeries hands out (the four stored ones are not copied again).
    h.appendBatch([ramp(many[7]!.labels, 130, 600 * 15_000, 15_000)]);
    const dirty = h.dirtySeries();
    expect(dirty.map((d) => d.chunks.map((c) => c.minT))).toEqual([[7_200_000, 9_000_000, 10_800_000]]);
  });

  it("drops stored chunks on truncation and decodes a straddling stored chunk for label queries", async () => {
    const rows = new MemoryRows();
    const h = rows.attach(new Head());
    h.appendBatch(many.slice(0, 2));
    rows.checkpoint(h);
    // A range inside the first closed chunk only: decided by decoding it, both series' chunks read in one go.
    rows.reads = [];
    expect(await h.labelValues("i", [], { start: 15_001, end: 29_999 })).toEqual([]);
    expect(rows.reads).toHaveLength(1);
    expect(await h.labelValues("i", [], { start: 15_000, end: 15_000 })).toEqual(["0", "1"]);
    expect(await h.labelNames([], { start: 15_000, end: 15_000 })).toEqual(["__name__", "i"]);
    expect(await h.labelNames([], { start: 15_000, end: 14_000 })).toEqual([]);
    h.truncateBefore(2 * 1_800_000);
    expect(h.stats().numSamples).toBe(2 * (600 - 240));
    const got = await h.select([], ALL);
    expect(got.map((s) => s.t[0])).toEqual([240 * 15_000, 240 * 15_000]);
  });

  it("cuts the same block from stored chunks, read back series by series, with its chunk file sized exactly", () => {
    const rows = new MemoryRows();
    const stored = rows.attach(new Head());
    const plain = new Head();
    stored.appendBatch(many);
    plain.appendBatch(many);
    rows.checkpoint(stored);
    const opts = { minTime: 0, maxTime: 7_200_000, ulid: "01JE0000000000000000000000" };
    const size = stored.chunkFileBytesInRange(0, 7_200_000);
    const a = writeBlock(stored.iterateChunksInRange(0, 7_200_000, 7), { ...opts, chunkFileBytes: size });
    const b = writeBlock(plain.chunksInRange(0, 7_200_000), opts);
    expect(a.files).toEqual(b.files);
    expect(a.files.get("chunks/000001")!.length).toBe(size);
    // Allocated once at its size and handed out as is.
    expect(a.files.get("chunks/000001")!.buffer.byteLength).toBe(size);
  });

  it("refuses to store without a store, and stored chunks that say they hold nothing", () => {
    const h = new Head();
    expect(() => h.markStored([])).toThrow(/no ChunkStore/);
    const src = new Head();
    src.appendBatch([many[0]!]);
    const [open] = src.dirtySeries()[0]!.chunks.slice(-1);
    const stored = (samples: number) => ({ minT: 0, maxT: 1, bytes: new Uint8Array(0), stored: { loc: 0, length: 10, samples } });
    expect(() => h.restoreSeries(many[0]!.labels, [stored(5), open!])).toThrow(/chunk 0 is stored but no ChunkStore is set/);
    const r = new MemoryRows().attach(new Head());
    expect(() => r.restoreSeries(many[0]!.labels, [stored(0), open!])).toThrow(/chunk 0 holds no samples/);
  });
});

describe("spanStore", () => {
  it("merges nearby chunks of a row into one read and answers in request order", () => {
    const row = Uint8Array.from({ length: 20_000 }, (_, i) => i & 255);
    const reads: number[][] = [];
    const store = spanStore((slot, offset, length) => {
      reads.push([slot, offset, length]);
      return row.slice(offset, offset + length);
    });
    const got = store.read([storedLocation(0, 100), storedLocation(0, 10), storedLocation(0, 15_000), storedLocation(1, 10)], [5, 5, 3, 2]);
    expect(got.map((b) => [...b])).toEqual([[100, 101, 102, 103, 104], [10, 11, 12, 13, 14], [15_000 & 255, 15_001 & 255, 15_002 & 255], [10, 11]]);
    expect(reads).toEqual([[0, 10, 95], [0, 15_000, 3], [1, 10, 2]]);
  });

  it("says which row is short", () => {
    const store = spanStore(() => new Uint8Array(2));
    expect(() => store.read([storedLocation(3, 0)], [5])).toThrow(/row 3 holds 2 bytes, need 5/);
  });
});
