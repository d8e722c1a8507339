/**
 * @module
 * The Alertmanager pipeline as a pure state machine over plain data, which
 * the Durable Object persists: alerts in (v2 PostableAlert rules: missing
 * startsAt/endsAt, resolve_timeout, merging), routed into aggregation groups;
 * each group flushed after group_wait, then every group_interval; a flush
 * drops silenced, inhibited and time-muted alerts and asks the notification
 * log whether each integration needs a notification (DedupStage.needsUpdate).
 */
import type { AlertmanagerConfig } from "./config.ts";
import { Inhibitor } from "./inhibit.ts";
import { fingerprint, validLabelName } from "./matchers.ts";
import type { LabelSet } from "./matchers.ts";
import type { Notification, NotifyAlert } from "./notifiers/types.ts";
import { buildRoute, groupKey, groupLabels, matchRoutes, routesByKey } from "./route.ts";
import type { Route } from "./route.ts";
import { silencedBy } from "./silences.ts";
import type { Silence } from "./silences.ts";
import { anyContains } from "./time-interval.ts";

export interface PostableAlert {
  labels: LabelSet;
  annotations?: LabelSet;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface StoredAlert {
  fingerprint: string;
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  generatorURL: string;
  /** endsAt was set by resolve_timeout, not by the sender. */
  timeout: boolean;
}

export interface Group {
  key: string;
  routeKey: string;
  receiver: string;
  labels: LabelSet;
  fingerprints: string[];
  nextFlush: number;
  hasFlushed: boolean;
}

export interface NflogEntry {
  firing: string[];
  resolved: string[];
  timestamp: number;
}

export interface State {
  alerts: Record<string, StoredAlert>;
  groups: Record<string, Group>;
  nflog: Record<string, NflogEntry>;
}

export function emptyState(): State {
  return { alerts: {}, groups: {}, nflog: {} };
}

/** Limits on the write path (the API rejects beyond them with 400). */
export const LIMITS = {
  alertsPerRequest: 1000, labelsPerAlert: 100, labelValueBytes: 16_384, storedAlerts: 50_000,
  // Annotations carry descriptions and runbooks (longer than label values) and the generator URL the rule's expression.
  annotationsPerAlert: 100, annotationValueBytes: 65_536, generatorURLBytes: 65_536,
};

/** A queue message stays under 128 KB: alerts beyond this budget are truncated (counted in truncatedAlerts). */
export const MESSAGE_BUDGET_BYTES = 100_000;

function parseTime(s: unknown, field: string, i: number): number | undefined {
  if (s === undefined || s === null || s === "") return undefined;
  if (typeof s !== "string") throw new Error(`alert ${i}: ${field} must be an RFC 3339 string, got ${JSON.stringify(s)}`);
  if (s.startsWith("0001-01-01")) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`alert ${i}: invalid ${field} ${JSON.stringify(s)}`);
  return t;
}

