/**
 * @module
 * The Prometheus HTTP API (hono). Handlers parse parameters, run the PromQL
 * engine over the head shards, and answer in Prometheus's JSON envelope:
 * `{status, data, warnings, infos}` or `{status:"error", errorType, error}`.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Env } from "../env.ts";
import { storageQuerier } from "../head/shards.ts";
import { Engine } from "../../shared/promql/engine.ts";
import type { QueryOptions } from "../../shared/promql/engine.ts";
import { EvalError, checkRangeSteps } from "../../shared/promql/value.ts";
import { ParseError } from "../../shared/promql/parse-error.ts";
import { parseExpr } from "../../shared/promql/parser.ts";
import { exprToString } from "../../shared/promql/printer.ts";
import { parseTime, parseDurationParam, BadParamError } from "../../shared/api/params.ts";
import { ApiError, errorBody } from "../../shared/api/errors.ts";
import { selfMetrics } from "./self-metrics.ts";
import { isReady } from "./ready.ts";
import { ingestRoutes } from "./ingest.ts";
import { pushgatewayRoutes } from "../pushgateway/routes.ts";
import { alertmanagerRoutes } from "../alertmanager/routes.ts";
import { federateRoutes } from "./federate.ts";
import { probeRoutes } from "../probe/routes.ts";
import { heartbeatRoutes } from "../probe/heartbeat-routes.ts";
import { allScrapers } from "../scraper/stub.ts";
import { metadataRoutes } from "./metadata.ts";
import { uiRoutes } from "../ui/routes.ts";
import { ruleRoutes } from "../rules/routes.ts";
import { parseSeriesMatchers } from "../../shared/api/series-matchers.ts";
import { MIN_TIME_MS, MAX_TIME_MS } from "../../shared/api/params.ts";
import { readBody } from "../http/body.ts";
import { ingestLimits } from "../limits.ts";
import { accessControl } from "./auth.ts";
import { statusRoutes } from "./status.ts";
import { reloadRoutes } from "./reload.ts";
import { answerQuery } from "./query-response.ts";

type Ctx = Context<{ Bindings: Env }>;

const engine = new Engine();

function apiError(c: Ctx, e: ApiError) {
  return c.json(errorBody(e), e.status as 400);
}

function success(c: Ctx, data: unknown, warnings: string[] = [], infos: string[] = []) {
  const body: Record<string, unknown> = { status: "success", data };
  if (warnings.length > 0) body.warnings = warnings;
  if (infos.length > 0) body.infos = infos;
  return c.json(body);
}

/** GET query string and POST form body, merged as Prometheus's r.FormValue does. */
async function params(c: Ctx): Promise<URLSearchParams> {
  const p = new URL(c.req.url).searchParams;
  if (c.req.method === "POST") {
    const type = c.req.header("content-type") ?? "";
    if (type.startsWith("application/x-www-form-urlencoded")) {
      // Under the same size limit as ingest bodies (MAX_REQUEST_BYTES): a form is read whole.
      for (const [k, v] of new URLSearchParams(new TextDecoder().decode(await readBody(c.req.raw, ingestLimits(c.env))))) p.append(k, v);
    }
  }
  return p;
}

