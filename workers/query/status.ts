/**
 * @module
 * Prometheus's status API: `/api/v1/status/{config,flags,runtimeinfo,tsdb}`
 * and `/api/v1/query_exemplars`, with Prometheus's field names and shapes
 * (test/e2e/status-api.test.ts compares them with a real Prometheus).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Env } from "../env.ts";
import { currentConfig } from "../config/index.ts";
import { shardCount, shardStub } from "../head/shards.ts";
import type { HeadStats } from "../head/head-shard.ts";
import { redactConfigYaml } from "../../shared/config/redact-config.ts";
import { mergeCardinality } from "../../shared/tsdb/cardinality.ts";
import type { ShardCardinality } from "../../shared/tsdb/cardinality.ts";
import { formatDuration } from "../../shared/promql/duration.ts";
import { parseExpr } from "../../shared/promql/parser.ts";
import { parseTime } from "../../shared/api/params.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { readBody } from "../http/body.ts";
import { ingestLimits } from "../limits.ts";

/** Prometheus's default --storage.tsdb.retention.time (the head shards use the same). */
const DEFAULT_RETENTION_MS = 15 * 24 * 3600_000;
/** When this isolate first served a request: Workers have no process start time (and module-scope time reads 0). */
let started: Date | undefined;

type Ctx = Context<{ Bindings: Env }>;
const success = (c: Ctx, data: unknown) => c.json({ status: "success", data });

function limitParam(s: string | undefined): number {
  if (s === undefined || s === "") return 10;
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ApiError("bad_data", `invalid parameter "limit": limit must be a positive number, got ${JSON.stringify(s)}`);
  return n;
}

export function statusRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.get("/api/v1/status/config", async (c) => success(c, { yaml: redactConfigYaml((await currentConfig(c.env)).text) }));

  app.get("/api/v1/status/flags", async (c) => {
    const cur = await currentConfig(c.env);
    // Only the flags whose meaning Pyrometer shares, under Prometheus's names.
    return success(c, {
      "config.file": cur.file,
      "storage.tsdb.retention.time": formatDuration(cur.config.storage.retentionTime ?? DEFAULT_RETENTION_MS),
      "query.lookback-delta": "5m",
      "web.cors.origin": c.env.CORS_ORIGIN || ".*",
      "web.enable-lifecycle": "true",
      "web.enable-admin-api": "false",
      "web.enable-remote-write-receiver": "true",
    });
  });

  app.get("/api/v1/status/runtimeinfo", async (c) => {
    const cur = await currentConfig(c.env);
    return success(c, {
      startTime: (started ??= new Date()).toISOString(),
      CWD: "/",
      reloadConfigSuccess: cur.lastReloadSuccessful,
      lastConfigTime: new Date(Math.floor(cur.lastSuccessMs / 1000) * 1000).toISOString().replace(".000Z", "Z"),
      corruptionCount: 0,
      goroutineCount: 0,
      GOMAXPROCS: 1,
      GOGC: "",
      GODEBUG: "",
      storageRetention: formatDuration(cur.config.storage.retentionTime ?? DEFAULT_RETENTION_MS),
    });
  });

  app.get("/api/v1/status/tsdb", async (c) => {
    const limit = limitParam(c.req.query("limit"));
    const n = shardCount(c.env);
    const shards = Array.from({ length: n }, (_, i) => shardStub(c.env, i));
    const [stats, card] = await Promise.all([
      Promise.all(shards.map((s) => s.stats() as Promise<HeadStats>)),
      Promise.all(shards.map((s) => s.cardinality() as unknown as Promise<ShardCardinality>)),
    ]);
    const withData = stats.filter((s) => s.numSamples > 0);
    const pairs = new Set(card.flatMap((s) => s.byPair.map(([p]) => p)));
    return success(c, {
      headStats: {
        numSeries: stats.reduce((a, s) => a + s.numSeries, 0),
        numLabelPairs: pairs.size,
        chunkCount: stats.reduce((a, s) => a + s.numChunks, 0),
        // An empty head reports 0 (Prometheus: the int64 extremes).
        minTime: withData.length > 0 ? Math.min(...withData.map((s) => s.minTime)) : 0,
        maxTime: withData.length > 0 ? Math.max(...withData.map((s) => s.maxTime)) : 0,
      },
      ...mergeCardinality(card, limit),
    });
  });

  // Exemplars are not stored yet: a valid request gets the empty list, as Prometheus with none.
  app.on(["GET", "POST"], "/api/v1/query_exemplars", async (c) => {
    const p = new URL(c.req.url).searchParams;
    if (c.req.method === "POST" && (c.req.header("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      // Under MAX_REQUEST_BYTES, as the query endpoints' forms.
      for (const [k, v] of new URLSearchParams(new TextDecoder().decode(await readBody(c.req.raw, ingestLimits(c.env))))) p.append(k, v);
    }
    const query = p.get("query") ?? "";
    if (query === "") throw new ApiError("bad_data", 'invalid parameter "query": query must not be empty');
    parseExpr(query);
    const [start, end] = ["start", "end"].map((name) => (p.get(name) ? parseTime(p.get(name)!, name) : undefined));
    if (start !== undefined && end !== undefined && end < start) throw new ApiError("bad_data", 'invalid parameter "end": end timestamp must not be before start timestamp');
    return success(c, []);
  });

  return app;
}
