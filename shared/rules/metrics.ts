/**
 * @module
 * The rule manager's and notifier's self-metrics, with Prometheus's names
 * (rules/group.go, notifier/notifier.go); `rule_group` is `<file>;<group>`.
 */
import type { MetricFamily, MetricSample } from "../exposition/format.ts";
import { labelsFromRecord, labelsKey } from "../labels/labels.ts";
import type { LoadedGroup } from "./api.ts";

export interface NotifierCounters {
  /** By Alertmanager push URL. */
  sent: Record<string, number>;
  errors: Record<string, number>;
  discovered: number;
}

export function ruleMetrics(groups: readonly LoadedGroup[], n: NotifierCounters): MetricFamily[] {
  const per = (name: string, help: string, type: "counter" | "gauge", pick: (g: LoadedGroup) => number): MetricFamily => ({
    name,
    help,
    type,
    samples: groups.map((g) => ({ labels: labelsFromRecord({ rule_group: `${g.group.def.file};${g.group.def.name}` }), value: pick(g) })),
  });
  const byAm = (name: string, help: string, rec: Record<string, number>): MetricFamily => ({
    name,
    help,
    type: "counter",
    samples: Object.entries(rec).map(([url, v]) => ({ labels: labelsFromRecord({ alertmanager: url }), value: v })),
  });
  return [
    per("prometheus_rule_evaluations_total", "The total number of rule evaluations.", "counter", (g) => g.state.evaluations * g.group.rules.length),
    per("prometheus_rule_evaluation_failures_total", "The total number of rule evaluation failures.", "counter", (g) => g.state.failures ?? 0),
    per("prometheus_rule_group_iterations_total", "The total number of scheduled rule group evaluations, whether executed or missed.", "counter", (g) => g.state.evaluations),
    per("prometheus_rule_group_interval_seconds", "The interval of a rule group.", "gauge", (g) => g.group.interval / 1000),
    per("prometheus_rule_group_last_duration_seconds", "The duration of the last rule evaluation.", "gauge", (g) => g.state.evaluationTime),
    per("prometheus_rule_group_last_evaluation_timestamp_seconds", "The timestamp of the last rule group evaluation in seconds.", "gauge", (g) => (g.state.lastEvaluation ?? 0) / 1000),
    per("prometheus_rule_group_rules", "The number of rules.", "gauge", (g) => g.group.rules.length),
    byAm("prometheus_notifications_sent_total", "Total number of alerts sent.", n.sent),
    byAm("prometheus_notifications_errors_total", "Total number of sent alerts affected by errors.", n.errors),
    { name: "prometheus_notifications_alertmanagers_discovered", help: "The number of alertmanagers discovered and active.", type: "gauge", samples: [{ labels: [], value: n.discovered }] },
  ];
}

/** Merges several rule shards' families: samples with the same labels are summed (the discovered gauge is taken once). */
export function mergeFamilies(parts: readonly MetricFamily[][]): MetricFamily[] {
  const out = new Map<string, { family: MetricFamily; byLabels: Map<string, MetricSample> }>();
  for (const fams of parts) {
    for (const f of fams) {
      let acc = out.get(f.name);
      if (acc === undefined) {
        acc = { family: { ...f, samples: [] }, byLabels: new Map() };
        out.set(f.name, acc);
      }
      for (const smp of f.samples) {
        const k = labelsKey(smp.labels);
        const prev = acc.byLabels.get(k);
        if (prev === undefined) {
          const copy = { ...smp };
          acc.byLabels.set(k, copy);
          acc.family.samples.push(copy);
        } else if (f.type === "counter") prev.value += smp.value;
      }
    }
  }
  return [...out.values()].map((x) => x.family);
}
