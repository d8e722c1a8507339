import { describe, it, expect } from "vitest";
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { STALE_NAN, isStaleNaN } from "../../shared/tsdb/querier.ts";
import { encodeWalRecord } from "../../shared/tsdb/wal-record.ts";
import { encodeChunks } from "../../shared/tsdb/block/index.ts";

const up = (job: string) => labelsFromRecord({ __name__: "up", job, instance: "a:1" });

function stub(name: string) {
  return env.HEAD_SHARD.get(env.HEAD_SHARD.idFromName(name));
}

describe("HeadShard", () => {
  it("answers selects with what was appended, staleness markers included", async () => {
    const s = stub("t-select");
    const res = await s.append([{ labels: up("a"), t: Float64Array.of(1000, 2000, 3000), v: Float64Array.of(1, 0, STALE_NAN) }]);
    expect(res).toEqual({ accepted: 3, outOfOrder: 0, duplicate: 0, tooOld: 0 });
    const out = await s.select([{ type: "=", name: "job", value: "a" }], { start: 0, end: 10_000 });
    expect(out).toHaveLength(1);
    expect([...out[0]!.t]).toEqual([1000, 2000, 3000]);
    expect(out[0]!.v[0]).toBe(1);
    expect(isStaleNaN(out[0]!.v[2]!)).toBe(true);
  });

  it("counts out-of-order and duplicate samples instead of storing them", async () => {
    const s = stub("t-ooo");
    await s.append([{ labels: up("a"), t: Float64Array.of(5000), v: Float64Array.of(1) }]);
    const res = await s.append([{ labels: up("a"), t: Float64Array.of(4000, 5000, 5000), v: Float64Array.of(1, 1, 2) }]);
    expect(res.outOfOrder).toBe(1);
    expect(res.duplicate).toBe(1);
    const out = await s.select([{ type: "=", name: "__name__", value: "up" }], { start: 0, end: 10_000 });
    expect([...out[0]!.t]).toEqual([5000]);
  });

  it("loses no acknowledged sample when the object is evicted", async () => {
    const s = stub("t-restart");
    for (let i = 0; i < 50; i++) {
      await s.append([
        { labels: up("a"), t: Float64Array.of(i * 15_000), v: Float64Array.of(i) },
        { labels: up("b"), t: Float64Array.of(i * 15_000), v: Float64Array.of(i === 49 ? STALE_NAN : 2 * i) },
      ]);
    }
    await evictDurableObject(s);
    const out = await s.select([{ type: "=~", name: "job", value: "a|b" }], { start: 0, end: 1e12 });
    expect(out.map((x) => x.t.length)).toEqual([50, 50]);
    expect(out[0]!.v[49]).toBe(49);
    expect(isStaleNaN(out[1]!.v[49]!)).toBe(true);
  });

  it("recovers from checkpointed chunks plus the WAL written after them", async () => {
    const s = stub("t-checkpoint");
    // More rows than the checkpoint threshold, so both paths are exercised.
    for (let i = 0; i < 300; i++) {
      await s.append([{ labels: up("c"), t: Float64Array.of(i * 1000), v: Float64Array.of(i) }]);
    }
    const walRows = await runInDurableObject(s, (_o, state) => state.storage.sql.exec("SELECT count(*) AS n FROM wal_rows").one().n);
    expect(walRows).toBeLessThan(300);
    await evictDurableObject(s);
    const out = await s.select([{ type: "=", name: "job", value: "c" }], { start: 0, end: 1e12 });
    expect(out[0]!.t.length).toBe(300);
    expect(out[0]!.v[299]).toBe(299);
  });

  it("keeps an idle series' open chunk and what it gets after resuming, across checkpoints and eviction", async () => {
    const s = stub("t-idle");
    const app = (job: string, t: number, v: number) => ({ labels: up(job), t: Float64Array.of(t), v: Float64Array.of(v) });
    // "b" gets 10 samples, then goes quiet for 20 minutes while "a" keeps the WAL moving
    // through a checkpoint (240 rows) and an eviction; "b" then resumes, and another checkpoint follows.
    let t = 0;
    for (let i = 0; i < 10; i++, t += 15_000) await s.append([app("a", t, i), app("b", t, i)]);
    for (let i = 0; i < 250; i++, t += 15_000) await s.append([app("a", t, i)]);
    await evictDurableObject(s);
    for (let i = 10; i < 20; i++, t += 15_000) await s.append([app("a", t, i), app("b", t, i)]);
    for (let i = 0; i < 250; i++, t += 15_000) await s.append([app("a", t, i)]);
    // 520 rows were written; the WAL keeps those since the last checkpoint (< 240)
    // plus those back to the start of the open chunk of "a" (at most 240 samples).
    // Rows no longer needed are overwritten by later ones rather than deleted: the table stays
    // at the most rows ever needed at once, below the 520 written.
    const walRows = await runInDurableObject(s, (_o, state) => state.storage.sql.exec("SELECT count(*) AS n FROM wal_rows").one().n);
    expect(walRows).toBeLessThan(520);
    expect((await s.stats()).walRowsLive).toBeLessThan(480);
    await evictDurableObject(s);
    const b = await s.select([{ type: "=", name: "job", value: "b" }], { start: 0, end: 1e12 });
    expect([...b[0]!.v]).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const a = await s.select([{ type: "=", name: "job", value: "a" }], { start: 0, end: 1e12 });
    expect(a[0]!.t.length).toBe(520);
  });
});

