import { describe, it, expect } from "vitest";
import { parsePanels, panelsToSearch, formatUrlTime, parseUrlTime, autoStepSeconds, shiftRange, DEFAULT_RANGE_MS } from "../../../ui/src/lib/url-state.ts";
import { alignMatrix, stackColumns, seriesName } from "../../../ui/src/lib/series.ts";
import { themes, contrastPairs, contrastRatio } from "../../../ui/src/lib/palette.ts";
import { statusConfig, statusQueries, findIncidents, formatUptime, humanDuration, probeSelector } from "../../../ui/src/lib/status-page.ts";
import { parseMatchers, formatMatcher, matchersForLabels, silenceBody } from "../../../ui/src/lib/silence.ts";
import { hideSecrets } from "../../../ui/src/lib/secrets.ts";
import { parseExpr } from "../../../shared/promql/parser.ts";

describe("query page URL state (Prometheus's format)", () => {
  it("reads a Prometheus 3 link with several panels", () => {
    const panels = parsePanels("?g0.expr=rate(x%5B5m%5D)&g0.tab=graph&g0.range_input=30m&g0.end_input=2024-05-01%2012%3A00%3A00&g0.step_input=15&g0.display_mode=stacked&g1.expr=up&g1.tab=table");
    expect(panels).toEqual([
      { expr: "rate(x[5m])", tab: "graph", rangeMs: 30 * 60_000, endMs: Date.UTC(2024, 4, 1, 12), stepS: 15, displayMode: "stacked" },
      { expr: "up", tab: "table", rangeMs: DEFAULT_RANGE_MS, endMs: null, stepS: null, displayMode: "lines" },
    ]);
  });

  it("reads Prometheus 2's numeric tabs and stacked flag", () => {
    const [g] = parsePanels("g0.expr=up&g0.tab=0&g0.stacked=1&g0.range_input=1d");
    expect(g).toMatchObject({ tab: "graph", displayMode: "stacked", rangeMs: 86_400_000 });
    expect(parsePanels("g0.expr=up&g0.tab=1")[0]!.tab).toBe("table");
  });

  it("round-trips through the query string and falls back on bad input", () => {
    const panels = parsePanels("g0.expr=sum(up)&g0.tab=graph&g0.range_input=2h&g0.end_input=2024-01-02 03:04:05&g0.step_input=60");
    expect(parsePanels(panelsToSearch(panels))).toEqual(panels);
    expect(panelsToSearch(panels)).toContain("g0.range_input=2h");
    expect(parsePanels("g0.expr=up&g0.range_input=banana&g0.step_input=-1")[0]).toMatchObject({ rangeMs: DEFAULT_RANGE_MS, stepS: null });
    expect(parsePanels("")).toHaveLength(1);
  });

  it("formats and parses times in UTC, and picks Prometheus's default step", () => {
    expect(formatUrlTime(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe("2024-01-02 03:04:05");
    expect(parseUrlTime("1700000000")).toBe(1_700_000_000_000);
    expect(parseUrlTime("2024-01-02T03:04:05Z")).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseUrlTime("soon")).toBeNull();
    expect(autoStepSeconds(3600_000)).toBe(14);
    expect(autoStepSeconds(60_000)).toBe(1);
  });

  it("steps the range through the presets, snapping in-between ranges", () => {
    const H = 3600_000;
    expect(shiftRange(H, 1)).toBe(2 * H);
    expect(shiftRange(H, -1)).toBe(30 * 60_000);
    expect(shiftRange(90 * 60_000, 1)).toBe(2 * H);
    expect(shiftRange(90 * 60_000, -1)).toBe(H);
    expect(shiftRange(60_000, -1)).toBe(60_000);
    expect(shiftRange(365 * 24 * H, 1)).toBe(365 * 24 * H);
  });
});

describe("graph data", () => {
  it("aligns series on the step grid with gaps as null", () => {
    const a = alignMatrix([{ metric: {}, values: [[100, "1"], [120, "3"]] }, { metric: {}, values: [[110, "NaN"], [120, "+Inf"]] }], 100, 120, 10);
    expect(a.times).toEqual([100, 110, 120]);
    expect(a.columns).toEqual([[1, null, 3], [null, null, null]]);
  });

  it("stacks columns, keeping gaps", () => {
    expect(stackColumns([[1, 2, null], [10, null, 5], [100, 100, 100]])).toEqual([[1, 2, null], [11, null, 5], [111, 102, 105]]);
  });

  it("names series as Prometheus prints them", () => {
    expect(seriesName({ __name__: "up", job: "a", instance: "b" })).toBe('up{instance="b", job="a"}');
    expect(seriesName({ __name__: "up" })).toBe("up");
    expect(seriesName({})).toBe("{}");
  });
});

describe("colour themes", () => {
  for (const [name, palette] of Object.entries(themes)) {
    it(`${name} theme passes WCAG AA contrast (4.5:1 text, 3:1 graphics)`, () => {
      const failing = contrastPairs(palette).filter(([fg, bg, min]) => contrastRatio(fg, bg) < min).map(([fg, bg, , what]) => `${what}: ${contrastRatio(fg, bg).toFixed(2)}`);
      expect(failing).toEqual([]);
    });
  }

  it("computes WCAG ratios", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    expect(() => contrastRatio("red", "#fff")).toThrow(/#rrggbb/);
  });
});

describe("status page", () => {
  it("merges the file's block and the URL (URL wins) over defaults", () => {
    expect(statusConfig(undefined, "")).toEqual({ title: "Status", jobs: [], groupBy: "job", regionLabel: "region" });
    expect(statusConfig({ title: "Acme", jobs: ["web", 3], group_by: "team" }, "?job=api&title=Acme%20status")).toEqual({ title: "Acme status", jobs: ["api"], groupBy: "team", regionLabel: "region" });
  });

  it("builds valid PromQL limited to the configured jobs", () => {
    const cfg = statusConfig({ jobs: ["web", "a.b|c"] }, "");
    expect(probeSelector("probe_success", cfg)).toBe('probe_success{job=~"web|a\\\\.b\\\\|c"}');
    const q = statusQueries(cfg);
    for (const e of [q.current, q.latency, q.incidents, ...Object.values(q.uptime)]) expect(() => parseExpr(e)).not.toThrow();
    expect(q.uptime["7d"]).toBe('avg by (job, instance) (avg_over_time(probe_success{job=~"web|a\\\\.b\\\\|c"}[7d]))');
    expect(statusQueries(statusConfig({}, "")).current).toBe("probe_success");
  });

  it("finds incidents (newest first), ongoing ones, and splits at data gaps", () => {
    const v = (pairs: [number, number][]) => pairs.map(([t, x]) => [t, String(x)] as [number, string]);
    expect(findIncidents(v([[0, 1], [60, 0], [120, 0], [180, 1], [240, 0]]), 90)).toEqual([{ start: 240, end: null }, { start: 60, end: 180 }]);
    expect(findIncidents(v([[0, 0], [60, 0], [600, 1]]), 90)).toEqual([{ start: 0, end: 60 }]);
    expect(findIncidents([], 90)).toEqual([]);
  });

  it("formats uptime without rounding up to 100%, and durations", () => {
    expect(formatUptime(1)).toBe("100%");
    expect(formatUptime(0.99999)).toBe("99.99%");
    expect(formatUptime(0.8375)).toBe("83.75%");
    expect(formatUptime(undefined)).toBe("–");
    expect(humanDuration(45)).toBe("45s");
    expect(humanDuration(3900)).toBe("1h 5m");
    expect(humanDuration(90000)).toBe("1d 1h");
  });
});

describe("silences", () => {
  it("parses matchers with all four operators and escapes", () => {
    expect(parseMatchers('{alertname="Down", job=~"a|b", env!="dev", x!~"y\\"z"}')).toEqual([
      { name: "alertname", value: "Down", isRegex: false, isEqual: true },
      { name: "job", value: "a|b", isRegex: true, isEqual: true },
      { name: "env", value: "dev", isRegex: false, isEqual: false },
      { name: "x", value: 'y"z', isRegex: true, isEqual: false },
    ]);
  });

  it("round-trips through formatMatcher and names the bad position", () => {
    const text = 'a="1", b=~"2", c!="3", d!~"4"';
    expect(parseMatchers(text).map(formatMatcher).join(", ")).toBe(text);
    expect(() => parseMatchers('a="1", b')).toThrow(/character 8/);
    expect(() => parseMatchers("")).toThrow(/at least one matcher/);
  });

  it("matches an alert's labels exactly and builds the v2 POST body", () => {
    expect(matchersForLabels({ job: "x", alertname: "A" }).map(formatMatcher)).toEqual(['alertname="A"', 'job="x"']);
    const body = silenceBody(parseMatchers('a="1"'), Date.UTC(2024, 0, 1), 7200_000, "me", "maintenance");
    expect(body).toEqual({ matchers: [{ name: "a", value: "1", isRegex: false, isEqual: true }], startsAt: "2024-01-01T00:00:00.000Z", endsAt: "2024-01-01T02:00:00.000Z", createdBy: "me", comment: "maintenance" });
    expect(() => silenceBody([], 0, 0, "me", "c")).toThrow(/duration/);
    expect(() => silenceBody([], 0, 1, " ", "c")).toThrow(/who/);
    expect(() => silenceBody([], 0, 1, "me", "")).toThrow(/comment/);
  });
});

describe("config page", () => {
  it("hides secrets that a server left in the YAML", () => {
    const yaml = "scrape_configs:\n  - job_name: x\n    basic_auth:\n      username: u\n      password: hunter2\n    authorization:\n      credentials: <secret>\n    bearer_token: abc\n";
    expect(hideSecrets(yaml)).toBe("scrape_configs:\n  - job_name: x\n    basic_auth:\n      username: u\n      password: <secret>\n    authorization:\n      credentials: <secret>\n    bearer_token: <secret>\n");
  });
});
