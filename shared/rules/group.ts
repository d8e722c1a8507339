/**
 * @module
 * Rule groups as Prometheus evaluates them (rules/group.go, alerting.go,
 * recording.go): rules run in order at the group's slotted evaluation time
 * minus query_offset; recording rules write their vector under a new name;
 * alerting rules move alerts inactive → pending → firing → inactive
 * (resolved, kept 15 min for resending), write ALERTS and ALERTS_FOR_STATE,
 * and hand the alerts due for sending to the notifier. Series a rule stops
 * producing get a stale marker. State is plain data (`GroupState`) so the
 * Durable Object shell can persist it between evaluations.
 */
import type { Labels } from "../labels/labels.ts";
import { METRIC_NAME, compareLabels, fnv1a32, labelsFromRecord, labelsKey, labelsToRecord } from "../labels/labels.ts";
import { Matcher, matchLabels } from "../labels/matcher.ts";
import type { Expr } from "../promql/ast.ts";
import { parseExpr } from "../promql/parser.ts";
import { exprToString } from "../promql/printer.ts";
import type { Engine } from "../promql/engine.ts";
import type { Querier, SeriesData } from "../tsdb/querier.ts";
import { STALE_NAN, isStaleNaN } from "../tsdb/querier.ts";
import type { AlertingRule as AlertingRuleDef, RuleGroup as RuleGroupDef } from "../config/rule-file.ts";
import { expandTemplate } from "./template-funcs.ts";
import { tableLinkForExpression } from "./template-funcs.ts";

export const ALERT_METRIC = "ALERTS";
export const ALERT_FOR_STATE_METRIC = "ALERTS_FOR_STATE";
/** Prometheus's defaults (cmd/prometheus flags and rules/alerting.go). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;
export const DEFAULT_RESEND_DELAY_MS = 60_000;
export const DEFAULT_OUTAGE_TOLERANCE_MS = 3_600_000;
export const DEFAULT_FOR_GRACE_PERIOD_MS = 600_000;

export type AlertStateName = "inactive" | "pending" | "firing";
export type RuleHealth = "unknown" | "ok" | "err";

/** One alert of an alerting rule. Times are ms since the epoch; undefined is Go's zero time. */
export interface Alert {
  labels: Labels;
  annotations: Labels;
  state: AlertStateName;
  value: number;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  lastSentAt?: number;
  validUntil?: number;
  keepFiringSince?: number;
}

/** Per-rule state carried between evaluations. */
export interface RuleState {
  health: RuleHealth;
  lastError: string;
  /** Wall-clock ms of the last evaluation's start. */
  lastEvaluation?: number;
  /** Seconds the last evaluation took. */
  evaluationTime: number;
  /** Alerting rules: active (and recently resolved) alerts by label key. */
  active: Alert[];
  /** Series written by the last evaluation, to mark stale when they disappear. */
  previousSeries: Labels[];
  /** False until ALERTS_FOR_STATE restoration ran (Prometheus writes no ALERTS series before). */
  restored: boolean;
}

export interface GroupState {
  rules: RuleState[];
  lastEvaluation?: number;
  evaluationTime: number;
  /** Evaluation timestamp (slotted) of the last evaluation. */
  lastEvalTimestamp?: number;
  /** Evaluations since the state was created (restoration runs after the first). */
  evaluations: number;
  /** Rule evaluations that failed since the state was created. */
  failures?: number;
}

/** A sample a rule writes. */
export interface RuleSample {
  labels: Labels;
  t: number;
  v: number;
}

/** An alert handed to the notifier (Prometheus's notifier.Alert before relabeling). */
export interface NotifierAlert {
  labels: Labels;
  annotations: Labels;
  startsAt?: number;
  endsAt?: number;
  generatorURL: string;
}

export type QueryFn = (expr: Expr | string, t: number) => Promise<{ labels: Labels; v: number }[]>;

/** Prometheus's EngineQueryFunc: vectors as they are, a scalar as one unlabeled sample. */
export function engineQueryFunc(engine: Engine, querier: Querier): QueryFn {
  return async (expr, t) => {
    const res = await engine.instant(querier, expr, t);
    const v = res.value;
    if (v.type === "vector") return v.samples.map((s) => ({ labels: s.labels, v: s.v }));
    if (v.type === "scalar") return [{ labels: [], v: v.v }];
    throw new Error("rule result is not a vector or scalar");
  };
}

