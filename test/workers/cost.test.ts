/**
 * What a million samples cost in billed operations, measured through the real
 * code paths inside workerd: scrape-like commits through shardedAppender and
 * bulk imports through the import endpoint. Counts Durable Object RPCs (a
 * wrapper around the namespace), SQLite rows written (the cursors'
 * rowsWritten, summed by HeadShard), R2 puts and D1 rows written (counted by
 * HeadShard where it stores blocks). docs/cost.md prices these figures.
 */
import { describe, it, expect } from "vitest";
import { env, SELF, runDurableObjectAlarm, runInDurableObject, evictDurableObject } from "cloudflare:test";
import type { Env } from "../../workers/env.ts";
import type { HeadStats, HeadShard } from "../../workers/head/head-shard.ts";
import { MAX_WAL_ROW_BYTES } from "../../workers/head/head-shard.ts";
import { shardedAppender, shardOf, pairedAppender, pairedShard } from "../../workers/head/shards.ts";
import { ScrapeScheduler } from "../../workers/scraper/scheduler.ts";
import { ingestRoutes } from "../../workers/query/ingest.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { textHash } from "../../workers/config/source.ts";

const H = 3600_000;
const SHARDS = 4;

/**
 * The real bindings, with shard objects of their own (a name prefix) and
 * every RPC on a head shard counted, per object and per method.
 */
/**
 * A config store answering with `text`: the real ConfigStore reads its own
 * environment, which a test cannot change per case (test seam, not a peer).
 */
function fixedConfig(text: string): Env["CONFIG"] {
  const state = { text, file: "cost.yml", hash: textHash(text), source: "test", lastReloadSuccessful: true, lastSuccessMs: Date.now(), lastError: "" };
  const stub = { current: async () => state, reload: async () => state };
  return { idFromName: () => ({}), get: () => stub } as unknown as Env["CONFIG"];
}

