import { describe, it, expect } from "vitest";
import type { Labels } from "../labels/labels.ts";
import { labelsEqual, labelsFromRecord, labelsToString } from "../labels/labels.ts";
import { Matcher } from "../labels/matcher.ts";
import { XorAppender, decodeXor } from "../chunkenc/xor.ts";
import { Head } from "./head.ts";
import type { SeriesData } from "./querier.ts";
import { STALE_NAN } from "./querier.ts";
import { ramp, runQuerierSuite } from "./querier.case.test.ts";

runQuerierSuite("Head", async (data) => {
  const h = new Head();
  h.appendBatch(data);
  return h;
});

runQuerierSuite("Head with tiny chunks", async (data) => {
  const h = new Head({ samplesPerChunk: 5, chunkRange: 60_000 });
  h.appendBatch(data);
  return h;
});

runQuerierSuite("Head restored from dirtySeries", async (data) => {
  const src = new Head();
  src.appendBatch(data);
  const h = new Head();
  for (const s of src.dirtySeries()) h.restoreSeries(s.labels, s.chunks);
  return h;
});

const A = labelsFromRecord({ __name__: "m", job: "a" });
const B = labelsFromRecord({ __name__: "m", job: "b" });
const ALL = { start: -Infinity, end: Infinity };

function sd(labels: Labels, t: number[], v: number[] | Float64Array): SeriesData {
  return { labels, t: Float64Array.from(t), v: v instanceof Float64Array ? v : Float64Array.from(v) };
}

function slice(s: SeriesData, from: number, to: number): SeriesData {
  return { labels: s.labels, t: s.t.slice(from, to), v: s.v.slice(from, to) };
}

function chunkSizes(h: Head, labels: Labels): number[] {
  const s = h.dirtySeries().find((d) => labelsEqual(d.labels, labels))!;
  return s.chunks.map((c) => (c.bytes[0]! << 8) | c.bytes[1]!);
}

function hexChunks(h: Head): string[] {
  return h.dirtySeries().flatMap((d) => d.chunks.map((c) => `${c.minT}-${c.maxT}:${Buffer.from(c.bytes).toString("hex")}`));
}

