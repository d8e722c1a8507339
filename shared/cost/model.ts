/**
 * @module
 * What a workload costs a month on Workers Paid, from the operation counts
 * the cost test measures per tick (test/workers/cost.test.ts) and Cloudflare's
 * list prices. docs/cost.md is computed with it; the sharding designs of
 * docs/architecture.md are compared with it.
 */

/** Workers Paid list prices and included amounts (Cloudflare's pricing pages for Workers, Durable Objects, R2). */
export const PRICES = {
  baseFee: 5,
  doRequests: { perMillion: 0.15, included: 1e6 },
  doGbSeconds: { perMillion: 12.5, included: 400_000 },
  sqliteRowsWritten: { perMillion: 1.0, included: 50e6 },
  sqliteStorageGbMonth: { per: 0.2, included: 5 },
  r2ClassA: { perMillion: 4.5, included: 1e6 },
  r2ClassB: { perMillion: 0.36, included: 10e6 },
  r2StorageGbMonth: { per: 0.015, included: 10 },
} as const;

export const MONTH_S = 30 * 86_400;
const BLOCK_S = 7_200;
/** A Durable Object is billed at 128 MB whatever it uses. */
const OBJECT_GB = 0.125;

/** Operations measured per event (the cost test asserts these). */
export const MEASURED = {
  /** A scheduler tick: its alarm and one append RPC to the paired head shard (paired); the alarm alone when the head lives in the scheduler (merged). */
  requestsPerTick: { paired: 2, merged: 1, hashed: 0 },
  walRowsPerTick: 1,
  /** A checkpoint every 240 WAL rows writes a row per block range touched: at most 2. */
  checkpointEveryTicks: 240,
  rowsPerCheckpoint: 2,
  /** A block cut writes the shard's minValidTime: one row. */
  rowsPerBlockCut: 1,
  /** meta.json, index, tombstones, chunks/000001. */
  r2PutsPerBlock: 4,
} as const;

export interface Workload {
  series: number;
  intervalS: number;
  seriesPerTarget: number;
  retentionDays: number;
  /**
   * Blackbox probes (workers/probe). Each endpoint is a target of the
   * scheduler, scraped in its ticks like any other. Without `region` (the
   * default, regions 0) the probe runs in that tick, in-process: no request
   * of its own. With regions, each probe costs one Prober Durable Object
   * request per region, and that object's duration while it waits.
   */
  probes?: { endpoints: number; intervalS: number; regions: number; seriesPerProbe: number };
}

export interface Design {
  kind: "paired" | "merged" | "hashed";
  seriesPerShard: number;
  tickS: number;
  /** How duration is billed: active time only (current pricing page) or every object awake all month (the upper bound). */
  duration: "active" | "always-on";
  /** Wall time an object is active per tick (scheduler: waiting for exporters; head: the append). */
  activeSPerTick: { scheduler: number; head: number };
}

export interface Line {
  item: string;
  volume: number;
  cost: number;
}

/** Expected occupied tick slots per second for `targets` spread at random offsets over `intervalS`. */
export function ticksPerSecond(targets: number, intervalS: number, tickS: number): number {
  return occupiedTicksPerSecond([{ targets, intervalS }], tickS);
}

/** The same for groups of targets at different intervals: a slot is occupied when any target is due in it. */
export function occupiedTicksPerSecond(groups: readonly { targets: number; intervalS: number }[], tickS: number): number {
  let free = 1;
  for (const g of groups) {
    const slots = Math.max(1, Math.round(g.intervalS / tickS));
    free *= Math.pow(1 - 1 / slots, g.targets);
  }
  return (1 - free) / tickS;
}

function priced(volume: number, p: { perMillion: number; included: number }): number {
  return (Math.max(0, volume - p.included) * p.perMillion) / 1e6;
}