function countingEnv(prefix: string, over: Partial<Env> = {}) {
  const calls = new Map<string, number>();
  const methods = new Map<string, number>();
  const ns = env.HEAD_SHARD;
  const wrapped = {
    idFromName: (name: string) => ns.idFromName(`${prefix}${name}`),
    get(id: DurableObjectId) {
      const stub = ns.get(id);
      return new Proxy(stub, {
        get(target, method: string) {
          const fn = Reflect.get(target, method) as unknown;
          if (typeof fn !== "function") return fn;
          return (...a: unknown[]) => {
            methods.set(method, (methods.get(method) ?? 0) + 1);
            if (method === "append") calls.set(id.toString(), (calls.get(id.toString()) ?? 0) + 1);
            return Reflect.apply(fn as (...x: unknown[]) => unknown, target, a);
          };
        },
      });
    },
  };
  const e = { ...env, HEAD_SHARD: wrapped as unknown as Env["HEAD_SHARD"], HEAD_SHARDS: String(SHARDS), ...over } as Env;
  const stubs = Array.from({ length: SHARDS }, (_, i) => ns.get(ns.idFromName(`${prefix}shard-${i}`)));
  return { env: e, calls, methods, stubs, rpcs: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}

async function totals(stubs: readonly DurableObjectStub<HeadShard>[]) {
  const all = (await Promise.all(stubs.map((s) => s.stats()))) as HeadStats[];
  const sum = (f: (s: HeadStats) => number) => all.reduce((a, s) => a + f(s), 0);
  return {
    perShard: all,
    sqlRowsWritten: sum((s) => s.sqlRowsWritten),
    walRowsWritten: sum((s) => s.walRowsWritten),
    sqlDatabaseBytes: sum((s) => s.sqlDatabaseBytes),
    r2Puts: sum((s) => s.r2Puts),
    d1RowsWritten: sum((s) => s.d1RowsWritten),
    blocks: sum((s) => s.blocksWritten),
    headBytes: sum((s) => s.approxBytes),
    headSeries: sum((s) => s.numSeries),
  };
}

/** Runs the block maintenance that is due (the alarm: cut, compact), so the figures include the block writes. */
async function settle(stubs: readonly DurableObjectStub<HeadShard>[]) {
  for (const s of stubs) {
    await runDurableObjectAlarm(s);
    while (await s.flush());
    while (await s.compact());
  }
}

function report(what: string, samples: number, rpcs: number, t: Awaited<ReturnType<typeof totals>>) {
  const perM = (x: number) => Math.round((x * 1e6) / samples);
  console.log(
    `cost ${what}: per million samples: ${perM(rpcs)} DO RPCs, ${perM(t.sqlRowsWritten)} SQLite rows written ` +
      `(${perM(t.walRowsWritten)} WAL), ${perM(t.r2Puts)} R2 puts, ${perM(t.d1RowsWritten)} D1 rows written; ` +
      `${t.blocks} blocks, ${t.sqlDatabaseBytes} SQLite bytes, head ${Math.round(t.headBytes / Math.max(1, t.headSeries))} B/series`,
  );
}

describe("cost per million samples", () => {
  it("commits routed by series hash (remote write): one RPC and one WAL row per shard per commit, a few rows per checkpoint", { timeout: 300_000 }, async () => {
    const c = countingEnv("cost-scrape-");
    const series = 1000;
    const ticks = 1000;
    const labels = Array.from({ length: series }, (_, i) =>
      labelsFromRecord({ __name__: `node_metric_${i % 50}`, instance: `host-${Math.floor(i / 50)}:9100`, job: "node" }),
    );
    const base = 500 * 2 * H;
    for (let k = 0; k < ticks; k++) {
      const before = k < 5 ? await totals(c.stubs) : undefined;
      const rpcsBefore = c.rpcs();
      const app = shardedAppender(c.env);
      for (let i = 0; i < series; i++) app.append(labels[i]!, base + k * 15_000, (i * k) % 1000);
      const r = await app.commit();
      expect(r.accepted).toBe(series);
      expect(c.rpcs() - rpcsBefore).toBe(SHARDS);
      if (before) {
        const after = await totals(c.stubs);
        // Every shard got series, so each wrote exactly one WAL row for this commit,
        // and (past the first commit's bookkeeping) that is all it wrote to SQLite.
        expect(after.perShard.map((s, i) => s.walRowsWritten - before.perShard[i]!.walRowsWritten)).toEqual(Array(SHARDS).fill(1));
        if (k > 0) expect(after.perShard.map((s, i) => s.sqlRowsWritten - before.perShard[i]!.sqlRowsWritten)).toEqual(Array(SHARDS).fill(1));
      }
    }
    await settle(c.stubs);
    const t = await totals(c.stubs);
    const samples = series * ticks;
    expect(c.rpcs()).toBe(ticks * SHARDS);
    expect(t.walRowsWritten).toBe(ticks * SHARDS);
    // The head spans 4 h 10 min: each shard cut one 2 h block (meta.json, index, tombstones, one chunk file).
    expect(t.blocks).toBe(SHARDS);
    expect(t.r2Puts).toBe(4 * SHARDS);
    expect(t.d1RowsWritten).toBeGreaterThanOrEqual(SHARDS);
    report("hash-routed commits (1,000 series × 1,000 commits at 15 s, 4 shards)", samples, c.rpcs(), t);
    // Everything but the WAL: per shard, one checkpoint every 240 WAL rows plus one at the cut,
    // each at most a row per block range it touches (2), the cut's meta row and the shard's.
    // Not a row per chunk (before: 17,854 such rows here), nor a row per series.
    const checkpoints = Math.floor(ticks / 240) + 1;
    const nonWal = t.sqlRowsWritten - t.walRowsWritten;
    console.log(`cost hash-routed: ${nonWal} SQLite rows besides the WAL (${checkpoints} checkpoints and 1 block cut per shard)`);
    expect(nonWal).toBeLessThanOrEqual(SHARDS * (2 * checkpoints + 2));
    // The ceiling per million samples for this shape: WAL rows (commits × shards) plus the above.
    expect((t.sqlRowsWritten * 1e6) / samples).toBeLessThanOrEqual(4_100);
    // A dashboard's last hour of every series: the closed chunks in it are read back from the
    // checkpoint rows, each row about once (one range per row: its chunks lie together).
    const end = base + (ticks - 1) * 15_000;
    const hour = { start: end - H, end };
    let read = 0;
    for (const s of c.stubs) {
      const before = (await s.stats()).sqlRowsRead;
      const got = await s.select([{ type: "=", name: "job", value: "node" }], hour);
      expect(got.reduce((n, x) => n + x.t.length, 0)).toBe(got.length * 241);
      const st = await s.stats();
      expect(st.storedChunks).toBeGreaterThan(0);
      expect(st.sqlRowsRead - before).toBeLessThanOrEqual(st.checkpointRowsLive);
      read += st.sqlRowsRead - before;
    }
    console.log(`cost hash-routed: a last-hour select of all ${series} series read ${read} SQLite rows back over ${SHARDS} shards`);
  });

  it("scrape ticks go to the scrape shard's paired head shard: one RPC and one WAL row per tick", { timeout: 300_000 }, async () => {
    // As the scheduler commits: each 1 s tick holds the targets due then, 1/15 of them.
    const c = countingEnv("cost-ticks-");
    const targets = 15;
    const perTarget = 40;
    const ticks = 1500;
    const labels = Array.from({ length: targets * perTarget }, (_, i) =>
      labelsFromRecord({ __name__: `node_metric_${i % perTarget}`, instance: `host-${Math.floor(i / perTarget)}:9100`, job: "node" }),
    );
    const base = 600 * 2 * H;
    let hashRpcs = 0;
    for (let k = 0; k < ticks; k++) {
      const app = pairedAppender(c.env, 1);
      const target = k % targets;
      const hit = new Set<number>();
      for (let i = 0; i < perTarget; i++) {
        app.append(labels[target * perTarget + i]!, base + k * 1000, k);
        hit.add(shardOf(labels[target * perTarget + i]!, SHARDS));
      }
      // What routing by series hash would have sent: an RPC (and a WAL row) per shard hit.
      hashRpcs += hit.size;
      await app.commit();
    }
    const t = await totals(c.stubs);
    const samples = ticks * perTarget;
    expect(c.rpcs()).toBe(ticks);
    expect(t.walRowsWritten).toBe(ticks);
    expect(t.perShard.map((s) => s.appendCalls)).toEqual(Array.from({ length: SHARDS }, (_, i) => (i === pairedShard(1, SHARDS) ? ticks : 0)));
    report(`paired scrape (${targets} targets × ${perTarget} series at 15 s, one target per 1 s tick, 4 head shards)`, samples, c.rpcs(), t);
    console.log(`cost ticks: ${ticks} RPCs and WAL rows paired; routed by series hash it would have been ${hashRpcs}`);
    expect(hashRpcs).toBeGreaterThan(3 * ticks);
    // Rows: the tick's WAL row, and per checkpoint (every 240 ticks) a row or two.
    expect(t.sqlRowsWritten).toBeLessThanOrEqual(ticks + 2 * (Math.floor(ticks / 240) + 1) + 1);
  });

  it("the real scheduler: a tick costs one append RPC to one head shard, whatever the head shard count", { timeout: 300_000 }, async () => {
    // Targets served in-process (SELF_ADDRESS): the Pushgateway's exposition, 200 series, under 12 target label sets.
    const lines = Array.from({ length: 200 }, (_, i) => `cost_pushed_${i % 20}{k="${Math.floor(i / 20)}"} ${i}`).join("\n");
    const put = await SELF.fetch("http://localhost/metrics/job/cost/instance/x", { method: "PUT", body: `${lines}\n` });
    expect(put.status).toBe(200);
    const targets = 12;
    const config = [
      "global: { scrape_interval: 15s }",
      "scrape_configs:",
      "  - job_name: cost",
      "    honor_labels: true",
      "    metrics_path: /pushgateway/metrics",
      "    static_configs:",
      ...Array.from({ length: targets }, (_, i) => `      - { targets: ["${env.SELF_ADDRESS}"], labels: { t: "${i}" } }`),
    ].join("\n");
    const c = countingEnv("cost-sched-", { PROMETHEUS_CONFIG: config, CONFIG: fixedConfig(config), SCRAPE_SHARDS: "2" });
    let scraped = 0;
    let ticks = 0;
    let tickRpcs = 0;
    for (const shard of [0, 1]) {
      const stub = env.SCRAPER.get(env.SCRAPER.idFromName(`cost-scraper-${shard}`));
      await runInDurableObject(stub, async (_o, state) => {
        // The real class on the object's own storage, with the counting bindings.
        const sched = new ScrapeScheduler(state, c.env);
        // The config store answers asynchronously: load it before driving ticks by hand.
        await sched.applyConfig(shard);
        const now = Date.now();
        for (let k = 0; k < 45; k++) {
          const before = c.rpcs();
          const n = await sched.tick(shard, now + k * 1000);
          scraped += n;
          if (n > 0) ticks++;
          // However many targets were due, one RPC, to this scrape shard's head shard.
          expect(c.rpcs() - before).toBe(n > 0 ? 1 : 0);
          tickRpcs += c.rpcs() - before;
        }
      });
    }
    const t = await totals(c.stubs);
    // 45 ticks of 1 s span three 15 s intervals: every target is scraped three times, or four
    // when its first slot fell in the tick before the config was applied (still due, as after an eviction).
    expect(scraped).toBeGreaterThanOrEqual(3 * targets);
    expect(scraped).toBeLessThanOrEqual(4 * targets);
    expect(tickRpcs).toBe(ticks);
    // One WAL row per append RPC (applying the config may have committed once too, outside the ticks).
    expect(t.walRowsWritten).toBe(c.rpcs());
    expect(t.perShard.map((s) => s.appendCalls > 0)).toEqual(Array.from({ length: SHARDS }, (_, i) => i === pairedShard(0, SHARDS) || i === pairedShard(1, SHARDS)));
    console.log(`cost scheduler: ${scraped} scrapes in ${ticks} ticks over 2 scrape shards and ${SHARDS} head shards: ${c.rpcs()} append RPCs, ${t.walRowsWritten} WAL rows, ${t.sqlRowsWritten} SQLite rows written`);
  });

  it("bulk import of history: one RPC per shard per request", { timeout: 300_000 }, async () => {
    const c = countingEnv("cost-import-");
    const app = ingestRoutes();
    const series = 250;
    const perSeries = 4000;
    const t0 = 400 * 2 * H;
    let body = "";
    let requests = 0;
    let expectedRpcs = 0;
    let shardsHit = new Set<number>();
    const send = async () => {
      const res = await app.fetch(new Request("http://localhost/api/v1/import/prometheus", { method: "POST", body }), c.env);
      const reply = (await res.json()) as { data: { samplesAccepted: number; samplesParsed: number } };
      expect(reply.data.samplesAccepted).toBe(reply.data.samplesParsed);
      requests++;
      expectedRpcs += shardsHit.size;
      shardsHit = new Set();
      body = "";
    };
    for (let s = 0; s < series; s++) {
      shardsHit.add(shardOf(labelsFromRecord({ __name__: "import_metric", job: "import", series: String(s) }), SHARDS));
      for (let i = 0; i < perSeries; i++) body += `import_metric{series="${s}",job="import"} ${i} ${t0 + i * 5000}\n`;
      // ~5 MB bodies, split between series as a dump is ordered.
      if (body.length > 5_000_000) await send();
    }
    if (body.length > 0) await send();
    await settle(c.stubs);
    const t = await totals(c.stubs);
    // One RPC per shard that a request's series hash to, and at most one WAL row for it.
    expect(c.rpcs()).toBe(expectedRpcs);
    expect(t.walRowsWritten).toBeLessThanOrEqual(expectedRpcs);
    expect(t.r2Puts).toBeGreaterThan(0);
    // Backfill wrote a block per request and 2 h range; compaction left one per shard and range.
    const perRange = await env.DB.prepare("SELECT shard, min_time, count(*) AS n FROM blocks WHERE min_time >= ? AND max_time <= ? GROUP BY shard, min_time")
      .bind(t0 - 2 * H, t0 + 8 * H)
      .all<{ shard: number; min_time: number; n: number }>();
    expect(perRange.results.length).toBeGreaterThanOrEqual(SHARDS);
    expect(perRange.results.filter((r) => r.n !== 1)).toEqual([]);
    report(`import (${series} series × ${perSeries} samples at 5 s, ${requests} requests, 4 shards)`, series * perSeries, c.rpcs(), t);
    // Backfill goes to blocks; the head's SQLite gets a WAL row per request and shard and a few more (before: 14,816 per million).
    expect((t.sqlRowsWritten * 1e6) / (series * perSeries)).toBeLessThanOrEqual(100);
  });

  it("Pyrometer's /metrics exports the billed counters (the soak reads them)", async () => {
    const stub = env.HEAD_SHARD.get(env.HEAD_SHARD.idFromName("shard-0"));
    await stub.append([{ labels: labelsFromRecord({ __name__: "cost_metrics_probe" }), t: Float64Array.of(Date.now()), v: Float64Array.of(1) }], { shard: 0 });
    const st = await stub.stats();
    const text = await (await SELF.fetch("http://localhost/metrics")).text();
    expect(text).toContain(`pyrometer_head_sqlite_rows_written_total{shard="0"} ${st.sqlRowsWritten}`);
    expect(text).toContain(`pyrometer_head_append_requests_total{shard="0"} ${st.appendCalls}`);
    expect(text).toContain(`pyrometer_head_wal_rows_written_total{shard="0"} ${st.walRowsWritten}`);
    expect(text).toContain(`pyrometer_head_sqlite_rows_read_total{shard="0"} ${st.sqlRowsRead}`);
    expect(text).toContain(`pyrometer_head_stored_chunks{shard="0"} ${st.storedChunks}`);
    expect(text).toMatch(/^pyrometer_scrape_ticks_total\{scraper="0"\} \d+$/m);
  });

  it("a commit larger than a SQLite row may be goes into as few WAL rows as fit, and replays", async () => {
    const stub = env.HEAD_SHARD.get(env.HEAD_SHARD.idFromName("cost-big-commit"));
    // 3.2 MB of samples in one series plus many small ones: over the 2 MB row limit.
    const n = 200_000;
    const big = { labels: labelsFromRecord({ __name__: "big", job: "import" }), t: new Float64Array(n), v: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      big.t[i] = 1_000_000 + i * 1000;
      big.v[i] = i % 7 === 0 ? NaN : i / 3;
    }
    const small = Array.from({ length: 500 }, (_, k) => ({ labels: labelsFromRecord({ __name__: "small", k: String(k) }), t: Float64Array.of(5_000_000), v: Float64Array.of(k) }));
    expect((await stub.append([...small.slice(0, 250), big, ...small.slice(250)])).accepted).toBe(n + 500);
    const rows = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ len: number }>("SELECT length(data) AS len FROM wal_rows ORDER BY seq").toArray());
    expect(rows.length).toBe(2);
    for (const r of rows) expect(r.len).toBeLessThanOrEqual(MAX_WAL_ROW_BYTES);
    expect((await stub.stats()).walRowsWritten).toBe(2);
    await evictDurableObject(stub);
    const [back] = await stub.select([{ type: "=", name: "__name__", value: "big" }], { start: 0, end: 1e12 });
    expect(back!.t).toEqual(big.t);
    expect(new Uint8Array(back!.v.buffer, back!.v.byteOffset, back!.v.byteLength)).toEqual(new Uint8Array(big.v.buffer));
    expect(await stub.select([{ type: "=", name: "__name__", value: "small" }], { start: 0, end: 1e12 })).toHaveLength(500);
  });
});
