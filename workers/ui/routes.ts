/**
 * @module
 * The web UI's Worker routes. Every UI page is a static asset (wrangler.toml
 * `[assets]`); the Worker adds:
 * - `/graph` → `/query` with the same query string (Prometheus's old address,
 *   so shared links keep working);
 * - `/status?query=…[&start&end&step]`: the public status page's data, in
 *   the query API's JSON, for probe metrics only (shared/status-page), so the
 *   page works without the read token. `/status` without `query` is the page.
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { storageQuerier } from "../head/shards.ts";
import { Engine } from "../../shared/promql/engine.ts";
import { checkRangeSteps } from "../../shared/promql/value.ts";
import { parseTime, parseDurationParam } from "../../shared/api/params.ts";
import { queryValueToJson } from "../../shared/api/prom-json.ts";
import { checkPublicStatusRange, parsePublicStatusQuery } from "../../shared/status-page/public-query.ts";

const engine = new Engine();

export function uiRoutes() {
  const app = new Hono<{ Bindings: Env }>();
  app.get("/graph", (c) => c.redirect(`/query${new URL(c.req.url).search}`, 302));
  app.get("/status", async (c) => {
    const p = new URL(c.req.url).searchParams;
    const query = p.get("query");
    if (query === null) return c.env.ASSETS.fetch(c.req.raw);
    const expr = parsePublicStatusQuery(query);
    const q = storageQuerier(c.env);
    let res;
    if (p.has("step")) {
      const start = parseTime(p.get("start") ?? "", "start");
      const end = parseTime(p.get("end") ?? "", "end");
      const step = parseDurationParam(p.get("step")!, "step");
      checkRangeSteps(start, end, step);
      checkPublicStatusRange(start, end);
      res = await engine.range(q, expr, start, end, step);
    } else {
      res = await engine.instant(q, expr, p.get("time") ? parseTime(p.get("time")!, "time") : Date.now());
    }
    return c.json({ status: "success", data: queryValueToJson(res.value) });
  });
  return app;
}
