import { describe, it, expect } from "vitest";
import { heapSelect } from "./topk-heap.ts";
import { aggregate } from "./aggregations.ts";
import { ann } from "./annotations.ts";
import { ss } from "./fixtures.case.test.ts";

const pick = (op: "topk" | "bottomk", vals: number[], k: number) => heapSelect(op, vals.map((v, i) => ({ i, v })), (x) => x.v, k).map((x) => x.i);

describe("topk/bottomk heap selection (Prometheus's ties)", () => {
  it("issue case: equal :10000 and :10001, larger :10002 -> topk 2 keeps :10002 then :10001", () => {
    const buffers = 173015040;
    const input = [
      ss({ __name__: "demo_memory_usage_bytes", instance: "demo:10000", type: "buffers" }, [buffers]),
      ss({ __name__: "demo_memory_usage_bytes", instance: "demo:10001", type: "buffers" }, [buffers]),
      ss({ __name__: "demo_memory_usage_bytes", instance: "demo:10002", type: "buffers" }, [buffers * 2]),
    ];
    const out = aggregate("topk", input, { labels: ["instance"], without: true }, 1, { scalar: Float64Array.of(2), warn: () => {}, annotationTexts: ann });
    expect(out.map((s) => s.labels.find((l) => l.name === "instance")!.value)).toEqual(["demo:10002", "demo:10001"]);
  });
  it("a tie never replaces the root: the first of equal values pushed stays unless a push sifts it", () => {
    // heap [a=1]; push b=1 (no sift: not less) -> [a,b]; c=1 ties the root -> not taken.
    expect(pick("topk", [1, 1, 1], 2)).toEqual([0, 1]);
    // Root replaced by 2, sifted down below the remaining 1 -> output 2, then the surviving 1 (index 1).
    expect(pick("topk", [1, 1, 2], 2)).toEqual([2, 1]);
    expect(pick("bottomk", [5, 5, 1], 2)).toEqual([2, 1]);
  });
  it("NaN is replaced by any number and sorts as Prometheus's Less says", () => {
    expect(pick("topk", [NaN, 3, NaN], 1)).toEqual([1]);
    expect(pick("bottomk", [NaN, 3], 2)).toEqual([1, 0]);
    expect(pick("topk", [NaN, 3], 2)).toEqual([1, 0]);
  });
  it("k larger than the input keeps everything, ordered best first", () => {
    expect(pick("topk", [3, 1, 2], 10)).toEqual([0, 2, 1]);
    expect(pick("bottomk", [3, 1, 2], 10)).toEqual([1, 2, 0]);
  });
  it("more than 12 kept samples: same members, best first", () => {
    const vals = Array.from({ length: 20 }, (_, i) => (i * 7) % 20);
    const idx = pick("topk", vals, 15);
    expect(idx.map((i) => vals[i])).toEqual([19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
  });
});
