/**
 * @module
 * HeadShard: the Durable Object that owns the head of one shard of series.
 * Samples live in memory as XOR chunks (shared/tsdb/head.ts); every append
 * batch is first written as one WAL row in the object's SQLite, so an
 * acknowledged sample survives eviction and restarts. Chunks are
 * checkpointed into SQLite periodically, which lets the WAL be truncated.
 *
 * Rows written (and deleted: a delete is billed as a write) are what the head
 * costs, so: a checkpoint packs every chunk to store into one row per block
 * range (shared/tsdb/checkpoint/plan.ts), and rows that became redundant are
 * never deleted but overwritten by the next write (RowSlots): a WAL row costs
 * one row written, a checkpoint one or two, a block cut one (docs/cost.md).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { AppendResult, SeriesData, SelectHints } from "../../shared/tsdb/querier.ts";
import { SampleLimitError } from "../../shared/tsdb/querier.ts";
import type { MatcherSpec } from "../../shared/labels/matcher.ts";
import { matcherFromSpec } from "../../shared/labels/matcher.ts";
import { Head } from "../../shared/tsdb/head.ts";
import type { HeadStats as HeadMemoryStats } from "../../shared/tsdb/head.ts";
import { encodeWalRecord, decodeWalRecord } from "../../shared/tsdb/wal-record.ts";
import { planCheckpointRows } from "../../shared/tsdb/checkpoint/plan.ts";
import { decodeSegmentViews } from "../../shared/tsdb/checkpoint/segment.ts";
import type { SegmentChunk } from "../../shared/tsdb/checkpoint/segment.ts";
import { spanStore, storedLocation } from "../../shared/tsdb/head-stored.ts";
import type { HeadChunk, StoredChunk } from "../../shared/tsdb/head.ts";
import { RowSlots } from "../../shared/tsdb/checkpoint/slots.ts";
import { labelsKey, compareLabels } from "../../shared/labels/labels.ts";
import { writeBlock, encodeChunks, compactBlocks } from "../../shared/tsdb/block/index.ts";
import type { BlockSeries, WrittenBlock } from "../../shared/tsdb/block/index.ts";
import { storeBlock, deleteBlocks, listBlocks, blocksBefore, blockReader, catalogVersion } from "./blocks.ts";
import { currentConfig } from "../config/index.ts";
import { packSeriesSets } from "../../shared/tsdb/packed.ts";
import type { SelectRequestSpec, ShardLabelsRequest, ShardLabelsResult, ShardSelectResult } from "./read-path.ts";
import type { Labels } from "../../shared/labels/labels.ts";
import { BLOCK_RANGE_MS, blockCutDue, nextCutRange, retentionCutoff } from "../../shared/tsdb/time-bounds.ts";
import { maxValidTime } from "../../shared/limits/ingest-limits.ts";
import { ingestLimitsOrDefaults } from "../limits.ts";
import { summarizeSeries } from "../../shared/tsdb/cardinality.ts";
import type { ShardCardinality } from "../../shared/tsdb/cardinality.ts";

/** The bytes of a stored chunk restored by location (they stay in the row). */
const NO_BYTES = new Uint8Array(0);

/** Checkpoint after this many WAL rows, so replay on start stays short. */
const CHECKPOINT_EVERY_ROWS = 240;

/** A series without samples for this long has its open chunk persisted, so the WAL can move on. */
const IDLE_SERIES_MS = 10 * 60_000;

/** Default retention, counted back from the newest data (Prometheus's 15d). */
const DEFAULT_RETENTION_MS = 15 * 24 * 3600_000;

