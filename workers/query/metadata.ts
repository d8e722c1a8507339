/**
 * @module
 * `/api/v1/targets/metadata` and `/api/v1/metadata`, fed from the HELP, TYPE
 * and UNIT lines of each target's last successful scrape.
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { allScrapers } from "../scraper/stub.ts";
import type { TargetMetadata } from "../scraper/scheduler.ts";
import { parseSeriesMatchers } from "../../shared/api/series-matchers.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import { matchLabels } from "../../shared/labels/matcher.ts";
import { BadParamError } from "../../shared/api/params.ts";

async function gather(env: Env): Promise<TargetMetadata[]> {
  return (await Promise.all(allScrapers(env).map(({ index, stub }) => stub.metadata(index)))).flat();
}

function limitParam(s: string | undefined, name: string): number {
  if (s === undefined || s === "") return -1;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new BadParamError(`invalid parameter "${name}": ${s} is not an integer`);
  return n;
}

export function metadataRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.get("/api/v1/targets/metadata", async (c) => {
    const limit = limitParam(c.req.query("limit"), "limit");
    const metric = c.req.query("metric") ?? "";
    const matchTarget = c.req.query("match_target");
    const matchers = matchTarget ? parseSeriesMatchers([matchTarget])[0]! : [];
    const out: { target: Record<string, string>; metric: string; type: string; help: string; unit: string }[] = [];
    for (const t of await gather(c.env)) {
      if (!matchLabels(matchers, labelsFromRecord(t.target))) continue;
      for (const m of t.metadata) {
        if (metric !== "" && m.metric !== metric) continue;
        if (limit >= 0 && out.length >= limit) break;
        out.push({ target: t.target, ...m });
      }
    }
    return c.json({ status: "success", data: out });
  });

  app.get("/api/v1/metadata", async (c) => {
    const limit = limitParam(c.req.query("limit"), "limit");
    const perMetric = limitParam(c.req.query("limit_per_metric"), "limit_per_metric");
    const metric = c.req.query("metric") ?? "";
    const out: Record<string, { type: string; help: string; unit: string }[]> = {};
    for (const t of await gather(c.env)) {
      for (const { metric: name, type, help, unit } of t.metadata) {
        if (metric !== "" && name !== metric) continue;
        const list = (out[name] ??= []);
        if (list.some((x) => x.type === type && x.help === help && x.unit === unit)) continue;
        if (perMetric > 0 && list.length >= perMetric) continue;
        list.push({ type, help, unit });
      }
    }
    const names = Object.keys(out).sort();
    const data = Object.fromEntries((limit >= 0 ? names.slice(0, limit) : names).map((n) => [n, out[n]!]));
    return c.json({ status: "success", data });
  });

  return app;
}