describe("HeadShard closed chunks in checkpoint rows", () => {
  it("keeps checkpointed closed chunks out of memory and answers from the rows, before and after eviction", async () => {
    const s = stub("t-stored");
    const series = Array.from({ length: 30 }, (_, i) => labelsFromRecord({ __name__: "m", i: String(i) }));
    // 300 appends of 30 series at 15 s: chunks close at 120 samples, a checkpoint at 240 rows.
    const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 7_200_000);
    const value = (i: number, k: number) => (i % 2 === 0 ? k * (i + 1) : Math.round(Math.sin(k + i) * 1000) / 10);
    for (let k = 0; k < 300; k++) {
      await s.append(series.map((labels, i) => ({ labels, t: Float64Array.of(T0 + k * 15_000), v: Float64Array.of(value(i, k)) })));
    }
    const stats = await s.stats();
    // Every series had at least one closed chunk at the checkpoint (the noisy ones more: chunks close at ~1 KB too).
    expect(stats.storedChunks).toBeGreaterThanOrEqual(30);
    expect(stats.numSamples).toBe(30 * 300);
    const check = async () => {
      const all = await s.select([{ type: "=", name: "__name__", value: "m" }], { start: 0, end: 1e15 });
      expect(all).toHaveLength(30);
      for (const got of all) {
        const i = Number(got.labels.find((l) => l.name === "i")!.value);
        expect([...got.t]).toEqual(Array.from({ length: 300 }, (_, k) => T0 + k * 15_000));
        expect([...got.v]).toEqual(Array.from({ length: 300 }, (_, k) => value(i, k)));
      }
      // One series, a range inside its first (stored) chunk.
      const one = await s.select([{ type: "=", name: "i", value: "3" }], { start: T0 + 10 * 15_000, end: T0 + 20 * 15_000 });
      expect([...one[0]!.v]).toEqual(Array.from({ length: 11 }, (_, k) => value(3, k + 10)));
    };
    await check();
    await evictDurableObject(s);
    // Restored: chunks older than each series' newest stored one stay in the rows (the newest is
    // reopened, since it may have been stored open, and the WAL replay closes it again in memory).
    const restored = await s.stats();
    expect(restored.storedChunks).toBeGreaterThan(0);
    expect(restored.storedChunks).toBeLessThan(stats.storedChunks);
    await check();
  });
});

