// The notifier's relabeling and payload, the rules/alerts API shapes, and rule
// file loading, as Prometheus documents them.
import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToRecord } from "../labels/labels.ts";
import { Matcher as MatcherClass } from "../labels/matcher.ts";
import { parsePrometheusConfig } from "../config/prometheus-config.ts";
import { parseRuleFile } from "../config/rule-file.ts";
import { alertmanagerSet, alertsForSet, relabelAlerts, toPostableAlerts } from "./notifier.ts";
import { alertsResponse, formatFloatE, goTimeJSON, rulesResponse } from "./api.ts";
import { compileGroup, newGroupState } from "./group.ts";
import type { NotifierAlert } from "./group.ts";
import { globMatch, loadRuleGroups, parseAndValidateRuleFile, resolveRuleFiles } from "./load.ts";

const alert = (labels: Record<string, string>): NotifierAlert => ({
  labels: labelsFromRecord(labels),
  annotations: labelsFromRecord({ summary: "s" }),
  startsAt: Date.UTC(2026, 0, 1, 0, 0, 0),
  endsAt: Date.UTC(2026, 0, 1, 0, 4, 0, 500),
  generatorURL: "http://p/graph?g0.expr=up&g0.tab=1",
});

const CONFIG = `global:
  external_labels: {region: eu, job: from-external}
alerting:
  alert_relabel_configs:
    - source_labels: [severity]
      regex: debug
      action: drop
  alertmanagers:
    - path_prefix: /am
      static_configs:
        - targets: ['127.0.0.1:9093', '127.0.0.1:9093', '127.0.0.1:9094']
      alert_relabel_configs:
        - target_label: via
          replacement: set1
    - scheme: https
      static_configs:
        - targets: ['am.example:443']
      relabel_configs:
        - source_labels: [__address__]
          regex: am.example.*
          action: drop
rule_files: ['rules/*.yml', 'extra.yml']
`;

describe("notifier", () => {
  const cfg = parsePrometheusConfig(CONFIG, "prometheus.yml");

  it("adds external labels the alert lacks and applies alert_relabel_configs", () => {
    const out = relabelAlerts([alert({ alertname: "A", job: "api" }), alert({ alertname: "B", severity: "debug" })], cfg.global.externalLabels, cfg.alerting.alertRelabelConfigs);
    expect(out.map((a) => labelsToRecord(a.labels))).toEqual([{ alertname: "A", job: "api", region: "eu" }]);
  });

  it("builds the v2 PostableAlerts body with RFC 3339 times", () => {
    expect(toPostableAlerts([alert({ alertname: "A" })])).toEqual([
      {
        annotations: { summary: "s" },
        endsAt: "2026-01-01T00:04:00.500Z",
        startsAt: "2026-01-01T00:00:00.000Z",
        generatorURL: "http://p/graph?g0.expr=up&g0.tab=1",
        labels: { alertname: "A" },
      },
    ]);
    expect(toPostableAlerts([{ ...alert({ a: "b" }), startsAt: undefined }])[0]!.startsAt).toBe("0001-01-01T00:00:00.000Z");
  });

  it("resolves each alertmanagers entry to push URLs (path_prefix, dedup, relabel drops)", () => {
    const [one, two] = cfg.alerting.alertmanagers.map((am) => alertmanagerSet(am, am.staticConfigs));
    expect(one!.active.map((a) => a.url)).toEqual(["http://127.0.0.1:9093/am/api/v2/alerts", "http://127.0.0.1:9094/am/api/v2/alerts"]);
    expect(two!.active).toEqual([]);
    expect(two!.dropped).toHaveLength(1);
    expect(alertsForSet(one!, [alert({ alertname: "A" })])[0]!.labels).toEqual({ alertname: "A", via: "set1" });
    expect(alertsForSet(two!, [alert({ alertname: "A" })])[0]!.labels).toEqual({ alertname: "A" });
  });
});

