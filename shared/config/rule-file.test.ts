import { describe, it, expect } from "vitest";
import { ConfigError, parseRuleFile } from "./index.ts";

const F = "rules.yml";

describe("parseRuleFile", () => {
  it("reads groups, recording and alerting rules with defaults", () => {
    const f = parseRuleFile(`
groups:
  - name: node
    interval: 30s
    limit: 10
    labels: {team: infra}
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: {source: rec}
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: {severity: page}
        annotations:
          summary: "Instance {{ $labels.instance }} down"
  - name: other
    query_offset: 1m
    rules: []
`, F);
    expect(f.groups.map((g) => [g.name, g.interval, g.queryOffset, g.limit, g.line])).toEqual([
      ["node", 30_000, undefined, 10, 3], ["other", undefined, 60_000, 0, 18],
    ]);
    expect(f.groups[0]!.labels).toEqual({ team: "infra" });
    expect(f.groups[0]!.rules).toEqual([
      { kind: "recording", record: "job:up:sum", expr: "sum by (job) (up)", labels: { source: "rec" }, line: 8 },
      {
        kind: "alerting", alert: "InstanceDown", expr: "up == 0", for: 300_000, keepFiringFor: 60_000,
        labels: { severity: "page" }, annotations: { summary: "Instance {{ $labels.instance }} down" }, line: 11,
      },
    ]);
  });

  it("passes expressions to validateExpr", () => {
    const seen: string[] = [];
    parseRuleFile("groups: [{name: g, rules: [{record: a, expr: up}, {alert: b, expr: 'up == 0'}]}]", F, {
      validateExpr: (e) => (seen.push(e), undefined),
    });
    expect(seen).toEqual(["up", "up == 0"]);
    expect(() => parseRuleFile("groups:\n  - name: g\n    rules:\n      - record: a\n        expr: 'up('\n", F, { validateExpr: () => "1:4: parse error: unclosed left parenthesis" }))
      .toThrow('rules.yml:5: group "g", rule 1, "a": could not parse expression: 1:4: parse error: unclosed left parenthesis');
  });

  const BAD: [string, number, string][] = [
    ["groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        fo: 1m\n", 6, "field fo not found in type rulefmt.RuleNode"],
    ["groups:\n  - rules: []\n", 2, "Groupname must not be empty"],
    ["groups:\n  - name: g\n  - name: g\n", 3, 'groupname: "g" is repeated in the same file'],
    ["groups:\n  - name: g\n    rules:\n      - record: x\n        alert: y\n        expr: up\n", 4, `group "g", rule 1, "y": only one of 'record' and 'alert' must be set`],
    ["groups:\n  - name: g\n    rules:\n      - expr: up\n", 4, `group "g", rule 1, "": one of 'record' or 'alert' must be set`],
    ["groups:\n  - name: g\n    rules:\n      - record: x\n", 4, `group "g", rule 1, "x": field 'expr' must be set in rule`],
    ["groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        for: 1m\n", 6, `invalid field 'for' in recording rule`],
    ["groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        annotations: {a: b}\n", 6, `invalid field 'annotations' in recording rule`],
    ["groups:\n  - name: g\n    rules:\n      - record: 'a-b'\n        expr: up\n", 4, "invalid recording rule name: a-b"],
    ["groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels: {__name__: x}\n", 6, "invalid label name: __name__"],
    ["groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: {'a b': x}\n", 6, "invalid annotation name: a b"],
    ["groups:\n  - name: g\n    interval: 1q\n", 3, 'not a valid duration string: "1q"'],
    ["group:\n  - name: g\n", 1, "field group not found in type rulefmt.RuleGroups"],
  ];
  for (const [yaml, line, msg] of BAD) {
    it(`rejects: ${msg}`, () => {
      let err: unknown;
      try {
        parseRuleFile(yaml, F);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).line).toBe(line);
      expect((err as ConfigError).message).toContain(`${F}:${line}: `);
      expect((err as ConfigError).detail).toContain(msg);
    });
  }
});

describe("PrometheusRule manifests (prometheus-operator)", () => {
  const manifest = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: node-rules
  namespace: monitoring
  labels:
    release: kube-prometheus-stack
spec:
  groups:
    - name: node.rules
      rules:
        - alert: NodeDown
          expr: up{job="node"} == 0
          for: 5m
          labels:
            severity: critical
          annotations:
            summary: "{{ $labels.instance }} is down"
        - record: instance:node_cpu:rate5m
          expr: sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))
`;

  it("reads the groups of spec as a rule file", () => {
    const f = parseRuleFile(manifest, "node-rules.yaml");
    expect(f.groups.map((g) => g.name)).toEqual(["node.rules"]);
    expect(f.groups[0]!.rules).toHaveLength(2);
  });

  it("rejects other kinds and bad rules with their line", () => {
    expect(() => parseRuleFile(manifest.replace("kind: PrometheusRule", "kind: ConfigMap"), "x.yaml")).toThrow(/^x\.yaml:2: kind ConfigMap \(monitoring\.coreos\.com\/v1\) is not a rule file/);
    const validateExpr = (e: string) => (e.endsWith("{") ? "unexpected end of input" : undefined);
    expect(() => parseRuleFile(manifest.replace("up{job=\"node\"} == 0", "up{"), "x.yaml", { validateExpr })).toThrow(/^x\.yaml:13: group "node.rules", rule 1.*unexpected end of input/);
  });
});
