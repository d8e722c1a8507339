/**
 * @module
 * Prometheus's notifier, the pure part (notifier/notifier.go): external
 * labels added to alerts that lack them, `alerting.alert_relabel_configs`,
 * then each Alertmanager set's own `alert_relabel_configs`; the payload is
 * Alertmanager API v2's PostableAlerts, POSTed to `{path_prefix}/api/v2/alerts`.
 */
import type { Labels } from "../labels/labels.ts";
import { labelsToRecord } from "../labels/labels.ts";
import { LabelsBuilder } from "../relabel/builder.ts";
import { processBuilder } from "../relabel/relabel.ts";
import type { RelabelConfig } from "../relabel/config.ts";
import type { AlertmanagerConfig } from "../config/types.ts";
import type { TargetGroup } from "../discovery/target-group.ts";
import { alertmanagersFromGroup } from "../discovery/alertmanagers.ts";
import type { AlertmanagerEndpoint, DroppedAlertmanager } from "../discovery/alertmanagers.ts";
import type { NotifierAlert } from "./group.ts";

/** Alertmanager v2's PostableAlert (the contract with the built-in Alertmanager too). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** Go's zero time, which strfmt.DateTime marshals when a time is unset. */
const GO_ZERO_TIME = "0001-01-01T00:00:00.000Z";

function rfc3339(ms: number | undefined): string {
  return ms === undefined ? GO_ZERO_TIME : new Date(ms).toISOString();
}

/** External labels (when the alert lacks them) and the global alert_relabel_configs; dropped alerts are removed. */
export function relabelAlerts(alerts: readonly NotifierAlert[], externalLabels: Labels, configs: readonly RelabelConfig[]): NotifierAlert[] {
  const out: NotifierAlert[] = [];
  for (const a of alerts) {
    const lb = new LabelsBuilder(a.labels);
    for (const l of externalLabels) if (lb.get(l.name) === "") lb.set(l.name, l.value);
    if (!processBuilder(lb, configs)) continue;
    out.push({ ...a, labels: lb.labels() });
  }
  return out;
}

/** The v2 API body, field for field as Prometheus's alertsToOpenAPIAlerts. */
export function toPostableAlerts(alerts: readonly NotifierAlert[]): PostableAlert[] {
  return alerts.map((a) => ({
    annotations: labelsToRecord(a.annotations),
    endsAt: rfc3339(a.endsAt),
    startsAt: rfc3339(a.startsAt),
    generatorURL: a.generatorURL,
    labels: labelsToRecord(a.labels),
  }));
}

export interface AlertmanagerSet {
  config: AlertmanagerConfig;
  active: AlertmanagerEndpoint[];
  dropped: DroppedAlertmanager[];
}

/** Endpoints of one `alertmanagers` entry from its discovered groups (static_configs plus SD results). */
export function alertmanagerSet(config: AlertmanagerConfig, groups: readonly TargetGroup[]): AlertmanagerSet {
  const active: AlertmanagerEndpoint[] = [];
  const dropped: DroppedAlertmanager[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    for (const e of alertmanagersFromGroup(config, g)) {
      if (e.dropped) dropped.push(e);
      else if (!seen.has(e.url)) {
        // Prometheus deduplicates endpoints by URL within a set.
        seen.add(e.url);
        active.push(e);
      }
    }
  }
  return { config, active, dropped };
}

/** The alerts one set receives: its alert_relabel_configs applied; empty when all were dropped. */
export function alertsForSet(set: AlertmanagerSet, alerts: readonly NotifierAlert[]): PostableAlert[] {
  if (set.config.alertRelabelConfigs.length === 0) return toPostableAlerts(alerts);
  return toPostableAlerts(relabelAlerts(alerts, [], set.config.alertRelabelConfigs));
}
