/**
 * @module
 * The Alertmanager Durable Object (one, `idFromName("default")`): holds the
 * alerts, aggregation groups, notification log and silences in its SQLite
 * storage, runs shared/alertmanager's Dispatcher, and drives group timers
 * with its alarm. Each notification due is handed to the NOTIFICATIONS queue;
 * the queue consumer delivers it and reports back for the metrics.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { loadAlertmanagerConfig, loadTemplateTexts } from "./load-config.ts";
import { Dispatcher, emptyState, isResolved, normaliseAlerts } from "../../shared/alertmanager/dispatcher.ts";
import type { PostableAlert, State, StoredAlert } from "../../shared/alertmanager/dispatcher.ts";
import { parseFilter, matchesAll } from "../../shared/alertmanager/matchers.ts";
import { canUpdateInPlace, expireSilence, postableSilenceProblem, silenceState, SILENCE_LIMITS, validateSilence } from "../../shared/alertmanager/silences.ts";
import type { Silence, SilenceMatcher } from "../../shared/alertmanager/silences.ts";
import { NOTIFIERS } from "../../shared/alertmanager/notifiers/registry.ts";
import type { Notification } from "../../shared/alertmanager/notifiers/types.ts";
import { compileAnchored } from "../../shared/labels/matcher.ts";

/** A client's mistake, reported by the API as 400 (or 404 when `notFound`). */
export class AlertmanagerInputError extends Error {
  override name = "AlertmanagerInputError";
}

const TABLES = { alerts: "alerts", groups: "groups", nflog: "nflog" } as const;

export interface AlertFilter {
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  unprocessed?: boolean;
  filter?: string[];
  receiver?: string;
}

export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL: string;
  fingerprint: string;
  receivers: { name: string }[];
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

export interface GettableSilence {
  id: string;
  status: { state: string };
  updatedAt: string;
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface PostableSilence {
  id?: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export type DeliveryOutcome = "sent" | "retry" | "failed" | "dead_letter";

const iso = (t: number) => new Date(t).toISOString();

export class Alertmanager extends DurableObject<Env> {
  #sql: SqlStorage;
  #state: State = emptyState();
  #silences = new Map<string, Silence>();
  #dispatcher: Dispatcher | undefined;
  #counters = new Map<string, number>();
  #started = Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    for (const t of [...Object.values(TABLES), "silences"]) this.#sql.exec(`CREATE TABLE IF NOT EXISTS ${t} (k TEXT PRIMARY KEY, v TEXT NOT NULL)`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS counters (k TEXT PRIMARY KEY, v REAL NOT NULL)`);
    this.#load();
    for (const r of this.#sql.exec<{ k: string; v: string }>(`SELECT k, v FROM silences`)) this.#silences.set(r.k, JSON.parse(r.v) as Silence);
    for (const r of this.#sql.exec<{ k: string; v: number }>(`SELECT k, v FROM counters`)) this.#counters.set(r.k, r.v);
  }

  /** Alerts, groups and nflog from SQLite (the dispatcher is rebuilt over them on next use). */
  #load(): void {
    this.#state = emptyState();
    this.#dispatcher = undefined;
    for (const [field, table] of Object.entries(TABLES)) {
      const target = this.#state[field as keyof State] as Record<string, unknown>;
      for (const r of this.#sql.exec<{ k: string; v: string }>(`SELECT k, v FROM ${table}`)) target[r.k] = JSON.parse(r.v);
    }
  }

  /** The dispatcher over the stored state, rebuilt when the config text changes. */
  #d(): Dispatcher {
    const config = loadAlertmanagerConfig(this.env);
    // Template files that do not parse are a config error, reported here rather than at each delivery.
    loadTemplateTexts(this.env);
    if (this.#dispatcher?.config !== config) {
      this.#dispatcher = new Dispatcher(config, this.#state, this.env.EXTERNAL_URL ?? `http://${this.env.SELF_ADDRESS}`);
      this.#persist();
    }
    return this.#dispatcher;
  }

  #persist(): void {
    const d = this.#dispatcher;
    if (d === undefined) return;
    this.ctx.storage.transactionSync(() => {
      for (const [field, table] of Object.entries(TABLES)) {
        const dirty = d.dirty[field as keyof typeof d.dirty];
        const src = this.#state[field as keyof State] as Record<string, unknown>;
        for (const k of dirty) {
          if (k in src) this.#sql.exec(`INSERT OR REPLACE INTO ${table} (k, v) VALUES (?, ?)`, k, JSON.stringify(src[k]));
          else this.#sql.exec(`DELETE FROM ${table} WHERE k = ?`, k);
        }
        dirty.clear();
      }
    });
  }

  async #arm(): Promise<void> {
    const next = this.#d().nextWakeup();
    if (next === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || next < current) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }

