import { describe, it, expect } from "vitest";
import { summarizeSeries, mergeCardinality } from "./cardinality.ts";
import { labelsFromRecord } from "../labels/labels.ts";

describe("tsdb cardinality", () => {
  it("merges shards: series counts add up, distinct values do not double", () => {
    const a = summarizeSeries([labelsFromRecord({ __name__: "up", job: "a" }), labelsFromRecord({ __name__: "up", job: "b" })]);
    const b = summarizeSeries([labelsFromRecord({ __name__: "up", job: "c" }), labelsFromRecord({ __name__: "x", job: "a" })]);
    const m = mergeCardinality([a, b], 10);
    expect(m.seriesCountByMetricName).toEqual([{ name: "up", value: 3 }, { name: "x", value: 1 }]);
    expect(m.labelValueCountByLabelName).toEqual([{ name: "job", value: 3 }, { name: "__name__", value: 2 }]);
    expect(m.memoryInBytesByLabelName).toEqual([{ name: "__name__", value: 3 }, { name: "job", value: 3 }]);
    expect(m.seriesCountByLabelValuePair[0]).toEqual({ name: "__name__=up", value: 3 });
    expect(mergeCardinality([a, b], 1).seriesCountByLabelValuePair).toHaveLength(1);
  });
});