export function monthlyCost(w: Workload, d: Design): { lines: Line[]; total: number; shards: number; objects: number } {
  const p = w.probes;
  const probeSeries = p ? p.endpoints * p.seriesPerProbe * Math.max(1, p.regions) : 0;
  const shards = Math.max(1, Math.ceil((w.series + probeSeries) / d.seriesPerShard));
  const targets = w.series / w.seriesPerTarget;
  const groups = (n: number) => [{ targets: targets / n, intervalS: w.intervalS }, ...(p ? [{ targets: p.endpoints / n, intervalS: p.intervalS }] : [])];
  const perShardTicks = occupiedTicksPerSecond(groups(shards), d.tickS);
  // Hash routing: each tick's series spread over every head shard (one RPC and one WAL row each).
  const scrapeShards = d.kind === "hashed" ? Math.max(1, Math.ceil(targets / 650)) : shards;
  const ticks = (d.kind === "hashed" ? ticksPerSecond(targets / scrapeShards, w.intervalS, d.tickS) * scrapeShards : perShardTicks * shards) * MONTH_S;
  const appendsPerTick = d.kind === "hashed" ? shards : 0;
  // Regional probes: a Prober request per probe per region (a probe's wall time: the scheduler's estimate per tick).
  const probeRequests = p && p.regions > 0 ? (p.endpoints / p.intervalS) * p.regions * MONTH_S : 0;
  const proberActive = Math.min(probeRequests * d.activeSPerTick.scheduler, (p?.regions ?? 0) * MONTH_S);
  const requests = ticks * (MEASURED.requestsPerTick[d.kind] + appendsPerTick + (d.kind === "hashed" ? 1 : 0)) + probeRequests;
  const walRows = ticks * MEASURED.walRowsPerTick * (d.kind === "hashed" ? shards : 1);
  const blocks = shards * (MONTH_S / BLOCK_S);
  const otherRows = (walRows / MEASURED.checkpointEveryTicks) * MEASURED.rowsPerCheckpoint + blocks * MEASURED.rowsPerBlockCut;
  const objects = (d.kind === "paired" ? 2 * shards : d.kind === "merged" ? shards : shards + scrapeShards) + (p?.regions ?? 0);
  const active = ticks * (d.activeSPerTick.scheduler + (d.kind === "merged" ? 0 : d.activeSPerTick.head * (d.kind === "hashed" ? shards : 1))) + proberActive;
  const gbSeconds = (d.duration === "always-on" ? objects * MONTH_S : active) * OBJECT_GB;
  const samples = (w.series / w.intervalS) * MONTH_S + (p ? (probeSeries / p.intervalS) * MONTH_S : 0);
  // Blocks at the measured 1.876 B/sample of chunk file, plus ~10 % index; compaction about halves the block count again.
  const r2Gb = ((samples * (w.retentionDays * 86_400)) / MONTH_S) * 1.876 * 1.1 / 2 ** 30;
  const r2Puts = blocks * MEASURED.r2PutsPerBlock * 1.5;
  const r2Gets = blocks * 10;
  // Head SQLite: the WAL back to the oldest open chunk (~120 samples) and 3 h of checkpointed chunks, per shard.
  const samplesPerTickPerShard = samples / MONTH_S / shards / perShardTicks;
  const walBytes = (120 * w.intervalS + MEASURED.checkpointEveryTicks) * perShardTicks * samplesPerTickPerShard * 130;
  const sqliteGb = (shards * walBytes + ((samples / MONTH_S) * 3 * 3600) * 2) / 2 ** 30;
  const lines: Line[] = [
    { item: "Workers Paid base fee", volume: 1, cost: PRICES.baseFee },
    { item: "DO requests", volume: requests, cost: priced(requests, PRICES.doRequests) },
    { item: "DO duration (GB-s)", volume: gbSeconds, cost: priced(gbSeconds, PRICES.doGbSeconds) },
    { item: "SQLite rows written: WAL", volume: walRows, cost: 0 },
    { item: "SQLite rows written: checkpoints, cuts", volume: otherRows, cost: 0 },
    { item: "SQLite storage (GB-month)", volume: sqliteGb, cost: Math.max(0, sqliteGb - PRICES.sqliteStorageGbMonth.included) * PRICES.sqliteStorageGbMonth.per },
    { item: "R2 Class A (puts)", volume: r2Puts, cost: priced(r2Puts, PRICES.r2ClassA) },
    { item: "R2 Class B (gets, compaction)", volume: r2Gets, cost: priced(r2Gets, PRICES.r2ClassB) },
    { item: "R2 storage (GB-month)", volume: r2Gb, cost: Math.max(0, r2Gb - PRICES.r2StorageGbMonth.included) * PRICES.r2StorageGbMonth.per },
  ];
  // Rows written are one meter: the included 50 M apply to their sum.
  const rowsCost = priced(walRows + otherRows, PRICES.sqliteRowsWritten);
  lines[3]!.cost = (rowsCost * walRows) / (walRows + otherRows);
  lines[4]!.cost = rowsCost - lines[3]!.cost;
  const total = lines.reduce((a, l) => a + l.cost, 0);
  return { lines, total, shards, objects };
}