describe("Head append rules", () => {
  it("counts out-of-order, duplicates and too-old samples as Prometheus does", () => {
    const h = new Head();
    expect(h.appendBatch([sd(A, [10, 20, 20, 15, 30], [1, 2, 2, 9, 3])])).toEqual({ accepted: 4, outOfOrder: 1, duplicate: 0, tooOld: 0 });
    expect(h.appendBatch([sd(A, [30, 30], [4, -0])])).toEqual({ accepted: 0, outOfOrder: 0, duplicate: 2, tooOld: 0 });
    h.minValidTime = 100;
    expect(h.appendBatch([sd(A, [40, 100], [1, 1]), sd(B, [50, 60], [1, 1])])).toEqual({ accepted: 1, outOfOrder: 0, duplicate: 0, tooOld: 3 });
    // B had only too-old samples, so it was never created.
    expect(h.stats().numSeries).toBe(1);
    expect(h.stats().numSamples).toBe(4);
  });

  it("tells a stale marker from a plain NaN at the same timestamp, also after restore", () => {
    const h = new Head();
    const v = new Float64Array(1);
    v[0] = STALE_NAN;
    h.appendBatch([{ labels: A, t: new Float64Array([1000]), v }]);
    expect(h.appendBatch([{ labels: A, t: new Float64Array([1000]), v }]).duplicate).toBe(0);
    expect(h.appendBatch([sd(A, [1000], [NaN])]).duplicate).toBe(1);
    const r = new Head();
    for (const d of h.dirtySeries()) r.restoreSeries(d.labels, d.chunks);
    expect(r.appendBatch([{ labels: A, t: new Float64Array([1000]), v }])).toEqual({ accepted: 1, outOfOrder: 0, duplicate: 0, tooOld: 0 });
    expect(r.appendBatch([sd(A, [1000], [NaN])]).duplicate).toBe(1);
  });

  it("commits an Appender's samples in order", async () => {
    const h = new Head();
    const app = h.appender();
    app.append(A, 1000, 1);
    app.append(B, 1000, 2);
    app.append(A, 2000, 3);
    app.append(A, 1500, 3);
    expect(await app.commit()).toEqual({ accepted: 3, outOfOrder: 1, duplicate: 0, tooOld: 0 });
    const got = await h.select([new Matcher("=", "job", "a")], ALL);
    expect(Array.from(got[0]!.t)).toEqual([1000, 2000]);
  });

  it("throws on malformed batches without storing any of them", () => {
    const h = new Head();
    const good = sd(A, [1], [1]);
    const unsorted: Labels = [{ name: "z", value: "1" }, { name: "a", value: "2" }];
    expect(() => h.appendBatch([good, sd(unsorted, [1], [1])])).toThrow(/not sorted/);
    expect(() => h.appendBatch([good, sd([{ name: "a", value: "" }], [1], [1])])).toThrow(/empty name or value/);
    expect(() => h.appendBatch([good, sd([], [1], [1])])).toThrow(/empty label set/);
    expect(() => h.appendBatch([good, sd(B, [1, 2], [1])])).toThrow(/job="b".*2 timestamps but 1 values/);
    expect(() => h.appendBatch([good, sd(B, [1.5], [1])])).toThrow(/sample 0.*timestamp 1.5/);
    expect(h.stats().numSeries).toBe(0);
  });

  it("keeps series apart that share label pairs, also after postings are dropped and rebuilt", async () => {
    const h = new Head();
    const x = labelsFromRecord({ a: "1", b: "2" });
    const y = labelsFromRecord({ a: "2", b: "1" });
    const z = labelsFromRecord({ a: "1" });
    h.appendBatch([sd(x, [1], [1]), sd(y, [1], [2]), sd(z, [1], [3])]);
    h.truncateBefore(2);
    // Many fresh label pairs push posting ids past the one-char range of series keys.
    h.appendBatch(Array.from({ length: 40_000 }, (_, i) => sd(labelsFromRecord({ n: String(i) }), [5], [i])));
    h.appendBatch([sd(y, [10], [20]), sd(x, [10], [10]), sd(z, [10], [30])]);
    h.appendBatch([sd(labelsFromRecord({ a: "1", n: "39999" }), [10], [40])]);
    const got = await h.select([new Matcher("=~", "a", ".+")], ALL);
    expect(got.map((s) => `${labelsToString(s.labels)}=${Array.from(s.v)}`)).toEqual([
      '{a="1"}=30',
      '{a="1", b="2"}=10',
      '{a="1", n="39999"}=40',
      '{a="2", b="1"}=20',
    ]);
    expect(h.stats().numSeries).toBe(40_004);
  });
});

