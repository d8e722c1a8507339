/**
 * @module
 * `/federate?match[]=…`: the newest sample (within the lookback) of every
 * matching series, in the text format with timestamps, for another
 * Prometheus to scrape with `honor_labels: true` (docs/federation.md).
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { storageQuerier } from "../head/shards.ts";
import { parseSeriesMatchers } from "../../shared/api/series-matchers.ts";
import { currentConfig } from "../config/index.ts";
import { formatSampleLine, TEXT_CONTENT_TYPE } from "../../shared/exposition/format.ts";
import { compareLabels, getLabel, labelsKey, METRIC_NAME, withLabel } from "../../shared/labels/labels.ts";
import type { Labels } from "../../shared/labels/labels.ts";
import { isStaleNaN } from "../../shared/tsdb/querier.ts";
import { BadParamError } from "../../shared/api/params.ts";
import { ParseError } from "../../shared/promql/parse-error.ts";

const LOOKBACK_MS = 5 * 60_000;

export function federateRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.get("/federate", async (c) => {
    let sets;
    try {
      sets = parseSeriesMatchers(new URL(c.req.url).searchParams.getAll("match[]"));
    } catch (e) {
      if (e instanceof ParseError || e instanceof BadParamError) return c.text(e.message + "\n", 400);
      throw e;
    }
    const now = Date.now();
    const q = storageQuerier(c.env);
    let external: Labels = [];
    try {
      external = (await currentConfig(c.env)).config.global.externalLabels;
    } catch {
      // An invalid config leaves the scheduler without targets; federation still serves the data.
    }
    const latest = new Map<string, { labels: Labels; t: number; v: number }>();
    for (const matchers of sets) {
      for (const s of await q.select(matchers, { start: now - LOOKBACK_MS, end: now })) {
        const i = s.t.length - 1;
        // A series whose newest sample is a staleness marker is gone.
        if (i < 0 || isStaleNaN(s.v[i]!)) continue;
        let labels = s.labels;
        for (const l of external) if (getLabel(labels, l.name) === "") labels = withLabel(labels, l.name, l.value);
        latest.set(labelsKey(labels), { labels, t: s.t[i]!, v: s.v[i]! });
      }
    }
    const series = [...latest.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    let out = "";
    let family = "";
    for (const s of series) {
      const name = getLabel(s.labels, METRIC_NAME);
      if (name !== family) {
        out += `# TYPE ${name} untyped\n`;
        family = name;
      }
      out += formatSampleLine(name, s.labels.filter((l) => l.name !== METRIC_NAME), s.v, s.t) + "\n";
    }
    return c.body(out, 200, { "content-type": TEXT_CONTENT_TYPE });
  });

  return app;
}
