import { describe, it, expect } from "vitest";
import { queryValueJsonChunks } from "./prom-json-text.ts";
import { queryValueToJson } from "./prom-json.ts";
import type { QueryValue } from "../promql/value.ts";
import { labelsFromRecord } from "../labels/labels.ts";
import { STALE_NAN } from "../tsdb/querier.ts";

const values: QueryValue[] = [
  { type: "scalar", t: 1500, v: -0.1 },
  { type: "string", t: 1000, v: 'a "quoted"\nstring' },
  { type: "vector", samples: [] },
  { type: "vector", samples: [{ labels: labelsFromRecord({ __name__: "up", job: 'we"ird\\', x: "ü" }), t: 1234567, v: 1e21 }, { labels: [], t: 0, v: NaN }] },
  { type: "matrix", series: [] },
  {
    type: "matrix",
    series: [
      { labels: labelsFromRecord({ a: "1" }), t: Float64Array.of(0, 15_000, 1_795_521_000_397), v: Float64Array.of(Infinity, -Infinity, STALE_NAN) },
      { labels: labelsFromRecord({ a: "2" }), t: Float64Array.of(1), v: Float64Array.of(123456789.125) },
    ],
  },
];

describe("queryValueJsonChunks", () => {
  it("writes exactly what JSON.stringify(queryValueToJson(v)) writes, in any chunk size", () => {
    for (const v of values) {
      const want = JSON.stringify(queryValueToJson(v));
      expect([...queryValueJsonChunks(v)].join("")).toBe(want);
      expect([...queryValueJsonChunks(v, 1)].join("")).toBe(want);
    }
  });
  it("a large matrix comes in many pieces", () => {
    const t = Float64Array.from({ length: 10_000 }, (_, i) => i * 15_000);
    const v: QueryValue = { type: "matrix", series: [{ labels: [], t, v: t.map((x) => x / 7) }] };
    const chunks = [...queryValueJsonChunks(v, 4096)];
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.join("")).toBe(JSON.stringify(queryValueToJson(v)));
  });
});
