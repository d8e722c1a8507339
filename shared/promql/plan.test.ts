import { describe, it, expect } from "vitest";
import { planSelections } from "./plan.ts";
import { parseExpr } from "./parser.ts";
import { Engine, newEngineStats } from "./engine.ts";
import { MemoryStorage } from "../tsdb/memory.ts";
import type { Querier, SelectRequest } from "../tsdb/querier.ts";
import { labelsFromRecord } from "../labels/labels.ts";

const M = 60_000;
const plan = (q: string, start: number, end: number, step = 0) =>
  planSelections(parseExpr(q), { start, end, step, lookback: 5 * M }).map((r) => [r.matchers.map((m) => `${m.name}${m.type}${m.value}`).join(","), r.hints.start, r.hints.end]);

describe("planSelections", () => {
  it("vector selectors read back the lookback, range selectors their range, through offset and @", () => {
    expect(plan("x", 100 * M, 100 * M)).toEqual([["__name__=x", 95 * M + 1, 100 * M]]);
    expect(plan("rate(x[10m] offset 1m)", 100 * M, 200 * M, M)).toEqual([["__name__=x", 89 * M + 1, 199 * M]]);
    expect(plan("x @ 50", 100 * M, 200 * M, M)).toEqual([["__name__=x", 50_000 - 5 * M + 1, 50_000]]);
  });
  it("the same matchers twice make one selection over the union of ranges", () => {
    expect(plan("rate(x[5m]) / rate(x[1h])", 100 * M, 100 * M)).toEqual([["__name__=x", 40 * M + 1, 100 * M]]);
  });
  it("subqueries widen their inner range", () => {
    expect(plan("max_over_time(rate(x[1m])[10m:1m])", 100 * M, 100 * M)).toEqual([["__name__=x", 89 * M + 1, 100 * M]]);
  });
});

describe("engine read-ahead", () => {
  it("one selectMany per query, no select during evaluation, same answer as without", async () => {
    const st = new MemoryStorage();
    for (let i = 0; i < 3; i++) {
      const t = Float64Array.from({ length: 100 }, (_, k) => k * 15_000);
      st.appendBatch([{ labels: labelsFromRecord({ __name__: "c_total", job: `j${i % 2}`, i: String(i) }), t, v: t.map((x) => x / 1000) }]);
      st.appendBatch([{ labels: labelsFromRecord({ __name__: "g", job: `j${i % 2}` , i: String(i) }), t, v: t.map(() => i) }]);
    }
    const calls: string[] = [];
    const q: Querier = {
      select: (m, h) => (calls.push("select"), st.select(m, h)),
      selectMany: (reqs: readonly SelectRequest[]) => (calls.push(`selectMany ${reqs.length}`), Promise.all(reqs.map((r) => st.select(r.matchers, r.hints)))),
      labelNames: (m, h) => st.labelNames(m, h),
      labelValues: (n, m, h) => st.labelValues(n, m, h),
    };
    const expr = "sum by (job) (rate(c_total[5m])) / on (job) group_left sum by (job) (g) + max_over_time(g[10m:1m]) * 0";
    const stats = newEngineStats();
    const batched = await new Engine().range(q, expr, 10 * M, 20 * M, 15_000, { stats });
    const plain = await new Engine().range(st, expr, 10 * M, 20 * M, 15_000);
    expect(calls).toEqual(["selectMany 2"]);
    expect(stats.extraSelects).toBe(0);
    expect(stats.samplesRead).toBeGreaterThan(0);
    expect(batched.value).toEqual(plain.value);
  });
});