describe("rules and alerts API", () => {
  const file = parseRuleFile(
    `groups:
  - name: g1
    interval: 30s
    rules:
      - record: r1
        expr: sum(up)
      - alert: A1
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: {severity: page}
        annotations: {summary: down}
  - name: g2
    rules:
      - alert: A2
        expr: vector(1)
`,
    "rules/x.yml",
  );
  const groups = file.groups.map((g) => {
    const group = compileGroup(g, { evaluationInterval: 60_000, ruleQueryOffset: 0 });
    return { group, state: newGroupState(group) };
  });
  groups[0]!.state.rules[1]!.active = [
    { labels: labelsFromRecord({ alertname: "A1", instance: "x" }), annotations: labelsFromRecord({ summary: "down" }), state: "pending", value: 0, activeAt: Date.UTC(2026, 0, 1) },
    { labels: labelsFromRecord({ alertname: "A1", instance: "y" }), annotations: labelsFromRecord({}), state: "inactive", value: 1, activeAt: 0, resolvedAt: 5 },
  ];
  groups[0]!.state.rules[0]!.health = "err";
  groups[0]!.state.rules[0]!.lastError = "boom";

  it("renders Prometheus's rule group JSON", () => {
    const res = rulesResponse(groups) as { groups: Record<string, unknown>[] };
    expect(res.groups[0]).toEqual({
      name: "g1",
      file: "rules/x.yml",
      rules: [
        { name: "r1", query: "sum(up)", labels: {}, health: "err", lastError: "boom", evaluationTime: 0, lastEvaluation: "0001-01-01T00:00:00Z", type: "recording" },
        {
          state: "pending",
          name: "A1",
          query: "up == 0",
          duration: 300,
          keepFiringFor: 60,
          labels: { severity: "page" },
          annotations: { summary: "down" },
          alerts: [{ labels: { alertname: "A1", instance: "x" }, annotations: { summary: "down" }, state: "pending", activeAt: "2026-01-01T00:00:00Z", value: "0e+00" }],
          health: "unknown",
          evaluationTime: 0,
          lastEvaluation: "0001-01-01T00:00:00Z",
          type: "alerting",
        },
      ],
      interval: 30,
      limit: 0,
      evaluationTime: 0,
      lastEvaluation: "0001-01-01T00:00:00Z",
    });
  });

  it("filters by type, rule name, group and file; drops emptied groups", () => {
    const names = (r: { groups: unknown[] }) => (r.groups as { name: string; rules: { name: string }[] }[]).map((g) => [g.name, g.rules.map((x) => x.name)]);
    expect(names(rulesResponse(groups, { type: "alert" }))).toEqual([["g1", ["A1"]], ["g2", ["A2"]]]);
    expect(names(rulesResponse(groups, { type: "record" }))).toEqual([["g1", ["r1"]]]);
    expect(names(rulesResponse(groups, { ruleNames: new Set(["A2"]) }))).toEqual([["g2", ["A2"]]]);
    expect(names(rulesResponse(groups, { groupNames: new Set(["g1"]) }))).toEqual([["g1", ["r1", "A1"]]]);
    expect(names(rulesResponse(groups, { files: new Set(["nope.yml"]) }))).toEqual([]);
    expect(names(rulesResponse(groups, { matchers: [[new MatcherClass("=", "severity", "page")]] }))).toEqual([["g1", ["A1"]]]);
    const ex = rulesResponse(groups, { excludeAlerts: true }) as { groups: { rules: { alerts?: unknown[] }[] }[] };
    expect(ex.groups[0]!.rules[1]!.alerts).toEqual([]);
  });

  it("lists only pending and firing alerts", () => {
    expect(alertsResponse(groups).alerts.map((a) => a.labels.instance)).toEqual(["x"]);
  });

  it("formats times and values as Go does", () => {
    expect(goTimeJSON(Date.UTC(2026, 0, 1, 1, 2, 3, 450))).toBe("2026-01-01T01:02:03.45Z");
    expect(goTimeJSON(undefined)).toBe("0001-01-01T00:00:00Z");
    expect(formatFloatE(1)).toBe("1e+00");
    expect(formatFloatE(0.000123)).toBe("1.23e-04");
    expect(formatFloatE(1.5e300)).toBe("1.5e+300");
    expect(formatFloatE(NaN)).toBe("NaN");
  });
});

