/**
 * docs/grafana.md's files: the data source provisioning and the dashboard,
 * whose every query parses and names only series Pyrometer's /metrics serves.
 */
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { parseExpr } from "../../../shared/promql/parser.ts";
import { children } from "../../../shared/promql/ast.ts";
import type { Expr } from "../../../shared/promql/ast.ts";

const root = resolve(import.meta.dirname, "../../..");

function metricNames(e: Expr, out = new Set<string>()): Set<string> {
  if (e.type === "VectorSelector" && e.name) out.add(e.name);
  for (const c of children(e)) metricNames(c, out);
  return out;
}

describe("Grafana files", () => {
  it("provisions a Prometheus data source with the read token as a bearer header", () => {
    const doc = parse(readFileSync(resolve(root, "config/grafana/datasource.yml"), "utf8")) as { apiVersion: number; datasources: Record<string, any>[] };
    expect(doc.apiVersion).toBe(1);
    const [ds] = doc.datasources;
    expect(ds).toMatchObject({ type: "prometheus", access: "proxy", jsonData: { prometheusType: "Prometheus", httpHeaderName1: "Authorization" } });
    expect(ds!.secureJsonData.httpHeaderValue1).toBe("Bearer ${PYROMETER_READ_TOKEN}");
  });

  it("dashboard queries parse and use only series from /metrics", () => {
    const dash = JSON.parse(readFileSync(resolve(root, "config/grafana/pyrometer-dashboard.json"), "utf8")) as { panels: { type: string; targets?: { expr: string }[] }[] };
    const served = new Set([...readFileSync(resolve(root, "workers/query/self-metrics.ts"), "utf8").matchAll(/"((?:prometheus|pyrometer)_[a-z0-9_]+)"/g)].map((m) => m[1]!));
    const exprs = dash.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(15);
    const used = new Set<string>();
    for (const e of exprs) for (const n of metricNames(parseExpr(e))) used.add(n);
    expect([...used].filter((n) => !served.has(n))).toEqual([]);
    // Every panel family is there: scrapes, samples, shards, costs.
    for (const n of ["prometheus_target_scrapes_total", "prometheus_tsdb_head_samples_appended_total", "prometheus_tsdb_head_series", "pyrometer_head_append_requests_total"]) expect(used).toContain(n);
  });
});