/** The head's own statistics plus this object's WAL and lifetime counters. */
export interface HeadStats extends HeadMemoryStats {
  walRows: number;
  /** WAL rows the head still needs, and rows in the table (the rest wait to be overwritten). */
  walRowsLive: number;
  walRowsStored: number;
  /** Checkpoint rows the head still needs, and rows in the table. */
  checkpointRowsLive: number;
  checkpointRowsStored: number;
  appendedTotal: number;
  outOfOrderTotal: number;
  duplicateTotal: number;
  tooOldTotal: number;
  backfilledTotal: number;
  blocksWritten: number;
  minValidTime: number;
  /** Billed operations since the object started (docs/cost.md): append RPCs received, */
  appendCalls: number;
  /** WAL rows inserted, SQLite rows written (as billed: cursors' rowsWritten), */
  walRowsWritten: number;
  sqlRowsWritten: number;
  /** SQLite rows read back for stored chunks (billed as rows read). */
  sqlRowsRead: number;
  sqlDatabaseBytes: number;
  /** R2 objects put and D1 rows written for blocks. */
  r2Puts: number;
  d1RowsWritten: number;
}

export interface AppendOptions {
  /** This object's shard index (recorded with the blocks it writes). */
  shard?: number;
  /**
   * Samples older than the head (before the last block cut) are written
   * straight into new blocks instead of being refused (bulk import).
   */
  backfill?: boolean;
}