export interface GroupOptions {
  query: QueryFn;
  /** Reads ALERTS_FOR_STATE for restoration; undefined skips restoration. */
  querier?: Querier;
  externalLabels: Labels;
  externalURL: string;
  resendDelay?: number;
  outageTolerance?: number;
  forGracePeriod?: number;
  /** Writes one rule's samples before the next rule runs (rules read earlier rules' output). */
  append: (samples: RuleSample[]) => Promise<void>;
  /** Receives the alerts to send, with the rule's expression. */
  notify?: (alerts: NotifierAlert[]) => void;
  /** Wall clock for lastEvaluation/evaluationTime; defaults to Date.now. */
  now?: () => number;
}

export interface CompiledRule {
  def: RuleGroupDef["rules"][number];
  expr: Expr;
  /** The expression as Prometheus prints it (API `query`, generator URL). */
  query: string;
  /** Labels with group labels merged (rule labels win). */
  labels: Record<string, string>;
  /** Metric names the rule reads, or undefined when a selector has no fixed name. */
  reads: Set<string> | undefined;
}

export interface CompiledGroup {
  def: RuleGroupDef;
  /** ms */
  interval: number;
  queryOffset: number;
  rules: CompiledRule[];
}

function selectorNames(e: unknown, out: Set<string>): boolean {
  if (e === null || typeof e !== "object") return true;
  const node = e as { type?: string; matchers?: Matcher[] };
  if (node.type === "VectorSelector") {
    const m = node.matchers?.find((x) => x.name === METRIC_NAME && x.type === "=");
    if (m === undefined) return false;
    out.add(m.value);
    return true;
  }
  for (const v of Object.values(e as object)) {
    if (Array.isArray(v)) {
      for (const x of v) if (!selectorNames(x, out)) return false;
    } else if (v !== null && typeof v === "object" && !(v instanceof Matcher)) {
      if (!selectorNames(v, out)) return false;
    }
  }
  return true;
}

export function compileGroup(def: RuleGroupDef, defaults: { evaluationInterval: number; ruleQueryOffset: number }): CompiledGroup {
  return {
    def,
    interval: def.interval ?? defaults.evaluationInterval,
    queryOffset: def.queryOffset ?? defaults.ruleQueryOffset,
    rules: def.rules.map((r) => {
      const expr = parseExpr(r.expr);
      const reads = new Set<string>();
      return {
        def: r,
        expr,
        query: exprToString(expr),
        labels: { ...def.labels, ...r.labels },
        reads: selectorNames(expr, reads) ? reads : undefined,
      };
    }),
  };
}

export function newGroupState(g: CompiledGroup): GroupState {
  return {
    rules: g.rules.map(() => ({ health: "unknown", lastError: "", evaluationTime: 0, active: [], previousSeries: [], restored: false })),
    evaluationTime: 0,
    evaluations: 0,
  };
}

/** A rule's identity across reloads: kind, name, expression and labels. */
export function ruleKey(r: CompiledRule): string {
  return JSON.stringify([r.def.kind, r.def.kind === "recording" ? r.def.record : r.def.alert, r.query, r.labels]);
}

/** Keeps the state of rules whose identity (`ruleKey`) is unchanged when a group is reloaded. */
export function carryOverState(g: CompiledGroup, oldKeys: readonly string[], old: GroupState): GroupState {
  const fresh = newGroupState(g);
  const byKey = new Map<string, RuleState>();
  oldKeys.forEach((k, i) => {
    const s = old.rules[i];
    if (s !== undefined) byKey.set(k, s);
  });
  g.rules.forEach((r, i) => {
    const s = byKey.get(ruleKey(r));
    if (s !== undefined) fresh.rules[i] = s;
    // A rule added by a reload starts restored, as Prometheus creates rules after its first load.
    else fresh.rules[i]!.restored = true;
  });
  fresh.lastEvaluation = old.lastEvaluation;
  fresh.evaluationTime = old.evaluationTime;
  fresh.lastEvalTimestamp = old.lastEvalTimestamp;
  fresh.evaluations = old.evaluations;
  fresh.failures = old.failures;
  return fresh;
}

