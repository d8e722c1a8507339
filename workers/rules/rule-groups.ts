/**
 * @module
 * RuleGroups: the Durable Object that evaluates a shard of the rule groups.
 * One alarm per object, set to the next group's slot (each group on its own
 * interval with its own offset in the interval, as Prometheus spreads them).
 * Queries go through the query API's storage querier; results, ALERTS and
 * ALERTS_FOR_STATE go through the scrape commit path. Group state (alerts,
 * `for` timers, series to mark stale) is persisted after each evaluation so
 * evictions lose nothing; a group with no saved state restores `for` timers
 * from ALERTS_FOR_STATE as Prometheus does after a restart.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { currentConfig } from "../config/index.ts";
import { textHash } from "../config/source.ts";
import { commitToShards, storageQuerier } from "../head/shards.ts";
import { Engine } from "../../shared/promql/engine.ts";
import type { PrometheusConfig } from "../../shared/config/types.ts";
import type { SeriesData } from "../../shared/tsdb/querier.ts";
import { fnv1a32 } from "../../shared/labels/labels.ts";
import { matcherFromSpec } from "../../shared/labels/matcher.ts";
import type { MatcherSpec } from "../../shared/labels/matcher.ts";
import {
  carryOverState, deserializeGroupState, engineQueryFunc, evalGroup, evalTimestamp, newGroupState, restoreForState, ruleKey, serializeGroupState,
} from "../../shared/rules/group.ts";
import type { CompiledGroup, GroupOptions, GroupState, NotifierAlert, RuleSample } from "../../shared/rules/group.ts";
import { loadRuleGroups } from "../../shared/rules/load.ts";
import { alertsResponse, rulesResponse } from "../../shared/rules/api.ts";
import { ruleMetrics } from "../../shared/rules/metrics.ts";
import type { NotifierCounters } from "../../shared/rules/metrics.ts";
import type { RulesFilter } from "../../shared/rules/api.ts";
import { alertmanagerSet, alertsForSet, relabelAlerts, toPostableAlerts } from "../../shared/rules/notifier.ts";
import type { AlertmanagerSet, PostableAlert } from "../../shared/rules/notifier.ts";
import { httpClientHeaders, refreshHttpSd } from "../../shared/discovery/refresh.ts";
import type { TargetGroup } from "../../shared/discovery/target-group.ts";
import { externalURL, ruleFiles, ruleShardCount } from "./stub.ts";

const engine = new Engine();

/** The built-in Alertmanager's RPC surface (the `ALERTMANAGER` binding's object "default"). */
interface BuiltinAlertmanager {
  postAlerts(alerts: PostableAlert[]): Promise<void>;
}

interface Slot {
  group: CompiledGroup;
  state: GroupState;
  key: string;
  /** Whether state came from storage (false = fresh: restore from ALERTS_FOR_STATE). */
  saved: boolean;
}

/** The shard a group belongs to. */
export function groupShard(file: string, name: string, shards: number): number {
  return fnv1a32(`${file}\xff${name}`) % shards;
}

interface DiscoveredSet {
  groups: TargetGroup[];
  nextRefresh: number;
}

export class RuleGroups extends DurableObject<Env> {
  #config: PrometheusConfig | undefined;
  #error = "";
  #slots: Slot[] | undefined;
  #shard = 0;
  #discovered = new Map<number, DiscoveredSet>();
  /** Notifier counters since the object started (counters restart with it, as Prometheus's do). */
  #notifier: NotifierCounters = { sent: {}, errors: {}, discovered: 0 };

  /** The config hash and rule files the slots were built from: a reload that changes either rebuilds them, keeping unchanged rules' state. */
  #sourceKey = "";

