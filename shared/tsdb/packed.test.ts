import { describe, it, expect } from "vitest";
import { packSeriesSets, unpackSeriesSets } from "./packed.ts";
import { labelsFromRecord } from "../labels/labels.ts";
import { STALE_NAN, isStaleNaN } from "./querier.ts";

describe("packed series sets", () => {
  it("round-trips sets, labels and samples (stale markers included) through structured clone", () => {
    const a = { labels: labelsFromRecord({ __name__: "a", job: "x" }), t: Float64Array.of(1, 2), v: Float64Array.of(1.5, STALE_NAN) };
    const b = { labels: labelsFromRecord({ __name__: "b" }), t: Float64Array.of(3), v: Float64Array.of(-0) };
    const back = unpackSeriesSets(structuredClone(packSeriesSets([[a, b], [], [b]])));
    expect(back.map((s) => s.length)).toEqual([2, 0, 1]);
    expect(back[0]![0]!.labels).toEqual(a.labels);
    expect([...back[0]![0]!.t]).toEqual([1, 2]);
    expect(isStaleNaN(back[0]![0]!.v[1]!)).toBe(true);
    expect(Object.is(back[2]![0]!.v[0], -0)).toBe(true);
    expect(back[2]![0]!.labels).toEqual(b.labels);
  });
});
