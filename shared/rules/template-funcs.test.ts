// Prometheus's template functions, with outputs from Prometheus's template
// documentation and template_test.go behaviour.
import { describe, expect, it } from "vitest";
import { expandTemplate, humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp } from "./template-funcs.ts";
import type { ExpandOptions } from "./template-funcs.ts";
import { formatGoDuration, formatGoTime } from "./go-time.ts";

describe("humanize functions", () => {
  it.each([
    [0, "0"], [1, "1"], [1000, "1k"], [1234567, "1.235M"], [0.001, "1m"], [0.000012, "12u"], [-1e10, "-10G"], [Infinity, "+Inf"], [NaN, "NaN"], ["1e3", "1k"],
  ])("humanize(%s) = %s", (v, want) => expect(humanize(v)).toBe(want));

  it.each([[0, "0"], [1023, "1023"], [1024, "1ki"], [1048576, "1Mi"], [1.5 * 1024 ** 3, "1.5Gi"]])("humanize1024(%s) = %s", (v, want) => expect(humanize1024(v)).toBe(want));

  it.each([
    [0, "0s"], [0.1, "100ms"], [0.0001, "100us"], [1, "1s"], [60, "1m 0s"], [3600, "1h 0m 0s"], [86400, "1d 0h 0m 0s"], [-90, "-1m 30s"], [1.2345, "1.234s"], [NaN, "NaN"],
  ])("humanizeDuration(%s) = %s", (v, want) => expect(humanizeDuration(v)).toBe(want));

  it("humanizePercentage and humanizeTimestamp", () => {
    expect(humanizePercentage(0.1234567)).toBe("12.35%");
    expect(humanizePercentage(0)).toBe("0%");
    expect(humanizeTimestamp(1435065584.128)).toBe("2015-06-23 13:19:44.128 +0000 UTC");
    expect(humanizeTimestamp(0)).toBe("1970-01-01 00:00:00 +0000 UTC");
    expect(() => humanize("abc")).toThrow('strconv.ParseFloat: parsing "abc": invalid syntax');
  });

  it("Go time and duration strings", () => {
    expect(formatGoTime(1500)).toBe("1970-01-01 00:00:01.5 +0000 UTC");
    expect(formatGoDuration(0)).toBe("0s");
    expect(formatGoDuration(1.5e9)).toBe("1.5s");
    expect(formatGoDuration(3723e9)).toBe("1h2m3s");
    expect(formatGoDuration(5e5)).toBe("500µs");
    expect(formatGoDuration(60e9)).toBe("1m0s");
  });
});

describe("expandTemplate", () => {
  const base: ExpandOptions = {
    name: "__alert_A",
    labels: { instance: "host:9100", job: "node" },
    externalLabels: { region: "eu" },
    externalURL: "https://prom.example/sub",
    value: 0.5,
    ts: 1_000_000,
    query: async (q) => (q === "up" ? [{ labels: { __name__: "up", instance: "b" }, value: 1 }, { labels: { __name__: "up", instance: "a" }, value: 0 }] : []),
  };

  it("offers $labels, $value, $externalLabels, $externalURL and the URL functions", async () => {
    expect(await expandTemplate("{{ $labels.instance }} {{ $value }} {{ $externalLabels.region }} {{ $externalURL }} {{ pathPrefix }} {{ externalURL }}", base)).toBe(
      "host:9100 0.5 eu https://prom.example/sub /sub https://prom.example/sub",
    );
  });

  it("runs queries (several per template, nested in pipelines)", async () => {
    expect(await expandTemplate('{{ range query "up" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }} {{ end }}{{ query "up" | first | label "instance" }}', base)).toBe("a=0 b=1 b");
    expect(await expandTemplate("{{ now }} {{ stripPort $labels.instance }} {{ toDuration 90.5 }} {{ parseDuration \"1m30s\" }}", base)).toBe("1000 host 1m30.5s 90");
  });

  it("reports errors as Prometheus's expander", async () => {
    await expect(expandTemplate("{{ nope }}", base)).rejects.toThrow('error parsing template __alert_A: template: __alert_A:1: function "nope" not defined');
    await expect(expandTemplate('{{ query "none" | first }}', base)).rejects.toThrow("error executing template __alert_A: template: __alert_A:1:");
  });
});