export class HeadShard extends DurableObject<Env> {
  #head = new Head();
  #sql: SqlStorage;
  #walRows = 0;
  #totals = { appended: 0, outOfOrder: 0, duplicate: 0, tooOld: 0, backfilled: 0, blocks: 0 };
  #billed = { appendCalls: 0, walRows: 0, sqlRows: 0, sqlRowsRead: 0, r2Puts: 0, d1Rows: 0 };
  #shard = 0;
  /** Per series, the minT of the newest chunk already in SQLite; older chunks are closed and unchanged. */
  #persisted = new Map<string, number>();
  /**
   * Series whose newest stored chunk was stored while still open (it went
   * idle), with the last timestamp stored: the WAL holds the rest.
   */
  #partial = new Map<string, number>();
  /** Per series not idle, the start of its open chunk: WAL rows before the earliest are redundant. */
  #openMinT = new Map<string, number>();
  /** Rows of the `wal_rows` and `checkpoints` tables, live or free for reuse. */
  #walSlots = new RowSlots();
  #segmentSlots = new RowSlots();
  /** Order of rows across reuse: replay and restore go by it. */
  #seq = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    // Closed chunks in checkpoint rows leave the heap; queries and block cuts read them back from here.
    this.#head.store = spanStore((slot, offset, length) => {
      const cursor = this.#sql.exec<{ b: ArrayBuffer }>(`SELECT substr(data, ?, ?) AS b FROM checkpoints WHERE slot = ?`, offset + 1, length, slot);
      const row = cursor.toArray()[0];
      this.#billed.sqlRowsRead += cursor.rowsRead;
      if (row === undefined) throw new Error(`HeadShard: checkpoint row ${slot} is missing`);
      return new Uint8Array(row.b);
    });
    ctx.blockConcurrencyWhile(async () => this.#load());
  }

  /** A writing statement, counted as billed. */
  #write(query: string, ...bindings: unknown[]): void {
    this.#billed.sqlRows += this.#sql.exec(query, ...bindings).rowsWritten;
  }

  /** Stores a block, counting its R2 puts and D1 rows. */
  async #store(b: WrittenBlock): Promise<void> {
    const written = await storeBlock(this.env, this.#shard, b);
    this.#billed.r2Puts += written.r2Puts;
    this.#billed.d1Rows += written.d1RowsWritten;
    this.#totals.blocks++;
  }

  #load(): void {
    for (const table of ["wal_rows", "checkpoints"]) {
      this.#sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL, max_t INTEGER NOT NULL, data BLOB NOT NULL)`);
    }
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    for (const row of this.#sql.exec<{ key: string; value: string }>(`SELECT key, value FROM meta`)) {
      if (row.key === "minValidTime") this.#head.minValidTime = Number(row.value);
      if (row.key === "shard") this.#shard = Number(row.value);
    }
    const minValid = this.#head.minValidTime;
    // Checkpointed chunks first (a later row's chunk replaces an earlier one
    // with the same start: an open chunk stored when idle, then closed),
    // then the WAL rows written after them.
    // Chunks are kept as their location in the rows, bytes left there: only
    // the newest of each series is copied out (it becomes the open chunk), so
    // a restart does not hold every row at once.
    type Restoring = { labels: Labels; chunks: Map<number, HeadChunk>; newest?: HeadChunk };
    const stored = new Map<string, Restoring>();
    const segRows: { slot: number; maxT: number }[] = [];
    for (const row of this.#sql.exec<{ slot: number; seq: number; max_t: number; data: ArrayBuffer }>(
      `SELECT slot, seq, max_t, data FROM checkpoints ORDER BY seq`,
    )) {
      segRows.push({ slot: row.slot, maxT: row.max_t });
      this.#seq = Math.max(this.#seq, row.seq + 1);
      if (row.max_t < minValid) continue;
      for (const e of decodeSegmentViews(new Uint8Array(row.data))) {
        const key = labelsKey(e.labels);
        const s: Restoring = stored.get(key) ?? { labels: e.labels, chunks: new Map() };
        stored.set(key, s);
        for (const c of e.chunks) {
          if (c.maxT < minValid) continue;
          const chunk: HeadChunk = { minT: c.minT, maxT: c.maxT, bytes: NO_BYTES, stored: { loc: storedLocation(row.slot, c.offset), length: c.bytes.length, samples: c.bytes.length < 2 ? 0 : (c.bytes[0]! << 8) | c.bytes[1]! } };
          s.chunks.set(c.minT, chunk);
          if (s.newest === undefined || c.minT >= s.newest.minT) {
            if (s.newest !== undefined) s.newest.bytes = NO_BYTES;
            chunk.bytes = c.bytes.slice();
            s.newest = chunk;
          }
        }
      }
    }
    this.#segmentSlots = new RowSlots(segRows);
    this.#segmentSlots.releaseBefore(minValid);
    for (const [key, s] of stored) this.#restore(key, s.labels, [...s.chunks.values()].sort((a, b) => a.minT - b.minT));
    const legacy = this.#loadLegacy();
    const walRows: { slot: number; maxT: number }[] = [];
    for (const row of this.#sql.exec<{ slot: number; seq: number; max_t: number; data: ArrayBuffer }>(`SELECT slot, seq, max_t, data FROM wal_rows ORDER BY seq`)) {
      walRows.push({ slot: row.slot, maxT: row.max_t });
      this.#seq = Math.max(this.#seq, row.seq + 1);
      // A row freed for reuse but not yet overwritten replays as duplicates of stored chunks, or too old.
      if (row.max_t < minValid) continue;
      this.#replay(row.slot, new Uint8Array(row.data));
    }
    this.#walSlots = new RowSlots(walRows);
    this.#walSlots.releaseBefore(minValid);
    if (legacy) this.#migrateLegacy();
  }

  #replay(where: number, data: Uint8Array): void {
    try {
      this.#head.appendBatch(decodeWalRecord(data));
    } catch (e) {
      // One bad row must not keep the shard from starting; say which.
      console.error(`HeadShard: skipping WAL row ${where}: ${(e as Error).message}`);
    }
    this.#walRows++;
  }

  /** Restores one series from stored chunks; the newest may have been stored while open. */
  #restore(key: string, labels: Labels, chunks: HeadChunk[]): void {
    // Chunks of one series never overlap; should a damaged row say otherwise, keep the earlier.
    const ok = chunks.filter((c, i) => i === 0 || c.minT > chunks[i - 1]!.maxT);
    if (ok.length < chunks.length) console.error(`HeadShard: ${chunks.length - ok.length} overlapping stored chunks of ${key} skipped`);
    if (ok.length === 0) return;
    // The last becomes the open chunk and needs its bytes (read back if a skipped chunk was the newest).
    const last = ok[ok.length - 1]!;
    if (last.bytes.length === 0 && last.stored !== undefined) last.bytes = this.#head.store!.read([last.stored.loc], [last.stored.length])[0]!.slice();
    try {
      this.#head.restoreSeries(labels, ok);
    } catch (e) {
      console.error(`HeadShard: skipping stored series: ${(e as Error).message}`);
      return;
    }
    this.#persisted.set(key, ok[ok.length - 1]!.minT);
    // It may have been stored while open; rewrite it once it changes.
    this.#partial.set(key, ok[ok.length - 1]!.maxT);
  }

  /**
   * Objects written before checkpoint rows existed had a row per chunk
   * (`chunks`, `series`) and a row per WAL record (`wal`). They are read
   * once, stored as checkpoint rows, and dropped (see #migrateLegacy).
   */
  #loadLegacy(): boolean {
    const tables = new Set([...this.#sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)].map((r) => r.name));
    if (!tables.has("chunks") && !tables.has("wal")) return false;
    if (tables.has("chunks") && tables.has("series")) {
      const labelsByKey = new Map<string, Labels>();
      for (const row of this.#sql.exec<{ key: string; labels: string }>(`SELECT key, labels FROM series`)) labelsByKey.set(row.key, JSON.parse(row.labels) as Labels);
      const byKey = new Map<string, SegmentChunk[]>();
      for (const row of this.#sql.exec<{ series: string; min_t: number; max_t: number; data: ArrayBuffer }>(`SELECT series, min_t, max_t, data FROM chunks ORDER BY series, min_t`)) {
        if (row.max_t < this.#head.minValidTime) continue;
        const list = byKey.get(row.series) ?? [];
        list.push({ minT: row.min_t, maxT: row.max_t, bytes: new Uint8Array(row.data) });
        byKey.set(row.series, list);
      }
      for (const [key, chunks] of byKey) {
        const labels = labelsByKey.get(key);
        if (labels) this.#restore(labelsKey(labels), labels, chunks);
      }
    }
    if (tables.has("wal")) {
      for (const row of this.#sql.exec<{ seq: number; data: ArrayBuffer }>(`SELECT seq, data FROM wal ORDER BY seq`)) this.#replay(row.seq, new Uint8Array(row.data));
    }
    return true;
  }

  /** Stores the whole head as checkpoint rows (open chunks as idle ones), then drops the old tables. */
  #migrateLegacy(): void {
    const all = this.#head.chunksInRange(-Infinity, Infinity);
    this.ctx.storage.transactionSync(() => {
      for (const row of planCheckpointRows(all, { blockRange: BLOCK_RANGE_MS })) this.#putRow("checkpoints", this.#segmentSlots, row);
      for (const table of ["chunks", "series", "wal"]) this.#sql.exec(`DROP TABLE IF EXISTS ${table}`);
    });
    for (const s of all) {
      const last = s.chunks[s.chunks.length - 1]!;
      const key = labelsKey(s.labels);
      this.#persisted.set(key, last.minT);
      this.#partial.set(key, last.maxT);
    }
    this.#openMinT.clear();
    this.#head.markClean();
    this.#walRows = 0;
  }

  /** Writes a row into a freed slot (one row written) or a new one; returns the slot. */
  #putRow(table: "wal_rows" | "checkpoints", slots: RowSlots, row: { maxT: number; data: Uint8Array }): number {
    const { slot, reuse } = slots.take(row.maxT);
    const seq = this.#seq++;
    if (reuse) this.#write(`UPDATE ${table} SET seq = ?, max_t = ?, data = ? WHERE slot = ?`, seq, row.maxT, row.data, slot);
    else this.#write(`INSERT INTO ${table} (slot, seq, max_t, data) VALUES (?, ?, ?, ?)`, slot, seq, row.maxT, row.data);
    return slot;
  }

  /**
   * Appends one batch. Resolves only after the WAL row is durable (the
   * object's output gate holds the reply until the write has persisted).
   */
  async append(batch: SeriesData[], opts: AppendOptions = {}): Promise<AppendResult> {
    this.#billed.appendCalls++;
    if (opts.shard !== undefined && opts.shard !== this.#shard) {
      this.#shard = opts.shard;
      this.#write(`INSERT OR REPLACE INTO meta (key, value) VALUES ('shard', ?)`, String(opts.shard));
    }
    // Every path (scrapes too) refuses samples too far in the future, as Prometheus's timeLimitAppender.
    const grace = ingestLimitsOrDefaults(this.env).futureGraceMs;
    this.#head.maxValidTime = maxValidTime(Date.now(), { futureGraceMs: grace });
    let old: SeriesData[] = [];
    if (opts.backfill && this.#head.minValidTime > -Infinity) [batch, old] = splitBefore(batch, this.#head.minValidTime);
    // Encoded first: a batch the WAL cannot hold throws before memory changes,
    // so nothing is ever accepted without being durable.
    const records = batch.length > 0 ? walRecords(batch) : [];
    const res = batch.length > 0 ? this.#head.appendBatch(batch) : { accepted: 0, outOfOrder: 0, duplicate: 0, tooOld: 0 };
    // appendBatch validates the whole batch before changing anything, so a
    // batch that throws never reaches the WAL.
    if (batch.length > 0) {
      const maxT = batchMaxTime(batch);
      for (const record of records) {
        this.#putRow("wal_rows", this.#walSlots, { maxT, data: record });
        this.#walRows++;
        this.#billed.walRows++;
      }
    }
    if (old.length > 0) res.accepted += await this.#backfill(old);
    this.#totals.appended += res.accepted;
    this.#totals.outOfOrder += res.outOfOrder;
    this.#totals.duplicate += res.duplicate;
    this.#totals.tooOld += res.tooOld;
    if (this.#walRows >= CHECKPOINT_EVERY_ROWS) this.#checkpoint();
    // Backfilled blocks overlap one another until compaction merges them.
    if ((old.length > 0 || this.#flushDue()) && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    return res;
  }

  /** Writes samples older than the head straight into blocks, one per 2h range. */
  async #backfill(batch: SeriesData[]): Promise<number> {
    const byRange = new Map<number, BlockSeries[]>();
    let n = 0;
    for (const s of [...batch].sort((a, b) => compareLabels(a.labels, b.labels))) {
      let i = 0;
      while (i < s.t.length) {
        const start = Math.floor(s.t[i]! / BLOCK_RANGE_MS) * BLOCK_RANGE_MS;
        let j = i;
        while (j < s.t.length && s.t[j]! < start + BLOCK_RANGE_MS) j++;
        const list = byRange.get(start) ?? [];
        list.push({ labels: s.labels, chunks: encodeChunks(s.t.subarray(i, j), s.v.subarray(i, j)) });
        byRange.set(start, list);
        n += j - i;
        i = j;
      }
    }
    for (const [start, series] of byRange) await this.#store(writeBlock(series, { minTime: start, maxTime: start + BLOCK_RANGE_MS }));
    this.#totals.backfilled += n;
    return n;
  }

  /** Prometheus cuts a block once the head spans more than 1.5 block ranges (up to the wall clock, shared/tsdb/time-bounds.ts). */
  #flushDue(): boolean {
    return blockCutDue(this.#head.stats(), Date.now(), ingestLimitsOrDefaults(this.env).futureGraceMs);
  }

  /** Cuts the oldest 2h of the head into a block in R2 and drops it from the head. */
  async flush(): Promise<boolean> {
    if (!this.#flushDue()) return false;
    const { start, end } = nextCutRange(this.#head.stats().minTime);
    // First, so nothing more lands in the range being written.
    this.#head.minValidTime = Math.max(this.#head.minValidTime, end);
    // Series by series, so the chunks read back from checkpoint rows are not all held beside the block.
    const block = writeBlock(this.#head.iterateChunksInRange(start, end), { minTime: start, maxTime: end, chunkFileBytes: this.#head.chunkFileBytesInRange(start, end) });
    if (block.stats.numSeries > 0) await this.#store(block);
    // Only once the block is safe: forget it here, durably.
    this.#checkpoint();
    this.#head.truncateBefore(end);
    // One row written: rows holding only data before the cut are skipped on
    // load from now on, and overwritten by later writes instead of deleted.
    this.#write(`INSERT OR REPLACE INTO meta (key, value) VALUES ('minValidTime', ?)`, String(this.#head.minValidTime));
    this.#segmentSlots.releaseBefore(end);
    this.#walSlots.releaseBefore(end);
    for (const [key, minT] of this.#persisted) if (minT < end) this.#persisted.delete(key);
    for (const [key, minT] of this.#openMinT) if (minT < end) this.#openMinT.delete(key);
    for (const key of this.#partial.keys()) if (!this.#persisted.has(key)) this.#partial.delete(key);
    return true;
  }

  /** Block maintenance, off the append path: cut blocks, compact, apply retention. */
  override async alarm(): Promise<void> {
    while (await this.flush());
    while (await this.compact());
    await this.applyRetention();
  }

  /**
   * Merges this shard's blocks within one aligned range (2 h, where backfill
   * leaves overlapping blocks, then 3x steps as Prometheus's ranges) once the
   * range is wholly in the past.
   */
  async compact(): Promise<boolean> {
    const retention = await this.#retention();
    const maxRange = Math.min(retention / 10, 31 * 24 * 3600_000);
    const rows = await listBlocks(this.env, { shard: this.#shard });
    // From 2 h: backfill writes a block per request and 2 h range, which merge into one.
    for (let range = BLOCK_RANGE_MS; range <= maxRange; range *= 3) {
      const groups = new Map<number, typeof rows>();
      for (const r of rows) {
        const g = Math.floor(r.minTime / range);
        if (r.maxTime > (g + 1) * range) continue;
        groups.set(g, [...(groups.get(g) ?? []), r]);
      }
      for (const [g, group] of groups) {
        if (group.length < 2 || (g + 1) * range > this.#head.minValidTime) continue;
        // Compaction holds every chunk in memory; keep well inside the object's 128 MB.
        if (group.reduce((a, r) => a + r.sizeBytes, 0) > 32 * 1024 * 1024) continue;
        const merged = await compactBlocks(await Promise.all(group.map((r) => blockReader(this.env, r))));
        await this.#store(merged);
        this.#billed.d1Rows += await deleteBlocks(this.env, group);
        return true;
      }
    }
    return false;
  }

  /** Deletes blocks entirely older than the retention, counted back from the newest data but never from beyond the wall clock. */
  async applyRetention(): Promise<number> {
    const retention = await this.#retention();
    const rows = await listBlocks(this.env, { shard: this.#shard });
    const head = this.#head.stats();
    const newest = Math.max(head.numSamples > 0 ? head.maxTime : -Infinity, ...rows.map((r) => r.maxTime));
    const cutoff = retentionCutoff(newest, Date.now(), retention, ingestLimitsOrDefaults(this.env).futureGraceMs);
    if (cutoff === undefined) return 0;
    const old = await blocksBefore(this.env, cutoff);
    const mine = old.filter((r) => r.shard === this.#shard);
    this.#billed.d1Rows += await deleteBlocks(this.env, mine);
    return mine.length;
  }

  /** From the config in force (a reload changes it; under npm start the user's file, not the bundled one). */
  async #retention(): Promise<number> {
    try {
      return (await currentConfig(this.env)).config.storage.retentionTime ?? DEFAULT_RETENTION_MS;
    } catch {
      return DEFAULT_RETENTION_MS;
    }
  }

  /**
   * Persists what the WAL no longer needs to hold, then frees the WAL rows
   * older than every open chunk for reuse. Closed chunks are stored once
   * (they never change); an open chunk only when its series has gone idle.
   * All of them go into one row per block range touched (a few only past
   * 2 MB), so a checkpoint costs one or two rows written however many series
   * the shard holds.
   */
  #checkpoint(): void {
    const idleBefore = this.#head.stats().maxTime - IDLE_SERIES_MS;
    const toStore: { labels: Labels; chunks: SegmentChunk[] }[] = [];
    // Closed chunks written, by object: once durable their bytes leave the heap (Head.markStored).
    const closed = new Map<SegmentChunk, number>();
    for (const s of this.#head.dirtySeries()) {
      const key = labelsKey(s.labels);
      const from = this.#persisted.get(key);
      const open = s.chunks[s.chunks.length - 1]!;
      const idle = open.maxT < idleBefore;
      let newest = from;
      let closedWritten = false;
      const chunks: SegmentChunk[] = [];
      for (const c of s.chunks) {
        if (c === open && !idle) break;
        // Closed chunks already stored are final, except one stored while still open.
        if (from !== undefined && (c.minT < from || (c.minT === from && !this.#partial.has(key)))) continue;
        chunks.push(c);
        newest = c.minT;
        closedWritten ||= c !== open;
        if (c !== open) closed.set(c, s.ref);
      }
      if (chunks.length > 0) toStore.push({ labels: s.labels, chunks });
      if (newest !== undefined) this.#persisted.set(key, newest);
      // A chunk stored while open, now stored closed, is final.
      if (closedWritten) this.#partial.delete(key);
      if (idle) {
        this.#partial.set(key, open.maxT);
        this.#openMinT.delete(key);
      } else {
        // Of a chunk stored while idle, only what came after is in the WAL alone.
        const stored = open.minT === from ? this.#partial.get(key) : undefined;
        this.#openMinT.set(key, stored !== undefined ? stored + 1 : open.minT);
      }
    }
    const placed: StoredChunk[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const row of planCheckpointRows(toStore, { blockRange: BLOCK_RANGE_MS })) {
        const slot = this.#putRow("checkpoints", this.#segmentSlots, row);
        for (const p of row.placed) {
          const ref = closed.get(p.chunk);
          if (ref !== undefined) placed.push({ ref, minT: p.chunk.minT, loc: storedLocation(slot, p.offset) });
        }
      }
    });
    this.#head.markStored(placed);
    // Only once the chunks are stored: WAL rows older than every open chunk may be overwritten.
    let cutoff = Infinity;
    for (const t of this.#openMinT.values()) if (t < cutoff) cutoff = t;
    this.#walSlots.releaseBefore(cutoff);
    this.#head.markClean();
    this.#walRows = 0;
  }

  async select(matchers: MatcherSpec[], hints: SelectHints): Promise<SeriesData[]> {
    return this.#head.select(matchers.map(matcherFromSpec), hints);
  }

  /**
   * Query side: every selection of a query in one call, answered with the
   * samples packed into typed arrays, the block catalog version this isolate
   * knows and the time below which this head holds nothing.
   */
  async selectMany(requests: SelectRequestSpec[], maxSamples = Infinity): Promise<ShardSelectResult> {
    const sets: SeriesData[][] = [];
    let left = maxSamples;
    try {
      for (const r of requests) {
        const set = await this.#head.select(r.matchers.map(matcherFromSpec), { ...r.hints, maxSamples: left });
        for (const s of set) left -= s.t.length;
        sets.push(set);
      }
    } catch (e) {
      // Said in the answer: a thrown error would be logged here as uncaught.
      if (!(e instanceof SampleLimitError)) throw e;
      return { packed: packSeriesSets([]), catalog: catalogVersion(), minValidTime: this.#head.minValidTime, overLimit: true };
    }
    return { packed: packSeriesSets(sets), catalog: catalogVersion(), minValidTime: this.#head.minValidTime };
  }

  /**
   * Label names (no `name`) or one label's values, with the catalog version
   * and minValidTime as selectMany answers, so label lookups reuse the
   * query side's cached block catalog.
   */
  async labels(request: ShardLabelsRequest): Promise<ShardLabelsResult> {
    const matchers = request.matchers.map(matcherFromSpec);
    const values = request.name === undefined
      ? await this.#head.labelNames(matchers, request.hints)
      : await this.#head.labelValues(request.name, matchers, request.hints);
    return { values, catalog: catalogVersion(), minValidTime: this.#head.minValidTime };
  }

  /** Label statistics of the head's series, for /api/v1/status/tsdb. */
  cardinality(): ShardCardinality {
    return summarizeSeries(this.#head.seriesLabels());
  }

  async stats(): Promise<HeadStats> {
    const s = this.#head.stats();
    return {
      ...s,
      walRows: this.#walRows,
      walRowsLive: this.#walSlots.live,
      walRowsStored: this.#walSlots.total,
      checkpointRowsLive: this.#segmentSlots.live,
      checkpointRowsStored: this.#segmentSlots.total,
      appendedTotal: this.#totals.appended,
      outOfOrderTotal: this.#totals.outOfOrder,
      duplicateTotal: this.#totals.duplicate,
      tooOldTotal: this.#totals.tooOld,
      backfilledTotal: this.#totals.backfilled,
      blocksWritten: this.#totals.blocks,
      minValidTime: this.#head.minValidTime,
      appendCalls: this.#billed.appendCalls,
      walRowsWritten: this.#billed.walRows,
      sqlRowsWritten: this.#billed.sqlRows,
      sqlRowsRead: this.#billed.sqlRowsRead,
      sqlDatabaseBytes: this.#sql.databaseSize,
      r2Puts: this.#billed.r2Puts,
      d1RowsWritten: this.#billed.d1Rows,
    };
  }
}

/** Cloudflare limits a Durable Object's SQLite row to 2 MB; local workerd does not enforce it. */
export const MAX_WAL_ROW_BYTES = 2_000_000;

/**
 * The batch as WAL records: one, unless it is larger than a row may be (a
 * big import), then as few as fit, series split between them in time order.
 */
export function walRecords(batch: readonly SeriesData[], maxBytes = MAX_WAL_ROW_BYTES): Uint8Array[] {
  const whole = encodeWalRecord(batch);
  if (whole.length <= maxBytes) return [whole];
  const enc = new TextEncoder();
  const out: Uint8Array[] = [];
  let piece: SeriesData[] = [];
  let size = 4;
  for (const s of batch) {
    const labelBytes = enc.encode(JSON.stringify(s.labels.flatMap((l) => [l.name, l.value]))).length;
    let i = 0;
    while (i < s.t.length) {
      const room = Math.floor((maxBytes - size - 8 - labelBytes) / 16);
      if (room < 1) {
        if (piece.length === 0) throw new Error(`HeadShard: labels of ${labelBytes} bytes do not fit a WAL row`);
        out.push(encodeWalRecord(piece));
        piece = [];
        size = 4;
        continue;
      }
      const j = Math.min(s.t.length, i + room);
      piece.push({ labels: s.labels, t: s.t.subarray(i, j), v: s.v.subarray(i, j) });
      size += 8 + labelBytes + 16 * (j - i);
      i = j;
    }
  }
  if (piece.length > 0) out.push(encodeWalRecord(piece));
  return out;
}

/** Splits each series into the samples before `t` and the rest. */
function splitBefore(batch: SeriesData[], t: number): [SeriesData[], SeriesData[]] {
  const recent: SeriesData[] = [];
  const old: SeriesData[] = [];
  for (const s of batch) {
    let k = 0;
    while (k < s.t.length && s.t[k]! < t) k++;
    if (k > 0) old.push({ labels: s.labels, t: s.t.subarray(0, k), v: s.v.subarray(0, k) });
    if (k < s.t.length) recent.push({ labels: s.labels, t: s.t.subarray(k), v: s.v.subarray(k) });
  }
  return [recent, old];
}

/** The newest timestamp in a batch: a WAL row is redundant once every open chunk starts after it. */
function batchMaxTime(batch: readonly SeriesData[]): number {
  let m = -Infinity;
  for (const s of batch) for (let i = 0; i < s.t.length; i++) if (s.t[i]! > m) m = s.t[i]!;
  return m;
}