  /** The cron's watchdog: re-arms the alarm if a group is waiting and none is set (e.g. after the alarm's retries ran out). */
  async ensureScheduled(): Promise<void> {
    await this.#arm();
  }

  /** What the rule evaluator calls; throws on invalid alerts. */
  async postAlerts(alerts: PostableAlert[]): Promise<void> {
    const r = await this.receiveAlerts(alerts);
    if (r.error !== undefined) throw new AlertmanagerInputError(r.error);
  }

  /** POST /api/v2/alerts: a client's mistake comes back as `error` (no exception crosses the RPC boundary). */
  async receiveAlerts(alerts: unknown): Promise<{ error?: string }> {
    try {
      await this.#receive(alerts);
      return {};
    } catch (e) {
      if (e instanceof AlertmanagerInputError) return { error: e.message };
      throw e;
    }
  }

  async #receive(alerts: unknown): Promise<void> {
    const d = this.#d();
    const now = Date.now();
    let stored: StoredAlert[];
    try {
      stored = normaliseAlerts(alerts, now, d.config.global.resolveTimeout);
      d.receive(stored, now);
    } catch (e) {
      throw new AlertmanagerInputError((e as Error).message);
    } finally {
      this.#persist();
    }
    await this.#arm();
  }

  override async alarm(): Promise<void> {
    const d = this.#d();
    const now = Date.now();
    const notifications = d.flushDue([...this.#silences.values()], now);
    // Enqueue first: if the queue refuses, the flush is forgotten (state reloaded from SQLite)
    // and the alarm throws, so its retry flushes again with the nflog unchanged.
    try {
      await enqueue(this.env, notifications);
    } catch (e) {
      this.#load();
      throw e;
    }
    this.#persist();
    await this.ctx.storage.deleteAlarm();
    await this.#arm();
  }

  #gettable(a: StoredAlert, status: ReturnType<Dispatcher["status"]>): GettableAlert {
    return {
      labels: a.labels,
      annotations: a.annotations,
      startsAt: iso(a.startsAt),
      endsAt: iso(a.endsAt),
      updatedAt: iso(a.updatedAt),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
      receivers: status.receivers.map((name) => ({ name })),
      status: { state: status.state, silencedBy: status.silencedBy, inhibitedBy: status.inhibitedBy },
    };
  }

  #filter(f: AlertFilter): (a: GettableAlert) => boolean {
    let matchers: ReturnType<typeof parseFilter>;
    try {
      matchers = parseFilter(f.filter ?? []);
    } catch (e) {
      throw new AlertmanagerInputError((e as Error).message);
    }
    let receiverRe: ReturnType<typeof compileAnchored> | undefined;
    try {
      receiverRe = f.receiver ? compileAnchored(f.receiver) : undefined;
    } catch (e) {
      throw new AlertmanagerInputError(`failed to parse receiver param: ${(e as Error).message}`);
    }
    return (a) => {
      if (receiverRe && !a.receivers.some((r) => receiverRe.matches(r.name))) return false;
      if (!matchesAll(matchers, a.labels)) return false;
      const silenced = a.status.silencedBy.length > 0;
      const inhibited = a.status.inhibitedBy.length > 0;
      if (f.silenced === false && silenced) return false;
      if (f.inhibited === false && inhibited) return false;
      if (f.active === false && a.status.state === "active") return false;
      return true;
    };
  }

  /** GET /api/v2/alerts: current (not resolved) alerts. */
  getAlerts(f: AlertFilter = {}): GettableAlert[] {
    const d = this.#d();
    const now = Date.now();
    const firing = d.firingCandidates(now);
    const keep = this.#filter(f);
    const sil = [...this.#silences.values()];
    const inhibitor = d.inhibitor(now);
    return firing.map((a) => this.#gettable(a, d.status(a, sil, now, inhibitor))).filter(keep)
      .sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1));
  }

  /** GET /api/v2/alerts/groups. */
  getAlertGroups(f: AlertFilter = {}): { labels: Record<string, string>; receiver: { name: string }; alerts: GettableAlert[] }[] {
    const d = this.#d();
    const now = Date.now();
    const keep = this.#filter(f);
    const sil = [...this.#silences.values()];
    const inhibitor = d.inhibitor(now);
    const out = [];
    for (const g of d.alertGroups()) {
      const alerts = g.fingerprints.map((fp) => this.#state.alerts[fp]).filter((a): a is StoredAlert => a !== undefined && !isResolved(a, now))
        .map((a) => this.#gettable(a, d.status(a, sil, now, inhibitor))).filter(keep);
      if (alerts.length > 0) out.push({ labels: g.labels, receiver: { name: g.receiver }, alerts });
    }
    return out;
  }

  #gettableSilence(s: Silence, now: number): GettableSilence {
    return {
      id: s.id, status: { state: silenceState(s, now) }, updatedAt: iso(s.updatedAt), matchers: s.matchers,
      startsAt: iso(s.startsAt), endsAt: iso(s.endsAt), createdBy: s.createdBy, comment: s.comment,
    };
  }

  /** GET /api/v2/silences: active first (by end), then pending (by start), then expired (latest end first). */
  getSilences(filter: string[] = []): GettableSilence[] {
    const now = Date.now();
    let ms: ReturnType<typeof parseFilter>;
    try {
      ms = parseFilter(filter);
    } catch (e) {
      throw new AlertmanagerInputError((e as Error).message);
    }
    const rank = { active: 0, pending: 1, expired: 2 };
    return [...this.#silences.values()]
      .filter((s) => matchesAll(ms, Object.fromEntries(s.matchers.map((m) => [m.name, m.value]))))
      .map((s) => this.#gettableSilence(s, now))
      .sort((a, b) => {
        const r = rank[a.status.state as keyof typeof rank] - rank[b.status.state as keyof typeof rank];
        if (r !== 0) return r;
        if (a.status.state === "pending") return a.startsAt < b.startsAt ? -1 : 1;
        if (a.status.state === "expired") return a.endsAt > b.endsAt ? -1 : 1;
        return a.endsAt < b.endsAt ? -1 : 1;
      });
  }

  getSilence(id: string): GettableSilence | undefined {
    const s = this.#silences.get(id);
    return s === undefined ? undefined : this.#gettableSilence(s, Date.now());
  }

  #saveSilence(s: Silence): void {
    this.#silences.set(s.id, s);
    this.#sql.exec(`INSERT OR REPLACE INTO silences (k, v) VALUES (?, ?)`, s.id, JSON.stringify(s));
  }

  /** POST /api/v2/silences: creates or updates; returns the silence's id ("" id and unknown id as Alertmanager). */
  async postSilence(p: PostableSilence): Promise<{ silenceID: string; notFound?: boolean; error?: string }> {
    try {
      return await this.#postSilence(p);
    } catch (e) {
      if (e instanceof AlertmanagerInputError) return { silenceID: "", error: e.message };
      throw e;
    }
  }

  async #postSilence(p: PostableSilence): Promise<{ silenceID: string; notFound?: boolean }> {
    const now = Date.now();
    const shape = postableSilenceProblem(p);
    if (shape !== undefined) throw new AlertmanagerInputError(shape);
    const startsAt = Date.parse(p.startsAt);
    const endsAt = Date.parse(p.endsAt);
    if (Number.isNaN(startsAt) || Number.isNaN(endsAt)) throw new AlertmanagerInputError("startsAt and endsAt must be RFC 3339 times");
    if (endsAt < now) throw new AlertmanagerInputError("Failed to create silence: end time can't be in the past");
    if (startsAt > endsAt) throw new AlertmanagerInputError("Failed to create silence: start time must be before end time");
    const next = {
      matchers: p.matchers.map((m) => ({ name: String(m.name), value: String(m.value), isRegex: Boolean(m.isRegex), isEqual: m.isEqual ?? true })),
      startsAt, endsAt, createdBy: String(p.createdBy ?? ""), comment: String(p.comment ?? ""),
    };
    const problem = validateSilence(next);
    if (problem !== undefined) throw new AlertmanagerInputError(`Failed to create silence: ${problem}`);
    let replaced: Silence | undefined;
    if (p.id) {
      replaced = this.#silences.get(p.id);
      if (replaced === undefined) return { silenceID: "", notFound: true };
      if (canUpdateInPlace(replaced, next, now)) {
        this.#saveSilence({ ...replaced, ...next, updatedAt: now });
        await this.#arm();
        return { silenceID: replaced.id };
      }
    }
    // Room for the new silence is checked before a replaced one is expired: a refused update keeps the old silence.
    if (this.#silences.size >= SILENCE_LIMITS.maxSilences) this.#gcSilences(now);
    if (this.#silences.size >= SILENCE_LIMITS.maxSilences) throw new AlertmanagerInputError(`too many silences (max ${SILENCE_LIMITS.maxSilences})`);
    if (replaced !== undefined && silenceState(replaced, now) !== "expired") this.#saveSilence(expireSilence(replaced, now));
    const s: Silence = { id: crypto.randomUUID(), ...next, startsAt: Math.max(next.startsAt, now), updatedAt: now };
    this.#saveSilence(s);
    return { silenceID: s.id };
  }

  /** Expired silences older than 5 days are dropped, as Alertmanager's retention does. */
  #gcSilences(now: number): void {
    for (const s of this.#silences.values()) {
      if (s.endsAt < now - 5 * 24 * 3600_000) {
        this.#silences.delete(s.id);
        this.#sql.exec(`DELETE FROM silences WHERE k = ?`, s.id);
      }
    }
  }

  /** DELETE /api/v2/silence/{id}: expires it. */
  deleteSilence(id: string): "ok" | "not found" {
    const s = this.#silences.get(id);
    if (s === undefined) return "not found";
    try {
      this.#saveSilence(expireSilence(s, Date.now()));
    } catch (e) {
      throw new AlertmanagerInputError((e as Error).message);
    }
    return "ok";
  }

  /** GET /api/v2/status. */
  status() {
    const d = this.#d();
    return {
      cluster: { name: "pyrometer", status: "disabled", peers: [] },
      config: { original: d.config.original },
      uptime: iso(this.#started),
      versionInfo: { branch: "main", buildDate: "", buildUser: "pyrometer", goVersion: "workerd", revision: "pyrometer", version: "0.25.0" },
    };
  }

  receivers(): { name: string }[] {
    return this.#d().config.receivers.map((r) => ({ name: r.name }));
  }

  /** The queue consumer reports each delivery attempt; counters as Alertmanager names them. */
  recordDelivery(integration: string, outcome: DeliveryOutcome, firstAttempt: boolean): void {
    const bump = (name: string) => {
      const k = `${name}|${integration}`;
      const v = (this.#counters.get(k) ?? 0) + 1;
      this.#counters.set(k, v);
      this.#sql.exec(`INSERT OR REPLACE INTO counters (k, v) VALUES (?, ?)`, k, v);
    };
    if (firstAttempt && outcome !== "dead_letter") bump("alertmanager_notifications_total");
    if (outcome !== "dead_letter") bump("alertmanager_notification_requests_total");
    if (outcome === "retry" || outcome === "failed") bump("alertmanager_notification_requests_failed_total");
    if (outcome === "failed" || outcome === "dead_letter") bump("alertmanager_notifications_failed_total");
    if (outcome === "dead_letter") bump("pyrometer_alertmanager_notifications_dead_lettered_total");
  }

  /** Counters and gauges for /metrics: every integration kind appears, at 0 until used. */
  metrics(): { name: string; labels: Record<string, string>; value: number }[] {
    const out: { name: string; labels: Record<string, string>; value: number }[] = [];
    const names = ["alertmanager_notifications_total", "alertmanager_notifications_failed_total", "alertmanager_notification_requests_total",
      "alertmanager_notification_requests_failed_total", "pyrometer_alertmanager_notifications_dead_lettered_total"];
    for (const name of names) {
      for (const k of NOTIFIERS) out.push({ name, labels: { integration: k.name }, value: this.#counters.get(`${name}|${k.name}`) ?? 0 });
    }
    const now = Date.now();
    const alerts = this.getAlerts();
    for (const state of ["active", "suppressed"]) out.push({ name: "alertmanager_alerts", labels: { state }, value: alerts.filter((a) => a.status.state === state).length });
    for (const state of ["active", "pending", "expired"]) {
      out.push({ name: "alertmanager_silences", labels: { state }, value: [...this.#silences.values()].filter((s) => silenceState(s, now) === state).length });
    }
    return out;
  }
}

/** Queue sendBatch takes ≤ 100 messages and ≤ 256 KB: notifications go in chunks within both. */
export async function enqueue(env: Env, notifications: Notification[]): Promise<void> {
  let batch: { body: Notification }[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length > 0) await env.NOTIFICATIONS.sendBatch(batch);
    batch = [];
    bytes = 0;
  };
  for (const n of notifications) {
    const size = JSON.stringify(n).length + 100;
    if (batch.length === 100 || bytes + size > 240_000) await flush();
    batch.push({ body: n });
    bytes += size;
  }
  await flush();
}