describe("Head chunk cutting (Prometheus appendPreprocessor)", () => {
  it("cuts 120-sample chunks at a 15 s interval and never crosses a 2 h boundary", () => {
    const h = new Head();
    h.appendBatch([ramp(A, 960, 0, 15_000)]);
    expect(chunkSizes(h, A)).toEqual([120, 120, 120, 120, 120, 120, 120, 120]);
    const b = new Head();
    // Starting 1 h into a range: the rest of the range splits into two chunks of 120.
    b.appendBatch([ramp(B, 300, 3_600_000, 15_000)]);
    expect(chunkSizes(b, B)).toEqual([120, 120, 60]);
    const chunks = b.dirtySeries()[0]!.chunks;
    expect(chunks[1]!.maxT).toBeLessThan(7_200_000);
    expect(chunks[2]!.minT).toBe(7_200_000);
  });

  it("predicts the chunk end time at a quarter full (1 s interval)", () => {
    const h = new Head();
    h.appendBatch([ramp(A, 300, 0, 1000)]);
    // At sample 30: n = floor(7.2e6 / (29001 * 4)) = 62, end = 7.2e6 / 62 = 116129.03 -> 117 samples.
    // Next: n = floor(7083000 / 116004) = 61, end = 117000 + 7083000 / 61 -> 233114 -> 117 samples.
    expect(chunkSizes(h, A)).toEqual([117, 117, 66]);
  });

  it("caps a chunk at twice the target when the rate rises", () => {
    const h = new Head();
    const sparse = ramp(A, 30, 0, 60_000);
    // The prediction made at sample 30 leaves the end at the range end; dense samples then hit the 240 cap.
    const dense = ramp(A, 400, 30 * 60_000, 10);
    h.appendBatch([sparse, dense]);
    const sizes = chunkSizes(h, A);
    expect(sizes[0]).toBe(240);
    expect(sizes.reduce((a, b) => a + b)).toBe(430);
  });

  it("cuts before a chunk passes 1024 bytes", () => {
    let seed = 1;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const h = new Head();
    // Random bit patterns (about 8 bytes a value) and alternating steps (2 bytes a timestamp).
    const data = ramp(A, 2000, 0, 1);
    for (let i = 0; i < data.t.length; i++) data.t[i] = i * 1000 + (i % 2) * 500;
    const words = new Uint32Array(data.v.buffer);
    for (let i = 0; i < words.length; i++) words[i] = rnd() * 2 ** 32;
    h.appendBatch([data]);
    const chunks = h.dirtySeries()[0]!.chunks;
    for (const c of chunks) expect(c.bytes.length).toBeLessThanOrEqual(1024);
    expect(Math.max(...chunks.map((c) => c.bytes.length))).toBeGreaterThan(1005);
    expect(chunkSizes(h, A)[0]).toBeLessThan(120);
  });

  it("restoring and re-appending gives the same chunks as never stopping", () => {
    const full = [ramp(A, 1500, 1_000_000, 15_000, (i) => i % 17), ramp(B, 700, 0, 1000, (i) => Math.sqrt(i))];
    const once = new Head();
    once.appendBatch(full);
    for (const cut of [1, 2, 29, 30, 31, 117, 119, 120, 121, 200, 239, 240, 241, 699]) {
      const first = new Head();
      first.appendBatch(full.map((s) => slice(s, 0, cut)));
      const restored = new Head();
      for (const d of first.dirtySeries()) restored.restoreSeries(d.labels, d.chunks);
      restored.appendBatch(full.map((s) => slice(s, cut, s.t.length)));
      expect(hexChunks(restored), `cut at ${cut}`).toEqual(hexChunks(once));
    }
  });

  it("validates restored chunks", () => {
    const h = new Head();
    h.appendBatch([ramp(A, 300, 0, 15_000)]);
    const chunks = h.dirtySeries()[0]!.chunks;
    const r = new Head();
    expect(() => r.restoreSeries(A, [])).toThrow(/no chunks/);
    expect(() => r.restoreSeries(A, [{ minT: 0, maxT: 0, bytes: new XorAppender().bytes() }])).toThrow(/chunk 0 holds no samples/);
    expect(() => r.restoreSeries(A, [chunks[1]!, chunks[0]!])).toThrow(/chunk 1 .* out of order/);
    expect(() => r.restoreSeries(A, [{ ...chunks[0]!, bytes: chunks[0]!.bytes.slice(0, 20) }])).toThrow(/restoreSeries \{__name__="m", job="a"\}: last chunk: .*corrupt/);
    r.restoreSeries(A, chunks);
    expect(() => r.restoreSeries(A, chunks)).toThrow(/already in the head/);
  });
});

