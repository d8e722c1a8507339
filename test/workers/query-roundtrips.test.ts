/**
 * Round trips per query, counted through the real code paths inside workerd:
 * the app's query endpoints over real HeadShard objects, D1 and R2, with the
 * bindings wrapped to count every Durable Object call, D1 statement run and
 * R2 request. The counts the API reports with `stats=all` are checked
 * against these independent ones.
 */
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:test";
import type { Env } from "../../workers/env.ts";
import type { HeadShard } from "../../workers/head/head-shard.ts";
import { shardedAppender, storageQuerier } from "../../workers/head/shards.ts";
import { newReadStats } from "../../workers/head/read-path.ts";
import { createApp } from "../../workers/query/app.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { Engine } from "../../shared/promql/engine.ts";

const H = 3600_000;
const D = 24 * H;

/** The real bindings with counters: DO calls per method, D1 statements run, R2 requests (and the keys read). */
function countingEnv(prefix: string, shards: number) {
  const c = { doCalls: new Map<string, number>(), d1: 0, r2: 0, r2Keys: [] as string[] };
  const ns = env.HEAD_SHARD;
  const headShard = {
    idFromName: (name: string) => ns.idFromName(`${prefix}${name}`),
    get(id: DurableObjectId) {
      const stub = ns.get(id);
      return new Proxy({}, {
        get: (_, method: string) => (...a: unknown[]) => {
          c.doCalls.set(method, (c.doCalls.get(method) ?? 0) + 1);
          return (stub as unknown as Record<string, (...x: unknown[]) => unknown>)[method]!(...a);
        },
      });
    },
  };
  const countStatement = (st: D1PreparedStatement): D1PreparedStatement => new Proxy(st, {
    get(target, prop: string) {
      const f = (target as unknown as Record<string, unknown>)[prop];
      if (typeof f !== "function") return f;
      if (prop === "bind") return (...a: unknown[]) => countStatement((f as (...x: unknown[]) => D1PreparedStatement).apply(target, a));
      if (["all", "raw", "run", "first"].includes(prop)) return (...a: unknown[]) => (c.d1++, (f as (...x: unknown[]) => unknown).apply(target, a));
      return (f as (...x: unknown[]) => unknown).bind(target);
    },
  });
  const db = new Proxy(env.DB, {
    get(target, prop: string) {
      if (prop === "prepare") return (sql: string) => countStatement(target.prepare(sql));
      if (prop === "batch" || prop === "exec") return (...a: unknown[]) => (c.d1++, (target as unknown as Record<string, (...x: unknown[]) => unknown>)[prop]!(...a));
      const v = (target as unknown as Record<string, unknown>)[prop];
      return typeof v === "function" ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
  const blocks = new Proxy(env.BLOCKS, {
    get(target, prop: string) {
      const v = (target as unknown as Record<string, unknown>)[prop];
      if (typeof v !== "function") return v;
      return (...a: unknown[]) => {
        c.r2++;
        if (prop === "get") c.r2Keys.push(String(a[0]));
        return (v as (...x: unknown[]) => unknown).apply(target, a);
      };
    },
  });
  const e = { ...env, HEAD_SHARD: headShard as unknown as Env["HEAD_SHARD"], DB: db, BLOCKS: blocks, HEAD_SHARDS: String(shards) } as Env;
  const stubs = Array.from({ length: shards }, (_, i) => ns.get(ns.idFromName(`${prefix}shard-${i}`)) as DurableObjectStub<HeadShard>);
  const calls = () => [...c.doCalls.values()].reduce((a, b) => a + b, 0);
  const reset = () => {
    c.doCalls.clear();
    c.d1 = 0;
    c.r2 = 0;
    c.r2Keys = [];
  };
  return { env: e, c, stubs, calls, reset };
}

async function load(e: Env, from: number, to: number, series: number) {
  for (let t = from; t <= to; t += 15_000) {
    const app = shardedAppender(e);
    for (let i = 0; i < series; i++) {
      app.append(labelsFromRecord({ __name__: "rt_requests_total", job: `job-${i % 3}`, instance: `host-${i}` }), t, t / 1000 + i);
      app.append(labelsFromRecord({ __name__: "rt_up", job: `job-${i % 3}`, instance: `host-${i}` }), t, 1);
    }
    await app.commit();
  }
}

interface PyroStats { doCalls: number; d1Queries: number; r2Requests: number; r2Bytes: number; blocksRead: number; shardsAsked: number; extraSelects: number; prefetchedSelections: number }
interface Body { status: string; data: { result: unknown[]; stats?: { timings: Record<string, number>; pyrometer: PyroStats } } }

const DASHBOARD = [
  'sum by (job) (rate(rt_requests_total{job=~"job-.*"}[5m])) / on (job) group_left count by (job) (rt_up == 1)',
  "topk(3, rate(rt_requests_total[5m])) and on (instance) rt_up",
  "max_over_time(sum(rt_up)[30m:1m]) + scalar(count(rt_requests_total))",
];

describe("round trips per query", () => {
  it("a query over data in the head: no D1 query, no R2 request, one call per head shard", { timeout: 120_000 }, async () => {
    const SHARDS = 4;
    const k = countingEnv("rt-head-", SHARDS);
    const base = 800 * 2 * H;
    await load(k.env, base, base + H, 12);
    const app = createApp();
    const end = (base + H) / 1000;
    const get = async (path: string) => (await (await app.request(`http://localhost${path}`, {}, k.env)).json()) as Body;
    // The first query of an isolate lists the catalog once.
    await get(`/api/v1/query?query=rt_up&time=${end}`);
    for (const q of DASHBOARD) {
      for (const path of [
        `/api/v1/query?query=${encodeURIComponent(q)}&time=${end}&stats=all`,
        `/api/v1/query_range?query=${encodeURIComponent(q)}&start=${end - 1800}&end=${end}&step=15&stats=all`,
      ]) {
        k.reset();
        const body = await get(path);
        expect(body.status, q).toBe("success");
        expect(body.data.result.length, q).toBeGreaterThan(0);
        expect(k.c.d1, q).toBe(0);
        expect(k.c.r2, q).toBe(0);
        expect(Object.fromEntries(k.c.doCalls), q).toEqual({ selectMany: SHARDS });
        const s = body.data.stats!.pyrometer;
        expect([s.doCalls, s.d1Queries, s.r2Requests, s.extraSelects], q).toEqual([SHARDS, 0, 0, 0]);
        expect(s.prefetchedSelections, q).toBe(2);
        expect(Object.keys(body.data.stats!.timings)).toContain("evalTotalTime");
      }
    }
  });

  it("the catalog is listed again only after blocks change; blocks outside the range are not read; shards below the range are skipped", { timeout: 120_000 }, async () => {
    const SHARDS = 2;
    const k = countingEnv("rt-blocks-", SHARDS);
    const base = 900 * 2 * H;
    await load(k.env, base, base + 4 * H + 10 * 60_000, 6);
    const app = createApp();
    const get = async (path: string) => (await (await app.request(`http://localhost${path}`, {}, k.env)).json()) as Body;
    const range = (q: string, from: number, to: number) => `/api/v1/query_range?query=${encodeURIComponent(q)}&start=${from / 1000}&end=${to / 1000}&step=60&stats=all`;
    const all = range("sum(rt_up)", base, base + 4 * H);
    const before = await get(all);
    // Each shard cuts its oldest 2 h into a block: the catalog version changes.
    for (const s of k.stubs) expect(await s.flush()).toBe(true);
    k.reset();
    const after = await get(all);
    expect(after.data.result).toEqual(before.data.result);
    expect(k.c.d1).toBe(1);
    expect(after.data.stats!.pyrometer.blocksRead).toBe(SHARDS);
    const rows = await env.DB.prepare("SELECT ulid FROM blocks WHERE min_time = ?").bind(base).all<{ ulid: string }>();
    const mine = new Set(rows.results.map((r) => r.ulid));
    expect(mine.size).toBe(SHARDS);
    expect(k.c.r2Keys.every((key) => mine.has(key.split("/")[1]!))).toBe(true);
    // Steady: the catalog is reused, the block readers too (no meta.json, no index header again).
    k.reset();
    const again = await get(all);
    expect(again.data.result).toEqual(before.data.result);
    expect(k.c.d1).toBe(0);
    expect(k.c.r2Keys.some((key) => key.endsWith("meta.json"))).toBe(false);
    expect(again.data.stats!.pyrometer.r2Requests).toBe(k.c.r2);
    // A large answer is streamed; it carries the same data as the one serialized whole (stats=all).
    const big = `/api/v1/query_range?query=rt_requests_total&start=${base / 1000}&end=${(base + 4 * H) / 1000}&step=5`;
    const streamed = await app.request(`http://localhost${big}`, {}, k.env);
    const text = await streamed.text();
    expect(text.length).toBeGreaterThan(256 * 1024);
    const whole = (await get(`${big}&stats=all`)).data;
    delete whole.stats;
    expect(JSON.parse(text)).toEqual({ status: "success", data: whole });
    // A range wholly in the head reads no block.
    k.reset();
    await get(range("sum(rt_up)", base + 3 * H, base + 4 * H));
    expect([k.c.d1, k.c.r2]).toEqual([0, 0]);
    // A range wholly below every head: with the catalog just confirmed, no shard is asked.
    k.reset();
    const stats = newReadStats();
    const res = await new Engine().range(storageQuerier(k.env, stats, { catalogTrustMs: 10 * 60_000 }), "sum(rt_up)", base, base + H, 60_000);
    expect(res.value.type === "matrix" && res.value.series.length).toBe(1);
    expect(k.calls()).toBe(0);
    expect(stats.shardsSkipped).toBe(SHARDS);
    expect(k.c.d1).toBe(0);
    // Past the per-query sample budget: Prometheus's "too many samples" error, from the head and from blocks.
    const limited = (from: number, to: number) => new Engine().range(storageQuerier(k.env, newReadStats(), { maxSamples: 100, catalogTrustMs: 10 * 60_000 }), "sum(rt_up)", from, to, 60_000);
    await expect(limited(base + 3 * H, base + 4 * H)).rejects.toThrow("query processing would load too many samples into memory in query execution");
    await expect(limited(base, base + H)).rejects.toThrow("query processing would load too many samples into memory in query execution");
    const res422 = await app.request(`http://localhost${range("sum(rt_up)", base, base + 4 * H)}`, {}, { ...k.env, QUERY_MAX_SAMPLES: "100" });
    expect(res422.status).toBe(422);
    expect(await res422.json()).toEqual({ status: "error", errorType: "execution", error: "query processing would load too many samples into memory in query execution" });
  });

  it("a query over blocks reads only the blocks it needs, with coalesced range reads (1-day and 7-day ranges)", { timeout: 300_000 }, async () => {
    const k = countingEnv("rt-days-", 1);
    const shard = k.stubs[0]!;
    const end = 950 * 2 * H;
    const SERIES = 20;
    // Recent data in the head, cut once so that older samples are backfilled into blocks.
    await load(k.env, end - 4 * H, end, SERIES);
    await shard.flush();
    const labels = Array.from({ length: SERIES }, (_, i) => labelsFromRecord({ __name__: "rt_requests_total", job: `job-${i % 3}`, instance: `host-${i}` }));
    const from = end - 8 * D;
    for (let day = 0; day < 8; day++) {
      const t0 = from + day * D;
      const n = D / 60_000;
      const t = Float64Array.from({ length: n }, (_, j) => t0 + j * 60_000);
      await shard.append(labels.map((l, i) => ({ labels: l, t, v: t.map((x) => x / 1000 + i) })), { shard: 0, backfill: true });
    }
    while (await shard.compact());
    const app = createApp();
    const get = async (path: string) => (await (await app.request(`http://localhost${path}`, {}, k.env)).json()) as Body;
    const q = encodeURIComponent("sum by (job) (rate(rt_requests_total[5m]))");
    const blockEnd = end - 4 * H;
    for (const days of [1, 7]) {
      const path = `/api/v1/query_range?query=${q}&start=${(blockEnd - days * D) / 1000}&end=${blockEnd / 1000}&step=300&stats=all`;
      k.reset();
      const cold = await get(path);
      const coldReads = k.c.r2;
      k.reset();
      const warm = await get(path);
      expect(warm.data.result).toEqual(cold.data.result);
      const s = warm.data.stats!.pyrometer;
      const overlapping = (await env.DB.prepare("SELECT count(*) AS n FROM blocks WHERE min_time <= ? AND max_time > ?").bind(blockEnd, blockEnd - days * D - 5 * 60_000).first<{ n: number }>())!.n;
      console.log(`query over blocks, ${days}-day range at 5m step, ${SERIES} series: ${s.blocksRead} blocks, R2 requests ${coldReads} cold / ${k.c.r2} warm, ${s.r2Bytes} bytes warm, D1 ${k.c.d1}`);
      expect(s.blocksRead).toBe(overlapping);
      expect(k.c.d1).toBe(0);
      expect(s.r2Requests).toBe(k.c.r2);
      // Cold: meta.json, index header, postings, series entries, chunks, each coalesced per block.
      expect(coldReads).toBeLessThanOrEqual(6 * s.blocksRead);
      // Warm: the index parts are cached per isolate; one coalesced chunk read per block.
      expect(k.c.r2).toBe(s.blocksRead);
    }
  });

  it("label names and values: one call per head shard, blocks from the cached catalog (no D1 in steady state)", { timeout: 120_000 }, async () => {
    const SHARDS = 2;
    const k = countingEnv("rt-labels-", SHARDS);
    const base = 1000 * 2 * H;
    await load(k.env, base, base + 4 * H + 10 * 60_000, 4);
    for (const s of k.stubs) expect(await s.flush()).toBe(true);
    // A series only in a block: backfilled below shard 0's head.
    const t = Float64Array.from({ length: 10 }, (_, j) => base - D + j * 60_000);
    await k.stubs[0]!.append([{ labels: labelsFromRecord({ __name__: "rt_old", job: "old" }), t, v: t.map(() => 1) }], { shard: 0, backfill: true });
    const app = createApp();
    const get = async (path: string) => (await (await app.request(`http://localhost${path}`, {}, k.env)).json()) as { status: string; data: string[] };
    const names = `/api/v1/label/__name__/values`;
    const jobs = `/api/v1/label/job/values?match[]=${encodeURIComponent('{__name__=~"rt_.*"}')}`;
    const labels = `/api/v1/labels?match[]=rt_old`;
    k.reset();
    // The first lookup after the blocks changed lists the catalog once.
    expect((await get(names)).data).toEqual(["rt_old", "rt_requests_total", "rt_up"]);
    expect(k.c.d1).toBe(1);
    for (const [path, want] of [[names, ["rt_old", "rt_requests_total", "rt_up"]], [jobs, ["job-0", "job-1", "job-2", "old"]], [labels, ["__name__", "job"]]] as const) {
      k.reset();
      expect((await get(path)).data, path).toEqual(want);
      expect(k.c.d1, path).toBe(0);
      expect(Object.fromEntries(k.c.doCalls), path).toEqual({ labels: SHARDS });
    }
    // A range wholly in the heads reads no block: the block-only series is not there.
    k.reset();
    expect((await get(`${names}?start=${(base + 3 * H) / 1000}&end=${(base + 4 * H) / 1000}`)).data).toEqual(["rt_requests_total", "rt_up"]);
    expect([k.c.d1, k.c.r2]).toEqual([0, 0]);
    // After a block is cut, the shard's new catalog version makes the next lookup list again.
    await load(k.env, base + 4 * H + 15 * 60_000, base + 6 * H + 20 * 60_000, 4);
    expect(await k.stubs[1]!.flush()).toBe(true);
    k.reset();
    expect((await get(names)).data).toEqual(["rt_old", "rt_requests_total", "rt_up"]);
    expect(k.c.d1).toBe(1);
  });
});
