import { describe, it, expect } from "vitest";
import { encodeSegment, decodeSegment, decodeSegmentViews, encodeLabelsJson } from "./segment.ts";
import { planCheckpointRows } from "./plan.ts";
import { RowSlots } from "./slots.ts";
import { labelsFromRecord } from "../../labels/labels.ts";

const H = 3600_000;
const chunk = (minT: number, maxT: number, n = 150) => ({ minT, maxT, bytes: Uint8Array.from({ length: n }, (_, i) => (i * 7 + minT) & 255) });

describe("checkpoint segment", () => {
  it("round-trips labels and chunks", () => {
    const labels = labelsFromRecord({ __name__: "up", job: "a\"b\n", instance: "ü:1" });
    const chunks = [chunk(1, 2), chunk(3, 1795516239656, 0)];
    const out = decodeSegment(encodeSegment([{ labelsJson: encodeLabelsJson(labels), chunks }]));
    expect(out).toEqual([{ labels, chunks }]);
  });

  it("says where each chunk's bytes lie in the row, so a chunk can be read back alone", () => {
    const chunks = [chunk(1, 2), chunk(3, 4, 20)];
    const offsets: number[] = [];
    const data = encodeSegment([{ labelsJson: encodeLabelsJson(labelsFromRecord({ a: "1" })), chunks: [chunks[0]!] }, { labelsJson: encodeLabelsJson(labelsFromRecord({ b: "2" })), chunks: [chunks[1]!] }], offsets);
    expect(offsets.map((o, i) => [...data.subarray(o, o + chunks[i]!.bytes.length)])).toEqual(chunks.map((c) => [...c.bytes]));
    const views = decodeSegmentViews(data).flatMap((e) => e.chunks);
    expect(views.map((c) => c.offset)).toEqual(offsets);
    // Views, not copies.
    expect(views[0]!.bytes.buffer).toBe(data.buffer);
  });

  it("rejects a truncated row with the byte offset", () => {
    const data = encodeSegment([{ labelsJson: encodeLabelsJson(labelsFromRecord({ a: "1" })), chunks: [chunk(1, 2)] }]);
    expect(() => decodeSegment(data.subarray(0, data.length - 3))).toThrow(/truncated at byte/);
  });
});

describe("planCheckpointRows", () => {
  const series = (i: number) => labelsFromRecord({ __name__: "m", i: String(i) });

  it("writes one row for every chunk of many series in one block range", () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({ labels: series(i), chunks: [chunk(10, 1000), chunk(1001, 2000)] }));
    const rows = planCheckpointRows(entries, { blockRange: 2 * H });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.maxT).toBe(2000);
    const back = decodeSegment(rows[0]!.data);
    expect(back).toHaveLength(5000);
    // Every chunk given, placed where its bytes are.
    expect(rows[0]!.placed).toHaveLength(10_000);
    for (const p of rows[0]!.placed) expect(rows[0]!.data.subarray(p.offset, p.offset + p.chunk.bytes.length)).toEqual(p.chunk.bytes);
    expect(new Set(rows[0]!.placed.map((p) => p.chunk))).toEqual(new Set(entries.flatMap((e) => e.chunks)));
    expect(back[4999]!.chunks.map((c) => c.minT)).toEqual([10, 1001]);
  });

  it("groups chunks by block range so a block cut frees whole rows", () => {
    const entries = [0, 1, 2].map((i) => ({ labels: series(i), chunks: [chunk(2 * H - 100, 2 * H - 1), chunk(2 * H, 2 * H + 50)] }));
    const rows = planCheckpointRows(entries, { blockRange: 2 * H });
    expect(rows.map((r) => r.maxT)).toEqual([2 * H - 1, 2 * H + 50]);
    for (const r of rows) for (const e of decodeSegment(r.data)) for (const c of e.chunks) expect(Math.floor(c.maxT / (2 * H))).toBe(Math.floor(r.maxT / (2 * H)));
  });

  it("splits a range over as few rows as the row limit allows, losing nothing", () => {
    const entries = Array.from({ length: 300 }, (_, i) => ({ labels: series(i), chunks: [chunk(1, 2, 1000), chunk(3, 4, 1000)] }));
    const max = 100_000;
    const rows = planCheckpointRows(entries, { blockRange: 2 * H, maxRowBytes: max });
    for (const r of rows) expect(r.data.length).toBeLessThanOrEqual(max);
    // 300 × ~2 KB = ~600 KB: 7 rows of ≤ 100 KB, not one per series.
    expect(rows.length).toBe(Math.ceil(rows.reduce((a, r) => a + r.data.length, 0) / max));
    const got = rows.flatMap((r) => decodeSegment(r.data)).flatMap((e) => e.chunks.map((c) => `${e.labels[1]!.value}/${c.minT}`));
    expect(got.sort()).toEqual(entries.flatMap((e) => [`${e.labels[1]!.value}/1`, `${e.labels[1]!.value}/3`]).sort());
  });

  it("refuses a chunk that cannot fit a row at all", () => {
    expect(() => planCheckpointRows([{ labels: series(1), chunks: [chunk(1, 2, 500)] }], { blockRange: 2 * H, maxRowBytes: 300 })).toThrow(/does not fit a row/);
  });

  it("writes nothing for nothing", () => {
    expect(planCheckpointRows([{ labels: series(1), chunks: [] }], { blockRange: 2 * H })).toEqual([]);
  });
});

describe("RowSlots", () => {
  it("reuses freed rows instead of inserting, oldest data first to go", () => {
    const s = new RowSlots();
    expect([s.take(10), s.take(20), s.take(30)]).toEqual([
      { slot: 0, reuse: false },
      { slot: 1, reuse: false },
      { slot: 2, reuse: false },
    ]);
    expect(s.releaseBefore(25)).toBe(2);
    expect(s.take(40)).toEqual({ slot: 0, reuse: true });
    expect(s.take(50)).toEqual({ slot: 1, reuse: true });
    expect(s.take(60)).toEqual({ slot: 3, reuse: false });
    expect([s.live, s.total]).toEqual([4, 4]);
  });

  it("starts from the rows in the table", () => {
    const s = new RowSlots([{ slot: 4, maxT: 5 }, { slot: 0, maxT: 100 }]);
    expect(s.releaseBefore(50)).toBe(1);
    expect(s.take(1)).toEqual({ slot: 4, reuse: true });
    expect(s.take(1)).toEqual({ slot: 5, reuse: false });
  });
});