describe("Head persistence and block hooks", () => {
  it("reports only series changed since markClean", () => {
    const h = new Head();
    h.appendBatch([sd(A, [1], [1]), sd(B, [1], [1])]);
    expect(h.dirtySeries().map((d) => d.ref).sort()).toEqual([1, 2]);
    h.markClean();
    expect(h.dirtySeries()).toEqual([]);
    h.appendBatch([sd(B, [2, 1], [2, 0])]);
    const d = h.dirtySeries();
    expect(d.map((x) => labelsToString(x.labels))).toEqual(['{__name__="m", job="b"}']);
    expect(decodeXor(d[0]!.chunks[0]!.bytes).t).toEqual(new Float64Array([1, 2]));
    h.markClean();
    h.appendBatch([sd(B, [2], [2])]);
    expect(h.dirtySeries()).toEqual([]);
  });

  it("hands out whole chunks of a block range sorted by labels, open chunk included", () => {
    const h = new Head();
    h.appendBatch([ramp(B, 600, 0, 15_000), ramp(A, 100, 7_000_000, 1000)]);
    const got = h.chunksInRange(0, 7_200_000);
    expect(got.map((g) => labelsToString(g.labels))).toEqual(['{__name__="m", job="a"}', '{__name__="m", job="b"}']);
    // A: 100 samples 7,000,000..7,099,000, all in the open chunk.
    expect(got[0]!.chunks.map((c) => [c.minT, c.maxT])).toEqual([[7_000_000, 7_099_000]]);
    expect(got[1]!.chunks.map((c) => decodeXor(c.bytes).t.length)).toEqual([120, 120, 120, 120]);
    for (const g of got) {
      for (const c of g.chunks) {
        expect(c.maxT).toBeLessThan(7_200_000);
        // Exact copies, not views into shared pages.
        expect(c.bytes.buffer.byteLength).toBe(c.bytes.length);
      }
    }
    expect(h.chunksInRange(7_200_000, 14_400_000).map((g) => g.chunks.length)).toEqual([1]);
  });

  it("compacts the chunk arena after truncation without losing data", async () => {
    const h = new Head();
    const data = Array.from({ length: 2000 }, (_, i) => ramp(labelsFromRecord({ __name__: "c", i: String(i) }), 960, 0, 15_000, (k) => k * (i + 1)));
    h.appendBatch(data);
    const before = h.stats().approxBytes;
    h.truncateBefore(3 * 3_600_000);
    expect(h.stats().approxBytes).toBeLessThan(before / 2);
    const got = await h.select([new Matcher("=", "__name__", "c")], ALL);
    expect(got).toHaveLength(2000);
    const byI = new Map(got.map((s) => [s.labels[1]!.value, s]));
    for (const [i, d] of data.entries()) {
      const s = byI.get(String(i))!;
      // Whole chunks before 3 h are gone; everything from the first kept chunk on is intact.
      const from = d.t.indexOf(s.t[0]!);
      expect(s.t[0]).toBeLessThanOrEqual(3 * 3_600_000);
      expect(Array.from(s.v)).toEqual(Array.from(d.v.subarray(from)));
    }
  });

  it("truncates old chunks, then series and their postings", async () => {
    const h = new Head();
    h.appendBatch([ramp(B, 600, 0, 15_000), ramp(A, 100, 0, 1000)]);
    expect(h.stats()).toMatchObject({ numSeries: 2, numSamples: 700, minTime: 0, maxTime: 599 * 15_000 });
    h.truncateBefore(7_200_000);
    expect(h.stats()).toMatchObject({ numSeries: 1, numChunks: 1, numSamples: 120, minTime: 7_200_000, maxTime: 599 * 15_000 });
    expect(await h.labelValues("job", [], ALL)).toEqual(["b"]);
    expect(await h.select([new Matcher("=", "job", "a")], ALL)).toEqual([]);
    expect(await h.select([new Matcher("!=", "job", "b")], ALL)).toEqual([]);
    // A comes back as a new series with a new ref.
    h.appendBatch([sd(A, [8_000_000], [1])]);
    expect(h.dirtySeries().find((d) => labelsEqual(d.labels, A))!.ref).toBe(3);
    expect(await h.labelValues("job", [], ALL)).toEqual(["a", "b"]);
    h.truncateBefore(Infinity);
    expect(h.stats()).toMatchObject({ numSeries: 0, numChunks: 0, numSamples: 0, minTime: NaN, maxTime: NaN });
    expect(await h.labelNames([], ALL)).toEqual([]);
  });
});

describe("Head maxValidTime", () => {
  it("refuses samples after maxValidTime as out of bounds (tooOld), creating no series for them", async () => {
    const h = new Head();
    h.maxValidTime = 10_000;
    const ls = labelsFromRecord({ __name__: "m" });
    const r = h.appendBatch([
      { labels: ls, t: Float64Array.of(1000, 10_000, 10_001), v: Float64Array.of(1, 2, 3) },
      { labels: labelsFromRecord({ __name__: "future_only" }), t: Float64Array.of(4102444800000), v: Float64Array.of(1) },
    ]);
    expect(r).toEqual({ accepted: 2, outOfOrder: 0, duplicate: 0, tooOld: 2 });
    expect(h.stats()).toMatchObject({ numSeries: 1, maxTime: 10_000 });
  });
});