describe("HeadShard written by the previous layout (a row per chunk, a row per WAL record)", () => {
  it("restores it, stores it as checkpoint rows and drops the old tables, losing nothing", async () => {
    const s = stub("t-legacy");
    const labels = up("old");
    // 200 samples at 15 s: a closed chunk of 120 in the old `chunks` table, the rest in old `wal` rows.
    const t = Float64Array.from({ length: 200 }, (_, i) => 1_000_000 + i * 15_000);
    const v = Float64Array.from({ length: 200 }, (_, i) => i);
    await runInDurableObject(s, (_o, state) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE TABLE wal (seq INTEGER PRIMARY KEY, data BLOB NOT NULL, max_t INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE chunks (series TEXT NOT NULL, min_t INTEGER NOT NULL, max_t INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series, min_t)) WITHOUT ROWID`);
      sql.exec(`CREATE TABLE series (key TEXT PRIMARY KEY, labels TEXT NOT NULL)`);
      const [c] = encodeChunks(t.subarray(0, 120), v.subarray(0, 120));
      sql.exec(`INSERT INTO series (key, labels) VALUES ('k', ?)`, JSON.stringify(labels));
      sql.exec(`INSERT INTO chunks VALUES ('k', ?, ?, ?)`, c!.minT, c!.maxT, c!.bytes);
      for (let i = 120; i < 200; i++) sql.exec(`INSERT INTO wal (data, max_t) VALUES (?, ?)`, encodeWalRecord([{ labels, t: t.subarray(i, i + 1), v: v.subarray(i, i + 1) }]), t[i]!);
    });
    await evictDurableObject(s);
    const read = async () => (await s.select([{ type: "=", name: "job", value: "old" }], { start: 0, end: 1e12 }))[0]!;
    expect([...(await read()).v]).toEqual([...v]);
    const tables = await runInDurableObject(s, (_o, state) => state.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).toArray().map((r) => r.name));
    expect(tables.filter((n) => ["chunks", "series", "wal"].includes(n))).toEqual([]);
    // Once more from the new tables alone, then appending where it left off.
    await evictDurableObject(s);
    expect(await s.append([{ labels, t: Float64Array.of(t[199]! + 15_000), v: Float64Array.of(200) }])).toMatchObject({ accepted: 1 });
    await evictDurableObject(s);
    expect([...(await read()).v]).toEqual([...v, 200]);
  });
});

describe("HeadShard rows across block cuts", () => {
  it("overwrites freed WAL and checkpoint rows instead of deleting them, and restores exactly the head after a cut", async () => {
    const s = stub("t-reuse");
    const series = ["a", "b", "c"];
    // 1 sample a minute for 10 h: three block cuts, checkpoints every 240 appends.
    // In the past: samples beyond the wall clock (plus the grace) are refused.
    const start = Date.now() - 12 * 3600_000;
    const T0 = start - (start % (2 * 3600_000));
    let n = 0;
    for (let i = 0; i < 600; i++, n++) {
      await s.append(series.map((j) => ({ labels: up(j), t: Float64Array.of(T0 + i * 60_000), v: Float64Array.of(i) })));
      if (i % 60 === 59) while (await s.flush());
    }
    const before = await s.stats();
    expect(before.blocksWritten).toBeGreaterThanOrEqual(3);
    // A row per append, none deleted: the tables hold no more rows than were ever needed at once.
    expect(before.walRowsWritten).toBe(n);
    expect(before.walRowsStored).toBeLessThan(n / 2);
    expect(before.sqlRowsWritten).toBeLessThan(n + 40);
    const head = async () => s.select([{ type: "=", name: "__name__", value: "up" }], { start: before.minValidTime, end: 1e15 });
    const expected = await head();
    expect(expected.map((x) => x.t.length)).toEqual([expected[0]!.t.length, expected[0]!.t.length, expected[0]!.t.length]);
    expect(expected[0]!.t[0]).toBe(before.minValidTime);
    expect(expected[0]!.v[expected[0]!.v.length - 1]).toBe(599);
    await evictDurableObject(s);
    // Restored from reused rows: the same head, nothing older than the cut, nothing lost after it.
    const after = await head();
    expect(after.map((x) => [...x.t])).toEqual(expected.map((x) => [...x.t]));
    expect(after.map((x) => [...x.v])).toEqual(expected.map((x) => [...x.v]));
    expect((await s.stats()).numSamples).toBe(3 * expected[0]!.t.length);
  });
});