/** Validates and normalises posted alerts (api/v2 postAlerts + types.Alert.Validate); throws with every problem named. */
export function normaliseAlerts(posted: unknown, now: number, resolveTimeout: number): StoredAlert[] {
  if (!Array.isArray(posted)) throw new Error("body must be a JSON array of alerts");
  if (posted.length > LIMITS.alertsPerRequest) throw new Error(`too many alerts in one request: ${posted.length} > ${LIMITS.alertsPerRequest}`);
  const errors: string[] = [];
  const out: StoredAlert[] = [];
  posted.forEach((raw, i) => {
    try {
      const a = raw as PostableAlert;
      if (a === null || typeof a !== "object" || a.labels === null || typeof a.labels !== "object") throw new Error(`alert ${i}: labels must be an object`);
      const labels: LabelSet = {};
      for (const [k, v] of Object.entries(a.labels)) {
        if (!validLabelName(k)) throw new Error(`alert ${i}: invalid label set: invalid name "${k}"`);
        if (typeof v !== "string") throw new Error(`alert ${i}: label ${k} must be a string`);
        // Alertmanager's API drops labels with empty values (removeEmptyLabels); annotations keep theirs.
        if (v === "") continue;
        if (v.length > LIMITS.labelValueBytes) throw new Error(`alert ${i}: label ${k} longer than ${LIMITS.labelValueBytes} bytes`);
        labels[k] = v;
      }
      if (Object.keys(labels).length === 0) throw new Error(`alert ${i}: at least one label pair required`);
      if (Object.keys(labels).length > LIMITS.labelsPerAlert) throw new Error(`alert ${i}: more than ${LIMITS.labelsPerAlert} labels`);
      const annotations: LabelSet = {};
      if (a.annotations !== undefined && a.annotations !== null && (typeof a.annotations !== "object" || Array.isArray(a.annotations))) throw new Error(`alert ${i}: annotations must be an object`);
      const posted = Object.entries(a.annotations ?? {});
      if (posted.length > LIMITS.annotationsPerAlert) throw new Error(`alert ${i}: more than ${LIMITS.annotationsPerAlert} annotations`);
      for (const [k, v] of posted) {
        if (!validLabelName(k)) throw new Error(`alert ${i}: invalid annotations: invalid name "${k}"`);
        if (typeof v !== "string") throw new Error(`alert ${i}: annotation ${k} must be a string`);
        if (v.length > LIMITS.annotationValueBytes) throw new Error(`alert ${i}: annotation ${k} longer than ${LIMITS.annotationValueBytes} bytes`);
        annotations[k] = v;
      }
      const generatorURL: unknown = a.generatorURL ?? "";
      if (typeof generatorURL !== "string") throw new Error(`alert ${i}: generatorURL must be a string`);
      if (generatorURL.length > LIMITS.generatorURLBytes) throw new Error(`alert ${i}: generatorURL longer than ${LIMITS.generatorURLBytes} bytes`);
      let startsAt = parseTime(a.startsAt, "startsAt", i);
      let endsAt = parseTime(a.endsAt, "endsAt", i);
      startsAt ??= endsAt ?? now;
      let timeout = false;
      if (endsAt === undefined) {
        timeout = true;
        endsAt = now + resolveTimeout;
      }
      if (endsAt < startsAt) throw new Error(`alert ${i}: start time must be before end time`);
      out.push({ fingerprint: fingerprint(labels), labels, annotations, startsAt, endsAt, updatedAt: now, generatorURL, timeout });
    } catch (e) {
      errors.push((e as Error).message);
    }
  });
  if (errors.length > 0) throw new Error(errors.join("; "));
  return out;
}

/** types.Alert.Merge: the newer alert wins, with the earliest start and the right end. */
export function mergeAlert(a: StoredAlert, o: StoredAlert, now: number): StoredAlert {
  if (o.updatedAt < a.updatedAt) return mergeAlert(o, a, now);
  const res = { ...o };
  if (a.startsAt < o.startsAt) res.startsAt = a.startsAt;
  const oResolved = o.endsAt <= now;
  if (oResolved) {
    if (a.endsAt <= now && a.endsAt > o.endsAt) res.endsAt = a.endsAt;
  } else if (a.endsAt > o.endsAt && !a.timeout) {
    res.endsAt = a.endsAt;
  }
  return res;
}

export function isResolved(a: StoredAlert, now: number): boolean {
  return a.endsAt <= now;
}

export function notifyAlert(a: StoredAlert, now: number): NotifyAlert {
  return {
    status: isResolved(a, now) ? "resolved" : "firing",
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: isResolved(a, now) ? new Date(a.endsAt).toISOString() : "0001-01-01T00:00:00Z",
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  };
}

/** model.LabelSet.Before: fewer labels first, then by sorted names and values. */
function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const an = Object.keys(a);
  const bn = Object.keys(b);
  if (an.length !== bn.length) return an.length < bn.length;
  for (const ln of [...an, ...bn].sort()) {
    if (!(ln in a)) return true;
    if (!(ln in b)) return false;
    if (a[ln]! !== b[ln]!) return a[ln]! < b[ln]!;
  }
  return false;
}