/** A stable offset of the group within its interval, so groups do not all run at once (Prometheus hashes name and file). */
export function groupOffset(g: CompiledGroup): number {
  return fnv1a32(`${g.def.file}\xff${g.def.name}`) % Math.max(1, g.interval);
}

/** Prometheus's EvalTimestamp: the latest slot (multiple of interval plus the group's offset) at or before `now`. */
export function evalTimestamp(g: CompiledGroup, now: number): number {
  const offset = groupOffset(g);
  const adj = now - offset;
  return adj - (((adj % g.interval) + g.interval) % g.interval) + offset;
}

function alertKey(ls: Labels): string {
  return labelsKey(ls);
}

function needsSending(a: Alert, ts: number, resendDelay: number): boolean {
  if (a.state === "pending") return false;
  // A resolution since the last send is sent at once.
  if (a.resolvedAt !== undefined && (a.lastSentAt === undefined || a.resolvedAt > a.lastSentAt)) return true;
  return a.lastSentAt === undefined || a.lastSentAt + resendDelay < ts;
}

function withName(ls: Labels, name: string, extra?: [string, string]): Labels {
  const rec = labelsToRecord(ls);
  rec[METRIC_NAME] = name;
  if (extra) rec[extra[0]] = extra[1];
  return labelsFromRecord(rec);
}

/** The alert's ALERTS sample. */
export function alertSample(a: Alert, t: number): RuleSample {
  return { labels: withName(a.labels, ALERT_METRIC, ["alertstate", a.state]), t, v: 1 };
}

function forStateSample(a: Alert, t: number): RuleSample {
  return { labels: withName(a.labels, ALERT_FOR_STATE_METRIC), t, v: Math.floor(a.activeAt / 1000) };
}

function containsSameLabelset(samples: { labels: Labels }[]): boolean {
  const seen = new Set<string>();
  for (const s of samples) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

function sortedLabels(rec: Record<string, string>): Labels {
  return labelsFromRecord(Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== "")));
}

async function evalRecording(r: CompiledRule, ts: number, queryOffset: number, limit: number, opts: GroupOptions): Promise<RuleSample[]> {
  const def = r.def as Extract<CompiledRule["def"], { kind: "recording" }>;
  const t = ts - queryOffset;
  const vector = await opts.query(r.expr, t);
  const out = vector.map((s) => {
    const rec = labelsToRecord(s.labels);
    rec[METRIC_NAME] = def.record;
    for (const [k, v] of Object.entries(r.labels)) rec[k] = v;
    return { labels: sortedLabels(rec), t, v: s.v };
  });
  if (containsSameLabelset(out)) throw new Error("vector contains metrics with the same labelset after applying rule labels");
  if (limit > 0 && out.length > limit) throw new Error(`exceeded limit of ${limit} with ${out.length} series`);
  return out;
}

