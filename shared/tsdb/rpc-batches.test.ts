import { describe, it, expect } from "vitest";
import { labelsFromRecord } from "../labels/labels.ts";
import { splitForRpc, seriesRpcBytes } from "./rpc-batches.ts";

const series = (i: number, n: number) => ({ labels: labelsFromRecord({ __name__: "m", i: String(i).padStart(3, "0") }), t: new Float64Array(n), v: new Float64Array(n) });

describe("splitForRpc", () => {
  it("keeps a small batch whole and splits a big one in order, under the size", () => {
    const small = [series(1, 10), series(2, 10)];
    expect(splitForRpc(small)).toEqual([small]);
    const big = Array.from({ length: 100 }, (_, i) => series(i, 1000));
    const one = seriesRpcBytes(big[0]!);
    const parts = splitForRpc(big, 10 * one);
    expect(parts).toHaveLength(10);
    expect(parts.flat()).toEqual(big);
    for (const p of parts) expect(p.reduce((a, s) => a + seriesRpcBytes(s), 0)).toBeLessThanOrEqual(10 * one);
  });

  it("puts a series larger than the limit in a part of its own", () => {
    const parts = splitForRpc([series(1, 10), series(2, 100_000), series(3, 10)], 1000);
    expect(parts.map((p) => p.length)).toEqual([1, 1, 1]);
    expect(splitForRpc([])).toEqual([]);
  });
});
