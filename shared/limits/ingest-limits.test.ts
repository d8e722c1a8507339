import { describe, it, expect } from "vitest";
import { labelsFromRecord } from "../labels/labels.ts";
import type { Labels } from "../labels/labels.ts";
import {
  DEFAULT_INGEST_LIMITS,
  ingestLimitsFromVars,
  labelsLimitProblem,
  maxValidTime,
  quoteCapped,
  seriesBatchProblem,
  tooFarInFuture,
  withIngestLimits,
} from "./ingest-limits.ts";

const L = DEFAULT_INGEST_LIMITS;
const now = 1_760_000_000_000;

function manyLabels(n: number): Labels {
  const rec: Record<string, string> = { __name__: "wide" };
  for (let i = 0; i < n - 1; i++) rec[`l${String(i).padStart(6, "0")}`] = "v";
  return labelsFromRecord(rec);
}

describe("ingest limits", () => {
  it("defaults: 10m grace, 32 MiB requests, Prometheus-style label limits", () => {
    expect(ingestLimitsFromVars({})).toEqual(DEFAULT_INGEST_LIMITS);
    expect(L.futureGraceMs).toBe(600_000);
    expect(L.maxRequestBytes).toBe(32 * 1024 * 1024);
  });

  it("reads Worker variables: durations, sizes with units, counts; names the variable it cannot read", () => {
    const l = ingestLimitsFromVars({ FUTURE_SAMPLE_GRACE: "1h", MAX_REQUEST_BYTES: "8MiB", LABEL_LIMIT: "64", LABEL_VALUE_LENGTH_LIMIT: "2048", MAX_DECODED_BYTES: "" });
    expect(l).toMatchObject({ futureGraceMs: 3600_000, maxRequestBytes: 8 * 1024 * 1024, labelLimit: 64, labelValueLengthLimit: 2048, maxDecodedBytes: L.maxDecodedBytes });
    expect(() => ingestLimitsFromVars({ LABEL_LIMIT: "lots" })).toThrow(/^LABEL_LIMIT: not a whole number/);
    expect(() => ingestLimitsFromVars({ LABEL_LIMIT: "10MiB" })).toThrow(/^LABEL_LIMIT/);
    expect(() => ingestLimitsFromVars({ MAX_REQUEST_BYTES: "0" })).toThrow(/^MAX_REQUEST_BYTES: out of range/);
    expect(() => ingestLimitsFromVars({ FUTURE_SAMPLE_GRACE: "10 minutes" })).toThrow(/^FUTURE_SAMPLE_GRACE: not a valid duration/);
  });

  it("accepts ordinary series", () => {
    expect(labelsLimitProblem(labelsFromRecord({ __name__: "up", job: "a", instance: "b:1" }), L)).toBeUndefined();
    expect(labelsLimitProblem(manyLabels(L.labelLimit), L)).toBeUndefined();
  });

  it("refuses too many labels, with Prometheus's label_limit message", () => {
    expect(labelsLimitProblem(manyLabels(L.labelLimit + 1), L)).toBe(`label_limit exceeded (metric: "wide", number of labels: 257, limit: 256)`);
    expect(labelsLimitProblem(manyLabels(100_000), L)).toMatch(/^label_limit exceeded .* number of labels: 100000/);
  });

  it("refuses long names and values, quoting at most 100 characters", () => {
    const name = "n".repeat(2000);
    const p1 = labelsLimitProblem(labelsFromRecord({ __name__: "m", [name]: "v" }), L)!;
    expect(p1).toMatch(/^label_name_length_limit exceeded \(metric: "m", label name: "n{100}"\.\.\. \(1900 more characters\), length: 2000, limit: 1024\)$/);
    const metric = "x".repeat(10 * 1024 * 1024);
    const p2 = labelsLimitProblem(labelsFromRecord({ __name__: metric }), L)!;
    expect(p2).toMatch(/^label_value_length_limit exceeded \(metric name: "x{100}"\.\.\. \(10485660 more characters\), length: 10485760, limit: 65536\)$/);
    expect(p2.length).toBeLessThan(300);
    // Counted in UTF-8 bytes: 30,000 three-byte characters are 90,000 bytes.
    expect(labelsLimitProblem(labelsFromRecord({ __name__: "m", a: "€".repeat(30_000) }), L)).toMatch(/length: 90000, limit: 65536/);
  });

  it("refuses label sets that would not fit a WAL row, whatever the limits allow", () => {
    const loose = { ...L, labelValueLengthLimit: 10_000_000 };
    // Control characters take 6 bytes each in the WAL's JSON.
    const p = labelsLimitProblem(labelsFromRecord({ __name__: "m", a: "\u0001".repeat(200_000) }), loose);
    expect(p).toMatch(/take 1200\d+ bytes encoded, more than the 1048576 a series may have/);
  });

  it("refuses samples beyond the wall clock plus the grace, with Prometheus's out-of-bounds words", () => {
    expect(maxValidTime(now, L)).toBe(now + 600_000);
    const ls = labelsFromRecord({ __name__: "m_future", job: "x" });
    expect(tooFarInFuture(ls, 4102444800000, L)).toBe(
      'out of bounds: timestamp 4102444800000 of series m_future{job="x"} is too far in the future (more than 10m after now; FUTURE_SAMPLE_GRACE)',
    );
    const ok = { labels: ls, t: [now - 1000, now + 599_999] };
    expect(seriesBatchProblem([ok], L, now)).toBeUndefined();
    expect(seriesBatchProblem([ok, { labels: ls, t: [now, 2 ** 53 - 1] }], L, now)).toMatch(/^out of bounds: timestamp 9007199254740991 /);
    expect(seriesBatchProblem([{ labels: manyLabels(300), t: [now] }], L, now)).toMatch(/^label_limit exceeded/);
  });

  it("caps quotes without splitting a surrogate pair", () => {
    expect(quoteCapped("ab")).toBe('"ab"');
    const s = "a".repeat(99) + "😀" + "b";
    expect(quoteCapped(s)).toBe(`"${"a".repeat(99)}"... (3 more characters)`);
  });

  it("applies the deployment's label limits on top of a scrape job's own (0 = none)", () => {
    const job = { labelLimit: 0, labelNameLengthLimit: 50, labelValueLengthLimit: 1_000_000, other: 1 };
    expect(withIngestLimits(job, L)).toEqual({ labelLimit: 256, labelNameLengthLimit: 50, labelValueLengthLimit: 65536, other: 1 });
  });
});