/** The order of alerts in a notification (types.AlertSlice): by job, then instance, then the label sets. */
export function compareAlerts(x: StoredAlert, y: StoredAlert): number {
  for (const k of ["job", "instance"]) {
    const xv = x.labels[k];
    const yv = y.labels[k];
    if (xv === undefined && yv === undefined) continue;
    if (xv === undefined) return 1;
    if (yv === undefined) return -1;
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return labelSetBefore(x.labels, y.labels) ? -1 : labelSetBefore(y.labels, x.labels) ? 1 : 0;
}

/** DedupStage.needsUpdate. */
export function needsUpdate(entry: NflogEntry | undefined, firing: Set<string>, resolved: Set<string>, sendResolved: boolean, repeatInterval: number, now: number): boolean {
  if (entry === undefined) return firing.size > 0;
  const prevFiring = new Set(entry.firing);
  if (![...firing].every((f) => prevFiring.has(f))) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  const prevResolved = new Set(entry.resolved);
  if (sendResolved && ![...resolved].every((f) => prevResolved.has(f))) return true;
  return entry.timestamp <= now - repeatInterval;
}

export interface AlertStatus {
  state: "active" | "suppressed" | "unprocessed";
  silencedBy: string[];
  inhibitedBy: string[];
  receivers: string[];
}

export class Dispatcher {
  readonly config: AlertmanagerConfig;
  readonly state: State;
  readonly root: Route;
  readonly #routes: Map<string, Route>;
  readonly externalURL: string;
  /** Keys changed since the caller last persisted. */
  readonly dirty = { alerts: new Set<string>(), groups: new Set<string>(), nflog: new Set<string>() };

  constructor(config: AlertmanagerConfig, state: State, externalURL: string) {
    this.config = config;
    this.state = state;
    this.root = buildRoute(config.route);
    this.#routes = routesByKey(this.root);
    this.externalURL = externalURL;
    // Groups whose route no longer exists (config changed) are dropped.
    for (const [k, g] of Object.entries(state.groups)) {
      if (!this.#routes.has(g.routeKey)) this.#deleteGroup(k);
    }
  }

  /** Adds normalised alerts: merged with what is stored, then routed into groups. */
  receive(alerts: readonly StoredAlert[], now: number): void {
    // A batch that does not fit is refused whole, before any of it is stored (the sender retries it all).
    const fresh = new Set(alerts.map((a) => a.fingerprint).filter((f) => this.state.alerts[f] === undefined)).size;
    if (Object.keys(this.state.alerts).length + fresh > LIMITS.storedAlerts) throw new Error(`alert store full (${LIMITS.storedAlerts} alerts)`);
    for (const incoming of alerts) {
      const old = this.state.alerts[incoming.fingerprint];
      let a = incoming;
      // A stored alert overlapping the new one in time is the same alert (mem.Alerts.Put).
      if (old !== undefined && ((a.endsAt > old.startsAt && a.endsAt < old.endsAt) || (a.startsAt >= old.startsAt && a.startsAt <= old.endsAt))) {
        a = mergeAlert(old, a, now);
      }
      this.state.alerts[a.fingerprint] = a;
      this.dirty.alerts.add(a.fingerprint);
      for (const r of matchRoutes(this.root, a.labels)) this.#insert(r, a, now);
    }
  }

  #insert(r: Route, a: StoredAlert, now: number): void {
    const labels = groupLabels(r.opts, a.labels);
    const key = groupKey(r, labels) + `|${r.opts.receiver}`;
    let g = this.state.groups[key];
    if (g === undefined) {
      g = { key: groupKey(r, labels), routeKey: r.key, receiver: r.opts.receiver, labels, fingerprints: [], nextFlush: now + r.opts.groupWait, hasFlushed: false };
      this.state.groups[key] = g;
    }
    if (!g.fingerprints.includes(a.fingerprint)) g.fingerprints.push(a.fingerprint);
    // An alert older than group_wait flushes a new group at once (aggrGroup.insert).
    if (!g.hasFlushed && a.startsAt + r.opts.groupWait <= now) g.nextFlush = Math.min(g.nextFlush, now);
    this.dirty.groups.add(key);
  }

  #deleteGroup(k: string): void {
    delete this.state.groups[k];
    this.dirty.groups.add(k);
  }

  /** When the next group is due (undefined when there is none). */
  nextWakeup(): number | undefined {
    let t: number | undefined;
    for (const g of Object.values(this.state.groups)) if (t === undefined || g.nextFlush < t) t = g.nextFlush;
    return t;
  }

  firingCandidates(now: number) {
    return Object.values(this.state.alerts).filter((a) => !isResolved(a, now));
  }

  /** The inhibitor over the alerts firing now; build once per pass over many alerts. */
  inhibitor(now: number): Inhibitor {
    return new Inhibitor(this.config.inhibitRules, this.firingCandidates(now));
  }

  /** Silences and inhibitions for one alert, plus its receivers, as /api/v2/alerts reports them. */
  status(a: StoredAlert, silences: readonly Silence[], now: number, inhibitor = this.inhibitor(now)): AlertStatus {
    const sil = silencedBy(silences, a.labels, now);
    const inh = isResolved(a, now) ? [] : inhibitor.inhibitedBy(a);
    return {
      state: sil.length > 0 || inh.length > 0 ? "suppressed" : "active",
      silencedBy: sil,
      inhibitedBy: inh,
      receivers: [...new Set(matchRoutes(this.root, a.labels).map((r) => r.opts.receiver))],
    };
  }

  /** Flushes every due group: the notifications to enqueue (the nflog is updated as they are handed over). */
  flushDue(silences: readonly Silence[], now: number): Notification[] {
    const out: Notification[] = [];
    let inhibitor: Inhibitor | undefined;
    for (const [k, g] of Object.entries(this.state.groups)) {
      if (g.nextFlush > now) continue;
      const route = this.#routes.get(g.routeKey)!;
      const alerts = g.fingerprints.map((f) => this.state.alerts[f]).filter((a): a is StoredAlert => a !== undefined).sort(compareAlerts);
      const muted = this.#timeMuted(route, now);
      inhibitor ??= this.inhibitor(now);
      const inh = inhibitor;
      const kept = muted ? [] : alerts.filter((a) =>
        silencedBy(silences, a.labels, now).length === 0 && (isResolved(a, now) || inh.inhibitedBy(a).length === 0));
      if (!muted) out.push(...this.#notify(g, route, kept, now));
      // Resolved alerts leave the group once flushed; an empty group is gone.
      g.fingerprints = alerts.filter((a) => !isResolved(a, now)).map((a) => a.fingerprint);
      g.hasFlushed = true;
      g.nextFlush = now + route.opts.groupInterval;
      this.dirty.groups.add(k);
      if (g.fingerprints.length === 0) this.#deleteGroup(k);
    }
    this.#gc(now);
    return out;
  }

  #timeMuted(route: Route, now: number): boolean {
    const intervals = (names: string[]) => names.flatMap((n) => this.config.timeIntervals[n] ?? []);
    if (route.opts.muteTimeIntervals.length > 0 && anyContains(intervals(route.opts.muteTimeIntervals), now)) return true;
    if (route.opts.activeTimeIntervals.length > 0 && !anyContains(intervals(route.opts.activeTimeIntervals), now)) return true;
    return false;
  }

  #notify(g: Group, route: Route, alerts: StoredAlert[], now: number): Notification[] {
    const receiver = this.config.receivers.find((r) => r.name === g.receiver);
    if (receiver === undefined) return [];
    const firing = new Set(alerts.filter((a) => !isResolved(a, now)).map((a) => a.fingerprint));
    const resolved = new Set(alerts.filter((a) => isResolved(a, now)).map((a) => a.fingerprint));
    const out: Notification[] = [];
    for (const integ of receiver.integrations) {
      const logKey = `${g.key}|${receiver.name}|${integ.kind}|${integ.index}`;
      const entry = this.state.nflog[logKey];
      if (!needsUpdate(entry, firing, resolved, integ.sendResolved, route.opts.repeatInterval, now)) continue;
      const send = integ.sendResolved ? alerts : alerts.filter((a) => firing.has(a.fingerprint));
      this.state.nflog[logKey] = { firing: [...firing], resolved: [...resolved], timestamp: now };
      this.dirty.nflog.add(logKey);
      if (send.length === 0) continue;
      out.push(fitMessage({
        receiver: receiver.name,
        integration: { kind: integ.kind, index: integ.index },
        groupKey: g.key,
        groupLabels: g.labels,
        alerts: send.map((a) => notifyAlert(a, now)),
        truncatedAlerts: 0,
        externalURL: this.externalURL,
      }));
    }
    return out;
  }

  /** Resolved alerts no group holds any more are forgotten. */
  #gc(now: number): void {
    const held = new Set(Object.values(this.state.groups).flatMap((g) => g.fingerprints));
    for (const [fp, a] of Object.entries(this.state.alerts)) {
      if (isResolved(a, now) && !held.has(fp)) {
        delete this.state.alerts[fp];
        this.dirty.alerts.add(fp);
      }
    }
  }

  alertGroups(): Group[] {
    return Object.values(this.state.groups);
  }
}

/** Keeps a notification's JSON within the queue message budget by dropping alerts from the end. */
export function fitMessage(n: Notification): Notification {
  const size = (x: Notification) => new TextEncoder().encode(JSON.stringify(x)).length;
  if (size(n) <= MESSAGE_BUDGET_BYTES) return n;
  const alerts = [...n.alerts];
  let truncated = n.truncatedAlerts;
  while (alerts.length > 1 && size({ ...n, alerts, truncatedAlerts: truncated }) > MESSAGE_BUDGET_BYTES) {
    const drop = Math.max(1, Math.floor(alerts.length / 10));
    alerts.splice(alerts.length - drop, drop);
    truncated += drop;
  }
  return { ...n, alerts, truncatedAlerts: truncated };
}
