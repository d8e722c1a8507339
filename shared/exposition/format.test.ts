import { describe, it, expect } from "vitest";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { NODE_EXPORTER_DATASET } from "../../test/fixtures/paths.ts";
import { formatGoFloat, formatGoFloatFixed, formatGoFloatV } from "../format/go-float.ts";
import { formatFamilies } from "./format.ts";
import { labelsFromRecord } from "../labels/labels.ts";

describe("formatGoFloat", () => {
  it.each([
    [997864, "997864"],
    [1000252, "1.000252e+06"],
    [25276502016, "2.5276502016e+10"],
    [0.000100009, "0.000100009"],
    [1.0004e-5, "1.0004e-05"],
    [1795514834, "1.795514834e+09"],
    [0, "0"],
    [-1.5, "-1.5"],
    [100000, "100000"],
    [1e6, "1e+06"],
    [0.0001, "0.0001"],
    [1e-300, "1e-300"],
    [1e100, "1e+100"],
    [-2.5, "-2.5"],
    [NaN, "NaN"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
  ])("%d prints as %s", (v, s) => expect(formatGoFloat(v)).toBe(s));

  it("prints every value of the real dataset exactly as Prometheus did", () => {
    const text = gunzipSync(readFileSync(NODE_EXPORTER_DATASET)).toString();
    let checked = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const parts = line.split(" ");
      const value = parts[parts.length - 2]!;
      expect(formatGoFloat(Number(value.replace("+Inf", "Infinity").replace("-Inf", "-Infinity")))).toBe(value);
      checked++;
    }
    expect(checked).toBe(308185);
  });
});

describe("formatGoFloatFixed and formatGoFloatV", () => {
  it.each([
    [1, "1", "1"],
    [1e21, "1000000000000000000000", "1e+21"],
    [1.5e-7, "0.00000015", "1.5e-07"],
    [-2.5e22, "-25000000000000000000000", "-2.5e+22"],
    [1795514834, "1795514834", "1795514834"],
    [NaN, "NaN", "NaN"],
    [-Infinity, "-Inf", "-Inf"],
  ])("%d", (v, f, pv) => {
    expect(formatGoFloatFixed(v)).toBe(f);
    expect(formatGoFloatV(v)).toBe(pv);
  });
});

describe("formatFamilies", () => {
  it("escapes help and label values", () => {
    const out = formatFamilies([
      { name: "x_total", help: 'a\\b\nc "q"', type: "counter", samples: [{ labels: labelsFromRecord({ a: 'x"y\n\\' }), value: 2 }] },
    ]);
    expect(out).toBe('# HELP x_total a\\\\b\\nc "q"\n# TYPE x_total counter\nx_total{a="x\\"y\\n\\\\"} 2\n');
  });
});
