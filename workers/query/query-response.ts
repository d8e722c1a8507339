/**
 * @module
 * Runs a query for /api/v1/query and /api/v1/query_range and renders the
 * answer. With `stats` (Prometheus's parameter) the data carries
 * `stats.timings` and `stats.samples` as Prometheus's do, plus
 * `stats.pyrometer`: where the time went per phase (parse, plan and read
 * ahead, catalog, shard fan-out, block reads, evaluation, serialization) and
 * the round trips made (Durable Object calls, D1 queries, R2 requests).
 * Times are wall-clock milliseconds as the runtime reports them (workerd
 * advances its clock only across I/O, so pure CPU phases may read 0 deployed).
 */
import type { Context } from "hono";
import type { Env } from "../env.ts";
import { storageQuerier } from "../head/shards.ts";
import { newReadStats } from "../head/read-path.ts";
import type { ReadStats } from "../head/read-path.ts";
import type { Querier } from "../../shared/tsdb/querier.ts";
import type { EngineStats, QueryOptions } from "../../shared/promql/engine.ts";
import { newEngineStats } from "../../shared/promql/engine.ts";
import type { QueryResult } from "../../shared/promql/value.ts";
import { queryValueJsonChunks } from "../../shared/api/prom-json-text.ts";

type Ctx = Context<{ Bindings: Env }>;

export async function answerQuery(c: Ctx, p: URLSearchParams, opts: QueryOptions, run: (q: Querier, opts: QueryOptions) => Promise<QueryResult>): Promise<Response> {
  const wantStats = p.has("stats");
  const t0 = performance.now();
  const read = newReadStats();
  const engine: EngineStats = newEngineStats();
  const res = await run(storageQuerier(c.env, read), { ...opts, stats: engine });
  const t1 = performance.now();
  let tail = "";
  if (res.warnings.length > 0) tail += `,"warnings":${JSON.stringify(res.warnings)}`;
  if (res.infos.length > 0) tail += `,"infos":${JSON.stringify(res.infos)}`;
  const headers = { "content-type": "application/json" };
  if (wantStats) {
    // Serialized whole, to time it and put the figures in the same answer.
    let data = [...queryValueJsonChunks(res.value)].join("");
    const serializeMs = performance.now() - t1;
    data = `${data.slice(0, -1)},"stats":${JSON.stringify(statsOf(t1 - t0, serializeMs, engine, read))}}`;
    return c.body(`{"status":"success","data":${data}${tail}}`, 200, headers);
  }
  // Small answers go out as one string; a large one is streamed piece by piece, never one huge string.
  const pieces = queryValueJsonChunks(res.value);
  let head = `{"status":"success","data":`;
  for (let next = pieces.next(); ; next = pieces.next()) {
    if (next.done) return c.body(`${head}${tail}}`, 200, headers);
    head += next.value;
    if (head.length > 256 * 1024) break;
  }
  const enc = new TextEncoder();
  let first: string | undefined = head;
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (first !== undefined) {
        ctrl.enqueue(enc.encode(first));
        first = undefined;
        return;
      }
      const next = pieces.next();
      if (next.done) {
        ctrl.enqueue(enc.encode(`${tail}}`));
        ctrl.close();
      } else ctrl.enqueue(enc.encode(next.value));
    },
  });
  return c.body(body, 200, headers);
}

function statsOf(execMs: number, serializeMs: number, engine: EngineStats, read: ReadStats) {
  const s = (ms: number) => ms / 1000;
  return {
    timings: {
      evalTotalTime: s(execMs),
      resultSortTime: 0,
      queryPreparationTime: s(engine.parseMs + engine.prefetchMs),
      innerEvalTime: s(engine.evalMs),
      execQueueTime: 0,
      execTotalTime: s(execMs),
    },
    samples: { totalQueryableSamples: engine.samplesRead, peakSamples: engine.samplesRead },
    pyrometer: {
      parseMs: engine.parseMs,
      prefetchMs: engine.prefetchMs,
      catalogMs: read.catalogMs,
      fanoutMs: read.fanoutMs,
      blockReadMs: read.blockReadMs,
      evalMs: engine.evalMs,
      serializeMs,
      totalMs: execMs + serializeMs,
      prefetchedSelections: engine.prefetchedSelections,
      extraSelects: engine.extraSelects,
      doCalls: read.doCalls,
      d1Queries: read.d1Queries,
      r2Requests: read.r2Requests,
      r2Bytes: read.r2Bytes,
      shardsAsked: read.shardsAsked,
      shardsSkipped: read.shardsSkipped,
      blocksRead: read.blocksRead,
      seriesFromShards: read.seriesFromShards,
      samplesFromShards: read.samplesFromShards,
      samplesFromBlocks: read.samplesFromBlocks,
    },
  };
}
