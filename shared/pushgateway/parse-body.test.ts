import { describe, it, expect } from "vitest";
import { ApiError } from "../api/errors.ts";
import { parsePushBody } from "./index.ts";

describe("parsePushBody", () => {
  it("groups samples into families as expfmt does", () => {
    const fams = parsePushBody(
      [
        "# TYPE some_metric counter",
        'some_metric{label="val1"} 42',
        "# TYPE another_metric gauge",
        "# HELP another_metric Just an example.",
        "another_metric 2398.283",
        "# TYPE h histogram",
        'h_bucket{le="1"} 2',
        'h_bucket{le="+Inf"} 3',
        "h_sum 4.5",
        "h_count 3",
        "lonely_sum 1",
        "",
      ].join("\n"),
      "text/plain; version=0.0.4",
    );
    expect(fams.map((f) => [f.name, f.type, f.help, f.samples.length])).toEqual([
      ["some_metric", "counter", "", 1],
      ["another_metric", "gauge", "Just an example.", 1],
      ["h", "histogram", "", 4],
      ["lonely_sum", "untyped", "", 1],
    ]);
    expect(fams[0]!.samples[0]).toEqual({ labels: [{ name: "label", value: "val1" }], value: 42 });
    expect(fams[2]!.samples.map((s) => s.suffix)).toEqual(["_bucket", "_bucket", "_sum", "_count"]);
  });

  it("keeps timestamps so the store can reject them", () => {
    expect(parsePushBody("a 1 1234\n", null)[0]!.samples[0]!.timestampMs).toBe(1234);
  });

  it("reports malformed text with expfmt's wording and the line", () => {
    try {
      parsePushBody("ok 1\nbad{ 1\n", "text/plain");
      throw new Error("parsed");
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).status).toBe(400);
      expect((e as Error).message).toMatch(/^text format parsing error in line 2: /);
    }
  });

  it("refuses delimited protobuf with 415", () => {
    expect(() => parsePushBody(new Uint8Array([1, 2]), "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")).toThrow(
      expect.objectContaining({ status: 415 }),
    );
  });
});
