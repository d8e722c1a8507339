/**
 * @module
 * The JSON of `/api/v1/rules` and `/api/v1/alerts`, field for field as
 * Prometheus's web/api/v1 (RuleGroup, AlertingRule, RecordingRule, Alert),
 * with the `type`, `rule_name[]`, `rule_group[]`, `file[]` and
 * `exclude_alerts` filters.
 */
import { labelsFromRecord, labelsToRecord } from "../labels/labels.ts";
import { matchLabels } from "../labels/matcher.ts";
import type { Matcher } from "../labels/matcher.ts";
import type { Alert, CompiledGroup, GroupState } from "./group.ts";
import { activeAlerts, ruleAlertState } from "./group.ts";

/** Go's time.Time JSON (RFC 3339 with trimmed nanoseconds); undefined is Go's zero time. */
export function goTimeJSON(ms: number | undefined): string {
  if (ms === undefined) return "0001-01-01T00:00:00Z";
  return new Date(ms).toISOString().replace(/\.?0+Z$/, "Z").replace(/\.Z$/, "Z");
}

/** strconv.FormatFloat(v, 'e', -1, 64), the API's alert value. */
export function formatFloatE(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const [m, e] = v.toExponential().split("e") as [string, string];
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

export interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt?: string;
  keepFiringSince?: string;
  value: string;
}

export function apiAlert(a: Alert): ApiAlert {
  const out: Partial<ApiAlert> = {
    labels: labelsToRecord(a.labels),
    annotations: labelsToRecord(a.annotations),
    state: a.state,
    activeAt: goTimeJSON(a.activeAt),
  };
  if (a.keepFiringSince !== undefined) out.keepFiringSince = goTimeJSON(a.keepFiringSince);
  out.value = formatFloatE(a.value);
  return out as ApiAlert;
}

export interface RulesFilter {
  type?: "alert" | "record";
  ruleNames?: Set<string>;
  groupNames?: Set<string>;
  files?: Set<string>;
  excludeAlerts?: boolean;
  /** `match[]`: a rule is kept when its labels match any one set. */
  matchers?: Matcher[][];
}

export interface LoadedGroup {
  group: CompiledGroup;
  state: GroupState;
}

export function rulesResponse(groups: readonly LoadedGroup[], f: RulesFilter = {}): { groups: unknown[] } {
  const filtered = f.type !== undefined || (f.ruleNames?.size ?? 0) > 0 || (f.groupNames?.size ?? 0) > 0 || (f.files?.size ?? 0) > 0 || (f.matchers?.length ?? 0) > 0;
  const out: unknown[] = [];
  for (const { group: g, state } of groups) {
    if ((f.groupNames?.size ?? 0) > 0 && !f.groupNames!.has(g.def.name)) continue;
    if ((f.files?.size ?? 0) > 0 && !f.files!.has(g.def.file)) continue;
    const rules: unknown[] = [];
    g.rules.forEach((r, i) => {
      const st = state.rules[i]!;
      const name = r.def.kind === "recording" ? r.def.record : r.def.alert;
      if ((f.ruleNames?.size ?? 0) > 0 && !f.ruleNames!.has(name)) return;
      if ((f.matchers?.length ?? 0) > 0 && !f.matchers!.some((ms) => matchLabels(ms, labelsFromRecord(r.labels)))) return;
      if (r.def.kind === "alerting") {
        if (f.type === "record") return;
        const rule: Record<string, unknown> = {
          state: ruleAlertState(st),
          name,
          query: r.query,
          duration: r.def.for / 1000,
          keepFiringFor: r.def.keepFiringFor / 1000,
          labels: r.labels,
          annotations: r.def.annotations,
          alerts: f.excludeAlerts ? [] : activeAlerts(st).map(apiAlert),
          health: st.health,
        };
        if (st.lastError !== "") rule.lastError = st.lastError;
        Object.assign(rule, { evaluationTime: st.evaluationTime, lastEvaluation: goTimeJSON(st.lastEvaluation), type: "alerting" });
        rules.push(rule);
      } else {
        if (f.type === "alert") return;
        const rule: Record<string, unknown> = { name, query: r.query, labels: r.labels, health: st.health };
        if (st.lastError !== "") rule.lastError = st.lastError;
        Object.assign(rule, { evaluationTime: st.evaluationTime, lastEvaluation: goTimeJSON(st.lastEvaluation), type: "recording" });
        rules.push(rule);
      }
    });
    if (filtered && rules.length === 0) continue;
    out.push({
      name: g.def.name,
      file: g.def.file,
      rules,
      interval: g.interval / 1000,
      limit: g.def.limit,
      evaluationTime: state.evaluationTime,
      lastEvaluation: goTimeJSON(state.lastEvaluation),
    });
  }
  return { groups: out };
}

export function alertsResponse(groups: readonly LoadedGroup[]): { alerts: ApiAlert[] } {
  const alerts: ApiAlert[] = [];
  for (const { group: g, state } of groups) {
    g.rules.forEach((r, i) => {
      if (r.def.kind === "alerting") alerts.push(...activeAlerts(state.rules[i]!).map(apiAlert));
    });
  }
  return { alerts };
}