async function evalAlerting(r: CompiledRule, st: RuleState, ts: number, queryOffset: number, limit: number, opts: GroupOptions): Promise<RuleSample[]> {
  const def = r.def as AlertingRuleDef;
  const res = await opts.query(r.expr, ts - queryOffset);
  const extLabels = labelsToRecord(opts.externalLabels);
  const name = `__alert_${def.alert}`;
  const fresh = new Map<string, Alert>();
  for (const smpl of res) {
    const l = labelsToRecord(smpl.labels);
    const expand = async (text: string): Promise<string> => {
      try {
        return await expandTemplate(text, {
          name,
          labels: l,
          externalLabels: extLabels,
          externalURL: opts.externalURL,
          value: smpl.v,
          ts,
          query: async (q) => (await opts.query(q, ts)).map((x) => ({ labels: labelsToRecord(x.labels), value: x.v })),
        });
      } catch (e) {
        return `<error expanding template: ${(e as Error).message}>`;
      }
    };
    const rec = { ...l };
    delete rec[METRIC_NAME];
    for (const [k, v] of Object.entries(r.labels)) rec[k] = await expand(v);
    rec["alertname"] = def.alert;
    const ann: Record<string, string> = {};
    for (const [k, v] of Object.entries(def.annotations)) ann[k] = await expand(v);
    const labels = sortedLabels(rec);
    const key = alertKey(labels);
    if (fresh.has(key)) throw new Error("vector contains metrics with the same labelset after applying alert labels");
    fresh.set(key, { labels, annotations: sortedLabels(ann), activeAt: ts, state: "pending", value: smpl.v });
  }
  const active = new Map(st.active.map((a) => [alertKey(a.labels), a]));
  for (const [k, a] of fresh) {
    const old = active.get(k);
    if (old !== undefined && old.state !== "inactive") {
      old.value = a.value;
      old.annotations = a.annotations;
      continue;
    }
    active.set(k, a);
  }
  const out: RuleSample[] = [];
  let numActivePending = 0;
  for (const [k, a] of active) {
    if (!fresh.has(k)) {
      let keepFiring = false;
      if (a.state === "firing" && def.keepFiringFor > 0) {
        if (a.keepFiringSince === undefined) a.keepFiringSince = ts;
        if (ts - a.keepFiringSince < def.keepFiringFor) keepFiring = true;
      }
      // Resolved alerts stay for RESOLVED_RETENTION so their resolution can be resent.
      if (a.state === "pending" || (a.resolvedAt !== undefined && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) active.delete(k);
      if (a.state !== "inactive" && !keepFiring) {
        a.state = "inactive";
        a.resolvedAt = ts;
      }
      if (!keepFiring) continue;
    } else {
      a.keepFiringSince = undefined;
    }
    numActivePending++;
    if (a.state === "pending" && ts - a.activeAt >= def.for) {
      a.state = "firing";
      a.firedAt = ts;
    }
    if (st.restored) out.push(alertSample(a, ts - queryOffset), forStateSample(a, ts - queryOffset));
  }
  if (limit > 0 && numActivePending > limit) {
    st.active = [];
    throw new Error(`exceeded limit of ${limit} with ${numActivePending} alerts`);
  }
  st.active = [...active.values()];
  return out;
}

function sendAlerts(r: CompiledRule, st: RuleState, ts: number, interval: number, opts: GroupOptions): void {
  const resendDelay = opts.resendDelay ?? DEFAULT_RESEND_DELAY_MS;
  const out: NotifierAlert[] = [];
  for (const a of st.active) {
    if (!needsSending(a, ts, resendDelay)) continue;
    a.lastSentAt = ts;
    // Valid for two missed evaluations or sends.
    a.validUntil = ts + 4 * Math.max(resendDelay, interval);
    out.push({
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.firedAt,
      endsAt: a.resolvedAt ?? a.validUntil,
      generatorURL: opts.externalURL + tableLinkForExpression(r.query),
    });
  }
  if (out.length > 0) opts.notify?.(out);
}

/** Runs every rule of the group once at evaluation timestamp `ts` (ms). */
export async function evalGroup(g: CompiledGroup, state: GroupState, ts: number, opts: GroupOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const start = now();
  let pending: RuleSample[] = [];
  const written = new Set<string>();
  for (let i = 0; i < g.rules.length; i++) {
    const r = g.rules[i]!;
    const st = state.rules[i]!;
    // Flush earlier rules' output when this rule may read it (Prometheus commits after every rule).
    if (pending.length > 0 && (r.reads === undefined || [...r.reads].some((n) => written.has(n)))) {
      await opts.append(pending);
      pending = [];
      written.clear();
    }
    const ruleStart = now();
    st.lastEvaluation = ruleStart;
    let vector: RuleSample[] = [];
    try {
      vector = r.def.kind === "recording" ? await evalRecording(r, ts, g.queryOffset, g.def.limit, opts) : await evalAlerting(r, st, ts, g.queryOffset, g.def.limit, opts);
      st.health = "ok";
      st.lastError = "";
      if (r.def.kind === "alerting") sendAlerts(r, st, ts, g.interval, opts);
    } catch (e) {
      st.health = "err";
      st.lastError = (e as Error).message;
      state.failures = (state.failures ?? 0) + 1;
      st.evaluationTime = (now() - ruleStart) / 1000;
      // Prometheus skips the append (and staleness) step of a failed rule.
      continue;
    }
    const returned = new Map<string, Labels>();
    for (const s of vector) returned.set(labelsKey(s.labels), s.labels);
    for (const ls of st.previousSeries) {
      if (!returned.has(labelsKey(ls))) vector.push({ labels: ls, t: ts - g.queryOffset, v: STALE_NAN });
    }
    st.previousSeries = [...returned.values()];
    for (const s of vector) {
      pending.push(s);
      const n = s.labels.find((l) => l.name === METRIC_NAME)?.value;
      if (n !== undefined) written.add(n);
    }
    st.evaluationTime = (now() - ruleStart) / 1000;
  }
  if (pending.length > 0) await opts.append(pending);
  state.evaluations++;
  state.lastEvaluation = start;
  state.lastEvalTimestamp = ts;
  state.evaluationTime = (now() - start) / 1000;
}

/**
 * Prometheus's RestoreForState: after the first evaluation of a freshly
 * loaded group, pending alerts take their ActiveAt back from ALERTS_FOR_STATE
 * (within the outage tolerance), shifted by the downtime or to the grace period.
 */
export async function restoreForState(g: CompiledGroup, state: GroupState, ts: number, opts: GroupOptions): Promise<void> {
  const tolerance = opts.outageTolerance ?? DEFAULT_OUTAGE_TOLERANCE_MS;
  const grace = opts.forGracePeriod ?? DEFAULT_FOR_GRACE_PERIOD_MS;
  for (let i = 0; i < g.rules.length; i++) {
    const r = g.rules[i]!;
    const st = state.rules[i]!;
    if (r.def.kind !== "alerting") continue;
    const hold = r.def.for;
    if (hold < grace || opts.querier === undefined) {
      st.restored = true;
      continue;
    }
    for (const a of st.active) {
      // Each alert's own ALERTS_FOR_STATE series, matched on all its labels (QueryForStateSeries).
      const matchers = [new Matcher("=", METRIC_NAME, ALERT_FOR_STATE_METRIC), ...a.labels.map((l) => new Matcher("=", l.name, l.value))];
      let series: SeriesData[];
      try {
        series = await opts.querier.select(matchers, { start: ts - tolerance, end: ts });
      } catch {
        continue;
      }
      const s = series.find((x) => matchLabels(matchers, x.labels) && x.labels.length === matchers.length);
      if (s === undefined || s.t.length === 0) continue;
      const t = s.t[s.t.length - 1]!;
      const v = s.v[s.v.length - 1]!;
      if (isStaleNaN(v)) continue;
      const downAt = Math.floor(t / 1000) * 1000;
      let restoredActiveAt = Math.trunc(v) * 1000;
      const remaining = hold - (downAt - restoredActiveAt);
      if (remaining <= 0) {
        // It was firing; the next evaluation fires it again.
      } else if (remaining < grace) {
        restoredActiveAt = ts + grace - hold;
      } else {
        restoredActiveAt += ts - downAt;
      }
      a.activeAt = restoredActiveAt;
    }
    st.restored = true;
  }
}

/** The rule's state for the API: the highest state among its active alerts. */
export function ruleAlertState(st: RuleState): AlertStateName {
  let s: AlertStateName = "inactive";
  for (const a of st.active) {
    if (a.state === "firing") return "firing";
    if (a.state === "pending") s = "pending";
  }
  return s;
}

/** Active alerts (pending/firing) sorted by labels, as the API lists them. */
export function activeAlerts(st: RuleState): Alert[] {
  return st.active.filter((a) => a.state !== "inactive").sort((a, b) => compareLabels(a.labels, b.labels));
}

/** JSON-safe copy of a group's state (NaN values as strings). */
export function serializeGroupState(s: GroupState): string {
  return JSON.stringify(s, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? `__num:${v}` : v));
}

export function deserializeGroupState(text: string): GroupState {
  return JSON.parse(text, (_k, v) => (typeof v === "string" && v.startsWith("__num:") ? Number(v.slice(6)) : v)) as GroupState;
}