  async #init(shard: number): Promise<Slot[]> {
    let cur;
    let files: Record<string, string>;
    try {
      cur = await currentConfig(this.env);
      files = await ruleFiles(this.env);
    } catch (e) {
      this.#error = (e as Error).message;
      return this.#slots ?? [];
    }
    const source = `${cur.hash}\xff${textHash(JSON.stringify(files))}`;
    if (this.#slots !== undefined && shard === this.#shard && source === this.#sourceKey) return this.#slots;
    let groups: CompiledGroup[];
    try {
      groups = loadRuleGroups(cur.config, files);
    } catch (e) {
      // As Prometheus: rule files that do not load leave the rules in force as they were.
      this.#error = (e as Error).message;
      console.error(`pyrometer rules: ${this.#error}`);
      return this.#slots ?? [];
    }
    this.#error = "";
    this.#shard = shard;
    this.#sourceKey = source;
    this.#config = cur.config;
    this.#slots = [];
    const shards = ruleShardCount(this.env);
    for (const g of groups) {
      if (groupShard(g.def.file, g.def.name, shards) !== shard) continue;
      const key = `group:${g.def.file}\xff${g.def.name}`;
      const saved = this.ctx.storage.kv.get<string>(key);
      const savedKeys = this.ctx.storage.kv.get<string[]>(`keys:${key}`);
      // Rules unchanged since the state was saved keep it (Prometheus's reload keeps active alerts).
      const state = saved !== undefined && savedKeys !== undefined ? carryOverState(g, savedKeys, deserializeGroupState(saved)) : newGroupState(g);
      this.#slots.push({ group: g, state, key, saved: saved !== undefined });
    }
    return this.#slots;
  }

