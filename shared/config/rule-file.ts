/**
 * @module
 * Recording and alerting rule files (Prometheus's rulefmt), with its
 * validation messages located at `file:line`. PromQL is checked only through
 * the optional `validateExpr` callback, so this module stays parser-free.
 */
import { isLegacyLabelName, isLegacyMetricName } from "../labels/labels.ts";
import { ConfigError } from "./config-error.ts";
import { isMap } from "yaml";
import { YamlFile, YamlStruct, isNull } from "./yaml-reader.ts";
import type { YamlNode } from "./yaml-reader.ts";

export interface RecordingRule {
  kind: "recording";
  record: string;
  expr: string;
  labels: Record<string, string>;
  line: number;
}

export interface AlertingRule {
  kind: "alerting";
  alert: string;
  expr: string;
  /** ms */
  for: number;
  /** ms */
  keepFiringFor: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  line: number;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  /** ms; undefined = the global evaluation_interval. */
  interval: number | undefined;
  /** ms; undefined = the global rule_query_offset. */
  queryOffset: number | undefined;
  /** 0 = no limit on alerts/series per evaluation. */
  limit: number;
  labels: Record<string, string>;
  rules: Rule[];
  file: string;
  line: number;
}

export interface RuleFile {
  groups: RuleGroup[];
}

export interface ParseRuleFileOptions {
  /** Returns an error message for an invalid PromQL expression, undefined when it is fine. */
  validateExpr?: (expr: string) => string | undefined;
  /** Returns the parse error of an alerting rule's label/annotation template (`name` is `__alert_<alert>`). */
  validateTemplate?: (name: string, text: string) => string | undefined;
}

const GROUP_FIELDS = ["name", "interval", "query_offset", "limit", "labels", "rules"];
const RULE_FIELDS = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"];

export function parseRuleFile(text: string, filename: string, options: ParseRuleFileOptions = {}): RuleFile {
  const file = new YamlFile(text, filename);
  const top = ruleGroupsRoot(file);
  const names = new Set<string>();
  const groups = top.list("groups", "[]rulefmt.RuleGroup", (n) => {
    const g = new YamlStruct(file, n, "rulefmt.RuleGroup", GROUP_FIELDS, top.lineOf("groups"));
    const name = g.string("name");
    if (name === "") throw g.error("name", "Groupname must not be empty");
    if (names.has(name)) throw g.error("name", `groupname: "${name}" is repeated in the same file`);
    names.add(name);
    const labels = g.stringMap("labels");
    checkLabels(labels, (msg) => g.error("labels", msg));
    return {
      name,
      interval: g.has("interval") ? g.duration("interval", 0) : undefined,
      queryOffset: g.has("query_offset") ? g.duration("query_offset", 0) : undefined,
      limit: g.uint("limit"),
      labels,
      rules: g.list("rules", "[]rulefmt.RuleNode", (rn, i) => readRule(file, rn, name, i + 1, g.lineOf("rules"), options)),
      file: filename,
      line: g.line,
    };
  });
  return { groups };
}

/**
 * The `groups` holder: the file itself, or the `spec` of a prometheus-operator
 * PrometheusRule manifest (monitoring.coreos.com/v1), whose spec is a rule file.
 */
function ruleGroupsRoot(file: YamlFile): YamlStruct {
  const root = file.root;
  if (root !== null && isMap(root) && root.has("kind") && root.has("spec")) {
    const m = new YamlStruct(file, root, "PrometheusRule", ["apiVersion", "kind", "metadata", "spec"]);
    const kind = m.string("kind");
    const apiVersion = m.string("apiVersion");
    if (kind !== "PrometheusRule" || !apiVersion.startsWith("monitoring.coreos.com/")) {
      throw m.error("kind", `kind ${kind} (${apiVersion}) is not a rule file: only monitoring.coreos.com PrometheusRule manifests are`);
    }
    return m.struct("spec", "PrometheusRuleSpec", ["groups"]);
  }
  return new YamlStruct(file, root, "rulefmt.RuleGroups", ["groups"]);
}

function readRule(file: YamlFile, node: YamlNode | null, group: string, index: number, parentLine: number, options: ParseRuleFileOptions): Rule {
  if (isNull(node)) throw file.error(node ?? parentLine, `group "${group}", rule ${index}: empty rule`);
  const r = new YamlStruct(file, node, "rulefmt.RuleNode", RULE_FIELDS, parentLine);
  const record = r.string("record");
  const alert = r.string("alert");
  const fail = (field: string | undefined, msg: string): ConfigError =>
    r.error(field, `group "${group}", rule ${index}, "${alert || record}": ${msg}`);

  if (record !== "" && alert !== "") throw fail("record", "only one of 'record' and 'alert' must be set");
  if (record === "" && alert === "") throw fail(undefined, "one of 'record' or 'alert' must be set");
  const expr = r.string("expr");
  if (expr.trim() === "") throw fail("expr", "field 'expr' must be set in rule");
  const exprError = options.validateExpr?.(expr);
  if (exprError !== undefined) throw fail("expr", `could not parse expression: ${exprError}`);
  const labels = r.stringMap("labels");
  const annotations = r.stringMap("annotations");
  const forMs = r.duration("for", 0);
  const keepFiringFor = r.duration("keep_firing_for", 0);
  if (record !== "") {
    if (Object.keys(annotations).length > 0) throw fail("annotations", "invalid field 'annotations' in recording rule");
    if (forMs !== 0) throw fail("for", "invalid field 'for' in recording rule");
    if (keepFiringFor !== 0) throw fail("keep_firing_for", "invalid field 'keep_firing_for' in recording rule");
    if (!isLegacyMetricName(record)) throw fail("record", `invalid recording rule name: ${record}`);
  }
  checkLabels(labels, (msg) => fail("labels", msg));
  for (const k of Object.keys(annotations)) {
    if (!isLegacyLabelName(k)) throw fail("annotations", `invalid annotation name: ${k}`);
  }
  if (alert !== "" && options.validateTemplate !== undefined) {
    for (const [k, v] of Object.entries(labels)) {
      const err = options.validateTemplate(`__alert_${alert}`, v);
      if (err !== undefined) throw fail("labels", `label ${JSON.stringify(k)}: ${err}`);
    }
    for (const [k, v] of Object.entries(annotations)) {
      const err = options.validateTemplate(`__alert_${alert}`, v);
      if (err !== undefined) throw fail("annotations", `annotation ${JSON.stringify(k)}: ${err}`);
    }
  }
  const line = r.line;
  if (record !== "") return { kind: "recording", record, expr, labels, line };
  return { kind: "alerting", alert, expr, for: forMs, keepFiringFor, labels, annotations, line };
}

function checkLabels(labels: Record<string, string>, fail: (msg: string) => ConfigError): void {
  for (const k of Object.keys(labels)) {
    if (!isLegacyLabelName(k) || k === "__name__") throw fail(`invalid label name: ${k}`);
  }
}