describe("rule files", () => {
  it("matches globs like Go's path.Match", () => {
    expect(globMatch("rules/*.yml", "rules/a.yml")).toBe(true);
    expect(globMatch("rules/*.yml", "rules/sub/a.yml")).toBe(false);
    expect(globMatch("r?les/[ab].yml", "rules/b.yml")).toBe(true);
    expect(globMatch("r?les/[^ab].yml", "rules/b.yml")).toBe(false);
  });

  it("resolves patterns relative to the config folder, sorted, without repeats", () => {
    expect(resolveRuleFiles(["rules/*.yml", "./extra.yml", "rules/a.yml", "missing.yml"], ["extra.yml", "rules/b.yml", "rules/a.yml", "other/c.yml"])).toEqual(["rules/a.yml", "rules/b.yml", "extra.yml"]);
  });

  it("loads and compiles groups with the global evaluation_interval and query offset", () => {
    const cfg = parsePrometheusConfig(CONFIG.replace("global:", "global:\n  evaluation_interval: 20s\n  rule_query_offset: 5s"), "prometheus.yml");
    const groups = loadRuleGroups(cfg, { "rules/a.yml": "groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n", "extra.yml": "groups: []\n" });
    expect(groups.map((g) => [g.def.name, g.def.file, g.interval, g.queryOffset])).toEqual([["a", "rules/a.yml", 20_000, 5_000]]);
  });

  it("rejects bad expressions and templates as promtool check rules does", () => {
    const bad = (labels: string) => `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        ${labels}\n`;
    expect(() => parseAndValidateRuleFile(bad('labels: {sev: "{{ nope }}"}'), "bad.yml")).toThrow('group "g", rule 1, "A": label "sev": template: __alert_A:1: function "nope" not defined');
    expect(() => parseAndValidateRuleFile(bad('annotations: {s: "{{ if }}"}'), "bad.yml")).toThrow('group "g", rule 1, "A": annotation "s": template: __alert_A:1: missing value for if');
    expect(() => parseAndValidateRuleFile("groups:\n  - name: g\n    rules:\n      - record: x\n        expr: sum(\n", "bad.yml")).toThrow("could not parse expression");
  });
});

describe("rule self-metrics", () => {
  it("reports Prometheus's rule group and notifier metrics, summing shards", async () => {
    const { ruleMetrics, mergeFamilies } = await import("./metrics.ts");
    const { formatFamilies } = await import("../exposition/format.ts");
    const g = compileGroup(parseRuleFile("groups:\n  - name: g\n    interval: 30s\n    rules:\n      - record: a\n        expr: up\n      - record: b\n        expr: up\n", "r.yml").groups[0]!, { evaluationInterval: 60_000, ruleQueryOffset: 0 });
    const state = { ...newGroupState(g), evaluations: 3, failures: 1, lastEvaluation: 5000, evaluationTime: 0.25 };
    const one = ruleMetrics([{ group: g, state }], { sent: { "http://am/api/v2/alerts": 2 }, errors: {}, discovered: 1 });
    const two = ruleMetrics([], { sent: { "http://am/api/v2/alerts": 3 }, errors: { "http://am/api/v2/alerts": 1 }, discovered: 1 });
    const text = formatFamilies(mergeFamilies([one, two]));
    expect(text).toContain('prometheus_rule_evaluations_total{rule_group="r.yml;g"} 6\n');
    expect(text).toContain('prometheus_rule_evaluation_failures_total{rule_group="r.yml;g"} 1\n');
    expect(text).toContain('prometheus_rule_group_interval_seconds{rule_group="r.yml;g"} 30\n');
    expect(text).toContain('prometheus_rule_group_last_evaluation_timestamp_seconds{rule_group="r.yml;g"} 5\n');
    expect(text).toContain('prometheus_notifications_sent_total{alertmanager="http://am/api/v2/alerts"} 5\n');
    expect(text).toContain('prometheus_notifications_errors_total{alertmanager="http://am/api/v2/alerts"} 1\n');
    expect(text).toContain("prometheus_notifications_alertmanagers_discovered 1\n");
  });
});