  #save(slot: Slot): void {
    this.ctx.storage.kv.put(slot.key, serializeGroupState(slot.state));
    this.ctx.storage.kv.put(`keys:${slot.key}`, slot.group.rules.map(ruleKey));
    slot.saved = true;
  }

  #next(slot: Slot, now: number): number {
    const last = slot.state.lastEvalTimestamp;
    const slotNow = evalTimestamp(slot.group, now);
    // Prometheus's first evaluation waits for the next slot; later ones run every interval.
    if (last === undefined) return slotNow + slot.group.interval;
    return Math.max(last + slot.group.interval, slotNow);
  }

  /** Arms the alarm unless one is pending (the cron watchdog and `npm start` call this). */
  async ensureScheduled(shard: number): Promise<void> {
    await this.ctx.storage.put("shard", shard);
    await this.#init(shard);
    const pending = await this.ctx.storage.getAlarm();
    if (pending === null || pending < Date.now() - 60_000) await this.#arm();
  }

  async #arm(): Promise<void> {
    const now = Date.now();
    let next = Infinity;
    for (const s of this.#slots ?? []) next = Math.min(next, this.#next(s, now));
    if (next !== Infinity) await this.ctx.storage.setAlarm(Math.max(next, now));
  }

  override async alarm(): Promise<void> {
    const shard = (await this.ctx.storage.get<number>("shard")) ?? 0;
    const slots = await this.#init(shard);
    const now = Date.now();
    for (const s of slots) {
      // A group never evaluated runs at its current slot: its first alarm was armed for it.
      if (s.state.lastEvalTimestamp !== undefined && this.#next(s, now) > now) continue;
      const ts = evalTimestamp(s.group, now);
      try {
        await this.#evaluate(s, ts);
      } catch (e) {
        // One group's storage failure must not stop the others; this slot is skipped, as Prometheus skips a missed one.
        s.state.lastEvalTimestamp = ts;
        console.error(`pyrometer rules: evaluating group ${s.group.def.name} (${s.group.def.file}): ${(e as Error).message}`);
      }
    }
    await this.#arm();
  }

  /** Evaluates one group at `ts` (ms): rules, appends, notifications, persistence. */
  async #evaluate(slot: Slot, ts: number): Promise<void> {
    const cfg = this.#config!;
    const alerts: NotifierAlert[] = [];
    const querier = storageQuerier(this.env);
    const opts: GroupOptions = {
      query: engineQueryFunc(engine, querier),
      querier,
      externalLabels: cfg.global.externalLabels,
      externalURL: externalURL(this.env),
      append: async (samples: RuleSample[]) => {
        const batch: SeriesData[] = samples.map((s) => ({ labels: s.labels, t: Float64Array.of(s.t), v: Float64Array.of(s.v) }));
        await commitToShards(this.env, batch);
      },
      notify: (a) => alerts.push(...a),
    };
    if (!slot.saved) for (const r of slot.state.rules) r.restored = false;
    await evalGroup(slot.group, slot.state, ts, opts);
    // Prometheus restores `for` state once the group has evaluated twice after a (re)start.
    if (slot.state.evaluations >= 2 && slot.state.rules.some((r) => !r.restored)) await restoreForState(slot.group, slot.state, Date.now(), opts);
    this.#save(slot);
    if (alerts.length > 0) await this.#send(alerts);
  }

  async #sets(now: number): Promise<AlertmanagerSet[]> {
    const cfg = this.#config!;
    return Promise.all(
      cfg.alerting.alertmanagers.map(async (am, i) => {
        let d = this.#discovered.get(i);
        if (d === undefined || d.nextRefresh <= now) {
          const groups: TargetGroup[] = [...am.staticConfigs];
          let nextRefresh = Infinity;
          for (const sd of am.httpSdConfigs) {
            nextRefresh = Math.min(nextRefresh, now + sd.refreshInterval);
            try {
              groups.push(...(await refreshHttpSd(sd, (u, init) => fetch(u, { ...init, signal: AbortSignal.timeout(30_000) }))));
            } catch (e) {
              // Keep the last good discovery, as Prometheus does.
              console.error(`pyrometer rules: alertmanager http_sd ${sd.url}: ${(e as Error).message}`);
              groups.push(...(d?.groups.slice(am.staticConfigs.length) ?? []));
            }
          }
          d = { groups, nextRefresh };
          this.#discovered.set(i, d);
        }
        return alertmanagerSet(am, d.groups);
      }),
    ).then((sets) => {
      this.#notifier.discovered = sets.reduce((n, set) => n + set.active.length, 0);
      return sets;
    });
  }

  async #send(alerts: NotifierAlert[]): Promise<void> {
    const cfg = this.#config!;
    const relabeled = relabelAlerts(alerts, cfg.global.externalLabels, cfg.alerting.alertRelabelConfigs);
    if (relabeled.length === 0) return;
    const sends: Promise<unknown>[] = [];
    if (this.env.ALERTMANAGER !== undefined) {
      const ns = this.env.ALERTMANAGER;
      const stub = ns.get(ns.idFromName("default")) as unknown as BuiltinAlertmanager;
      sends.push(stub.postAlerts(toPostableAlerts(relabeled)).catch((e) => console.error(`pyrometer rules: built-in alertmanager: ${(e as Error).message}`)));
    }
    for (const set of await this.#sets(Date.now())) {
      const body = alertsForSet(set, relabeled);
      if (body.length === 0) continue;
      const headers = httpClientHeaders(set.config.httpClient);
      headers.set("Content-Type", "application/json");
      for (const am of set.active) {
        const n = this.#notifier;
        sends.push(
          fetch(am.url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(set.config.timeout) })
            .then(async (r) => {
              await r.body?.cancel();
              if (!r.ok) throw new Error(`bad response status ${r.status} ${r.statusText}`);
              n.sent[am.url] = (n.sent[am.url] ?? 0) + body.length;
            })
            .catch((e) => {
              n.errors[am.url] = (n.errors[am.url] ?? 0) + body.length;
              console.error(`pyrometer rules: error sending alerts to ${am.url}: ${(e as Error).message}`);
            }),
        );
      }
    }
    await Promise.all(sends);
  }

  // ---- RPC for the API ----

  async rules(shard: number, filter: { type?: "alert" | "record"; ruleNames?: string[]; groupNames?: string[]; files?: string[]; excludeAlerts?: boolean; matchers?: MatcherSpec[][] }) {
    const slots = await this.#init(shard);
    const f: RulesFilter = {
      type: filter.type,
      ruleNames: new Set(filter.ruleNames ?? []),
      groupNames: new Set(filter.groupNames ?? []),
      files: new Set(filter.files ?? []),
      excludeAlerts: filter.excludeAlerts,
      matchers: filter.matchers?.map((set) => set.map(matcherFromSpec)),
    };
    return { ...rulesResponse(slots, f), error: this.#error };
  }

  async alerts(shard: number) {
    return alertsResponse(await this.#init(shard));
  }

  async alertmanagers(shard: number) {
    await this.#init(shard);
    if (this.#config === undefined) return { activeAlertmanagers: [], droppedAlertmanagers: [] };
    const sets = await this.#sets(Date.now());
    return {
      activeAlertmanagers: sets.flatMap((s) => s.active.map((a) => ({ url: a.url }))),
      droppedAlertmanagers: sets.flatMap((s) => s.dropped.map((d) => ({ url: `${d.discoveredLabels["__scheme__"] ?? "http"}://${d.discoveredLabels["__address__"] ?? ""}${d.discoveredLabels["__alerts_path__"] ?? ""}` }))),
    };
  }

  /** Self-metrics in Prometheus's names, as exposition families (JSON for RPC). */
  async metrics(shard: number): Promise<string> {
    return JSON.stringify(ruleMetrics(await this.#init(shard), this.#notifier));
  }
}