/** The one mapping from what a handler throws to the API's error envelope. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof ParseError || e instanceof BadParamError) return new ApiError("bad_data", e.message);
  if (e instanceof EvalError) return new ApiError(e.errorType, e.message);
  console.error("internal error", e);
  return new ApiError("internal", e instanceof Error ? e.message : String(e));
}

function queryOpts(p: URLSearchParams): QueryOptions {
  const opts: QueryOptions = {};
  const lb = p.get("lookback_delta");
  if (lb) opts.lookbackDelta = parseDurationParam(lb, "lookback_delta");
  const timeout = p.get("timeout");
  if (timeout) opts.timeoutMs = parseDurationParam(timeout, "timeout");
  return opts;
}

function requireQuery(p: URLSearchParams): string {
  const q = p.get("query");
  if (q === null || q === "") throw new BadParamError('invalid parameter "query": query must not be empty');
  return q;
}

export function createApp() {
  const app = new Hono<{ Bindings: Env }>();

  app.use("*", accessControl());
  app.route("/", ingestRoutes());
  app.route("/", pushgatewayRoutes());
  app.route("/", alertmanagerRoutes());
  app.route("/", federateRoutes());
  app.route("/", probeRoutes());
  app.route("/", heartbeatRoutes());
  app.route("/", uiRoutes());

  app.get("/-/healthy", (c) => c.text("Prometheus Server is Healthy.\n"));
  app.get("/-/ready", async (c) =>
    (await isReady(c.env)) ? c.text("Prometheus Server is Ready.\n") : c.text("Service Unavailable", 503),
  );

  app.on(["GET", "POST"], "/api/v1/query", async (c) => {
    const p = await params(c);
    const query = requireQuery(p);
    const t = p.get("time") ? parseTime(p.get("time")!, "time") : Date.now();
    return answerQuery(c, p, queryOpts(p), (q, o) => engine.instant(q, query, t, o));
  });

  app.on(["GET", "POST"], "/api/v1/query_range", async (c) => {
    const p = await params(c);
    const query = requireQuery(p);
    for (const name of ["start", "end", "step"]) {
      if (!p.get(name)) throw new BadParamError(`invalid parameter "${name}": cannot parse "" to a valid ${name === "step" ? "duration" : "timestamp"}`);
    }
    const start = parseTime(p.get("start")!, "start");
    const end = parseTime(p.get("end")!, "end");
    const step = parseDurationParam(p.get("step")!, "step");
    checkRangeSteps(start, end, step);
    return answerQuery(c, p, queryOpts(p), (q, o) => engine.range(q, query, start, end, step, o));
  });

  app.on(["GET", "POST"], "/api/v1/format_query", async (c) => {
    return success(c, exprToString(parseExpr(requireQuery(await params(c)))));
  });

  app.on(["GET", "POST"], "/api/v1/labels", async (c) => {
    const p = await params(c);
    const hints = timeRange(p);
    const sets = parseSeriesMatchers(p.getAll("match[]"));
    const q = storageQuerier(c.env);
    const names = sets.length === 0
      ? await q.labelNames([], hints)
      : [...new Set((await Promise.all(sets.map((m) => q.labelNames(m, hints)))).flat())].sort();
    return success(c, names);
  });

  app.get("/api/v1/label/:name/values", async (c) => {
    const p = await params(c);
    const hints = timeRange(p);
    const sets = parseSeriesMatchers(p.getAll("match[]"));
    const q = storageQuerier(c.env);
    const name = c.req.param("name");
    const values = sets.length === 0
      ? await q.labelValues(name, [], hints)
      : [...new Set((await Promise.all(sets.map((m) => q.labelValues(name, m, hints)))).flat())].sort();
    return success(c, values);
  });

  app.on(["GET", "POST"], "/api/v1/series", async (c) => {
    const p = await params(c);
    const sets = parseSeriesMatchers(p.getAll("match[]"));
    if (sets.length === 0) throw new BadParamError("no match[] parameter provided");
    const hints = timeRange(p);
    const q = storageQuerier(c.env);
    const seen = new Map<string, Record<string, string>>();
    for (const m of sets) {
      for (const s of await q.select(m, hints)) {
        const rec = Object.fromEntries(s.labels.map((l) => [l.name, l.value]));
        seen.set(JSON.stringify(rec), rec);
      }
    }
    return success(c, [...seen.values()]);
  });

  app.get("/api/v1/targets", async (c) => {
    const state = c.req.query("state") ?? "any";
    if (!["any", "active", "dropped"].includes(state)) throw new ApiError("bad_data", `invalid parameter "state": ${state}`);
    const parts = await Promise.all(allScrapers(c.env).map(({ index, stub }) => stub.targets(index)));
    const active = parts.flatMap((p) => p.activeTargets);
    const dropped = parts.flatMap((p) => p.droppedTargets);
    const counts: Record<string, number> = {};
    for (const d of dropped) counts[d.scrapePool] = (counts[d.scrapePool] ?? 0) + 1;
    return success(c, {
      activeTargets: state === "dropped" ? [] : active,
      droppedTargets: state === "active" ? [] : dropped,
      droppedTargetCounts: counts,
    });
  });

  app.route("/", metadataRoutes());
  app.route("/", statusRoutes());
  app.route("/", reloadRoutes());
  app.route("/", ruleRoutes());

  app.get("/api/v1/status/buildinfo", (c) =>
    success(c, {
      version: "3.14.0",
      revision: "pyrometer",
      branch: "main",
      buildUser: "pyrometer",
      buildDate: "20261124-00:00:00",
      goVersion: "workerd",
    }),
  );

  app.get("/metrics", async (c) => {
    const body = await selfMetrics(c.env);
    return c.body(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });

  app.notFound((c) => c.text("404 page not found\n", 404));
  app.onError((e, c) => apiError(c as Ctx, toApiError(e)));
  return app;
}

function timeRange(p: URLSearchParams) {
  return {
    start: p.get("start") ? parseTime(p.get("start")!, "start") : MIN_TIME_MS,
    end: p.get("end") ? parseTime(p.get("end")!, "end") : MAX_TIME_MS,
  };
}
