/**
 * @module
 * ScrapeScheduler: Durable Objects that scrape every target at its own
 * interval. Targets are spread over SCRAPE_SHARDS objects by a hash of their
 * discovered labels; each object keeps one alarm, set to its next due
 * scrape or discovery refresh. Offsets are quantized to whole ticks of
 * TICK_MS, so all targets due in one tick are scraped together and their
 * samples reach this object's paired head shard as one batch: one RPC and
 * one WAL row per tick, however many head shards there are. The cron only
 * calls `ensureScheduled()`: cron is minute-granular (and locally only
 * `npm start` sends it).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { pairedAppender } from "../head/shards.ts";
import { currentConfig, sourceFingerprint } from "../config/index.ts";
import type { CurrentConfig } from "../config/index.ts";
import { scrapeTarget } from "./fetch-target.ts";
import { discover } from "./discover.ts";
import { KUBERNETES_REFRESH_MS } from "../../shared/discovery/kubernetes/index.ts";
import { scraperCount } from "./stub.ts";
import type { ScrapeConfig, PrometheusConfig } from "../../shared/config/types.ts";
import { buildTargets } from "../../shared/discovery/targets.ts";
import type { TargetGroup } from "../../shared/discovery/target-group.ts";
import type { Labels } from "../../shared/labels/labels.ts";
import { fnv1a32, labelsToRecord } from "../../shared/labels/labels.ts";
import { appendScrape, appendReportStaleness, ScrapeCache } from "../../shared/scrape/scrape-loop.ts";
import type { ScrapeReport } from "../../shared/scrape/scrape-loop.ts";
import { scrapeOffset, nextScrapeTime } from "../../shared/scrape/schedule.ts";
import type { MetricMetadata } from "../../shared/textparse/family.ts";
import { formatDuration } from "../../shared/promql/duration.ts";
import { withIngestLimits } from "../../shared/limits/ingest-limits.ts";
import { ingestLimitsOrDefaults } from "../limits.ts";
import type { Appender } from "../../shared/tsdb/querier.ts";
import { selfScrape } from "./self-scrape.ts";

export interface TargetStatus {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: "up" | "down" | "unknown";
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface DroppedTargetStatus {
  discoveredLabels: Record<string, string>;
  scrapePool: string;
}

export interface JobStats {
  job: string;
  targets: number;
  scrapes: number;
  failures: number;
  samples: number;
}

export interface ScrapeStats {
  jobs: JobStats[];
  /** Ticks that scraped at least one target since the object started. */
  ticks?: number;
  configError: string;
  discoveryErrors: string[];
}

export interface TargetMetadata {
  target: Record<string, string>;
  metadata: ({ metric: string } & MetricMetadata)[];
}

interface ActiveTarget {
  key: string;
  config: ScrapeConfig;
  labels: Labels;
  discoveredLabels: Record<string, string>;
  scrapeUrl: string;
  address: string;
  /** From the target's __scrape_interval__/__scrape_timeout__ after relabeling (ms). */
  interval: number;
  timeout: number;
  offset: number;
  nextAt: number;
  cache: ScrapeCache;
  last?: { report: ScrapeReport; at: number; durationMs: number };
}

/** Scrapes are grouped into ticks of this length (see the module comment). */
export const TICK_MS = 1000;

/** One discovery mechanism of a job: static groups never refresh. */
interface Discoverer {
  job: string;
  id: string;
  refreshMs: number;
  nextAt: number;
  groups: TargetGroup[];
}

export class ScrapeScheduler extends DurableObject<Env> {
  #config: PrometheusConfig | undefined;
  /** CurrentConfig.hash of the config applied, and the source fingerprint it came from. */
  #configHash = "";
  #configSource = "";
  #configError = "";
  #shard = -1;
  #targets = new Map<string, ActiveTarget>();
  #dropped = new Map<string, DroppedTargetStatus[]>();
  #discoverers: Discoverer[] = [];
  #discoveryErrors = new Map<string, string>();
  #jobStats = new Map<string, JobStats>();
  #ticks = 0;

  /** Staleness caches saved before an eviction, by target key (see #persistCaches). */
  #savedCaches = new Map<string, Labels[]>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Idle objects are evicted between alarms; what a target exposed last
    // must survive that, or vanished series would never get staleness markers.
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS scrape_cache (target TEXT PRIMARY KEY, series TEXT NOT NULL)`);
    for (const row of ctx.storage.sql.exec<{ target: string; series: string }>(`SELECT target, series FROM scrape_cache`)) {
      this.#savedCaches.set(row.target, JSON.parse(row.series) as Labels[]);
    }
    // Before the shard is known no target exists, so nothing is appended.
    ctx.blockConcurrencyWhile(() => this.#followConfig(this.#appender()).then(() => undefined));
  }

  /** Applies the config in force when it differs from the one applied; returns whether it did. */
  async #followConfig(app: Appender): Promise<boolean> {
    let cur: CurrentConfig;
    try {
      cur = await currentConfig(this.env);
    } catch (e) {
      this.#configError = (e as Error).message;
      console.error(`pyrometer: ${this.#configError}`);
      return false;
    }
    this.#configSource = cur.source;
    if (cur.hash === this.#configHash) return false;
    this.#apply(cur, Date.now(), app);
    return true;
  }

  /**
   * Makes `cur` the config in force, as Prometheus's reload does: discoverers
   * whose settings are unchanged keep their targets, targets whose job or
   * labels are gone get staleness markers at once, and the rest keep their
   * staleness caches.
   */
  #apply(cur: CurrentConfig, now: number, app: Appender): void {
    const oldConfig = this.#config;
    const old = new Map(this.#discoverers.map((d) => [d.id, d]));
    this.#config = cur.config;
    this.#configHash = cur.hash;
    this.#configError = "";
    this.#discoverers = [];
    const stats = new Map<string, JobStats>();
    for (const sc of cur.config.scrapeConfigs) {
      stats.set(sc.jobName, this.#jobStats.get(sc.jobName) ?? { job: sc.jobName, targets: 0, scrapes: 0, failures: 0, samples: 0 });
      this.#discoverers.push({ job: sc.jobName, id: `${sc.jobName}/static`, refreshMs: 0, nextAt: Infinity, groups: sc.staticConfigs });
      const before = oldConfig?.scrapeConfigs.find((s) => s.jobName === sc.jobName);
      // A discoverer whose config is unchanged keeps its groups and schedule across a reload.
      const sd = <C>(kind: string, list: readonly C[], prev: readonly C[] | undefined, refreshMs: (c: C) => number) =>
        list.forEach((c, i) => {
          const id = `${sc.jobName}/${kind}/${i}`;
          const kept = old.get(id);
          const same = kept !== undefined && prev !== undefined && JSON.stringify(prev[i]) === JSON.stringify(c);
          this.#discoverers.push({ job: sc.jobName, id, refreshMs: refreshMs(c), nextAt: same ? kept.nextAt : 0, groups: same ? kept.groups : [] });
        });
      sd("http_sd", sc.httpSdConfigs, before?.httpSdConfigs, (c) => c.refreshInterval);
      sd("dns_sd", sc.dnsSdConfigs, before?.dnsSdConfigs, (c) => c.refreshInterval);
      sd("kubernetes_sd", sc.kubernetesSdConfigs, before?.kubernetesSdConfigs, () => KUBERNETES_REFRESH_MS);
    }
    this.#jobStats = stats;
    if (this.#shard < 0) return;
    for (const sc of cur.config.scrapeConfigs) this.#syncJob(sc, now, app);
    // Jobs the new config no longer has: their targets are removed.
    for (const [key, t] of this.#targets) {
      if (stats.has(t.config.jobName)) continue;
      this.#removeTarget(key, t, app, now);
    }
    for (const job of this.#dropped.keys()) if (!stats.has(job)) this.#dropped.delete(job);
  }

  #removeTarget(key: string, t: ActiveTarget, app: Appender, now: number): void {
    t.cache.markAllStale(app, now);
    appendReportStaleness(app, t.labels, t.config, now);
    this.#targets.delete(key);
    this.ctx.storage.sql.exec(`DELETE FROM scrape_cache WHERE target = ?`, key);
  }

  /** Which scraper shard this object is; set by the first call through the stub. */
  #init(shard: number): void {
    if (this.#shard === shard) return;
    this.#shard = shard;
    for (const sc of this.#config?.scrapeConfigs ?? []) this.#syncJob(sc, Date.now());
  }

  /**
   * Called by `/-/reload` after the config store accepted a new config:
   * applies it now, so removed targets get staleness markers at once.
   */
  async applyConfig(shard: number): Promise<void> {
    this.#init(shard);
    const app = this.#appender();
    if (!(await this.#followConfig(app))) return;
    await app.commit();
    if (this.env.SCRAPE_AUTOSTART !== "false") await this.#arm();
  }

  /** Everything this object scrapes goes to its paired head shard (docs/architecture.md). */
  #appender() {
    return pairedAppender(this.env, Math.max(0, this.#shard));
  }

  #scrapeConfig(job: string): ScrapeConfig {
    return this.#config!.scrapeConfigs.find((s) => s.jobName === job)!;
  }

  /** Rebuilds a job's targets from its discoverers' groups; removed targets get staleness markers. */
  #syncJob(sc: ScrapeConfig, now: number, app = this.#appender()): boolean {
    const n = scraperCount(this.env);
    const wanted = new Map<string, ActiveTarget>();
    const dropped: DroppedTargetStatus[] = [];
    for (const d of this.#discoverers) {
      if (d.job !== sc.jobName) continue;
      for (const group of d.groups) {
        for (const t of buildTargets(sc, group)) {
          const identity = sc.jobName + "\xff" + JSON.stringify(t.discoveredLabels);
          if (fnv1a32(identity) % n !== this.#shard) continue;
          if (t.dropped) {
            dropped.push({ discoveredLabels: t.discoveredLabels, scrapePool: sc.jobName });
            continue;
          }
          const key = `${sc.jobName}\xff${t.scrapeUrl}\xff${JSON.stringify(t.labels)}`;
          const existing = this.#targets.get(key) ?? wanted.get(key);
          if (existing) {
            // As Prometheus: the target keeps its loop, /api/v1/targets shows the newest discovered labels.
            existing.discoveredLabels = t.discoveredLabels;
            // A reload may change the job's settings; the target keeps its cache.
            existing.config = sc;
            existing.timeout = t.scrapeTimeout;
            if (existing.interval !== t.scrapeInterval) {
              existing.interval = t.scrapeInterval;
              existing.offset = Math.floor(scrapeOffset(key, t.scrapeInterval) / TICK_MS) * TICK_MS;
              existing.nextAt = nextScrapeTime(now, t.scrapeInterval, existing.offset);
            }
            wanted.set(key, existing);
            continue;
          }
          const offset = Math.floor(scrapeOffset(key, t.scrapeInterval) / TICK_MS) * TICK_MS;
          const saved = this.#savedCaches.get(key);
          wanted.set(key, {
            key,
            config: sc,
            labels: t.labels,
            discoveredLabels: t.discoveredLabels,
            scrapeUrl: t.scrapeUrl,
            address: t.address,
            interval: t.scrapeInterval,
            timeout: t.scrapeTimeout,
            offset,
            // A slot that passed within the last tick is still due: an object
            // woken by its alarm after an eviction serves the slot it woke for.
            nextAt: nextScrapeTime(now - TICK_MS, t.scrapeInterval, offset),
            cache: saved ? ScrapeCache.restore(saved) : new ScrapeCache(),
          });
        }
      }
    }
    let removed = false;
    for (const [key, t] of this.#targets) {
      if (t.config.jobName !== sc.jobName || wanted.has(key)) continue;
      this.#removeTarget(key, t, app, now);
      removed = true;
    }
    for (const [key, t] of wanted) this.#targets.set(key, t);
    this.#dropped.set(sc.jobName, dropped.slice(0, sc.keepDroppedTargets > 0 ? sc.keepDroppedTargets : undefined));
    const js = this.#jobStats.get(sc.jobName);
    if (js) js.targets = wanted.size;
    return removed;
  }

  /** Arms the alarm unless one is pending (called by the cron and by `npm start`). */
  async ensureScheduled(shard: number): Promise<void> {
    this.#init(shard);
    await this.ctx.storage.put("shard", shard);
    if (this.env.SCRAPE_AUTOSTART === "false") return;
    const pending = await this.ctx.storage.getAlarm();
    if (pending === null || pending < Date.now() - 60_000) await this.#arm();
  }

  async #arm(): Promise<void> {
    let next = Infinity;
    for (const t of this.#targets.values()) next = Math.min(next, t.nextAt);
    for (const d of this.#discoverers) next = Math.min(next, d.nextAt);
    if (next !== Infinity) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }

  override async alarm(): Promise<void> {
    // After an eviction the shard index is gone; the alarm was armed with it.
    const shard = (await this.ctx.storage.get<number>("shard")) ?? 0;
    this.#init(shard);
    // A deploy with a new PROMETHEUS_CONFIG changes the source: follow it without losing targets' state.
    if (sourceFingerprint(this.env) !== this.#configSource) {
      const app = this.#appender();
      await this.#followConfig(app);
      await app.commit();
    }
    await this.#staleOrphans();
    await this.refreshDue(Date.now());
    await this.scrapeDue(Date.now());
    await this.#arm();
  }

  /** Runs the service discoveries that are due and applies their target changes. */
  async refreshDue(now: number): Promise<void> {
    const due = this.#discoverers.filter((d) => d.nextAt <= now);
    if (due.length === 0) return;
    const app = this.#appender();
    await Promise.all(
      due.map(async (d) => {
        const sc = this.#scrapeConfig(d.job);
        try {
          d.groups = await discover(sc, d.id);
          this.#discoveryErrors.delete(d.id);
        } catch (e) {
          // Prometheus keeps the last good targets when a refresh fails.
          this.#discoveryErrors.set(d.id, `${d.id}: ${(e as Error).message}`);
        }
        d.nextAt = now + d.refreshMs;
      }),
    );
    for (const job of new Set(due.map((d) => d.job))) this.#syncJob(this.#scrapeConfig(job), now, app);
    await app.commit();
  }

  /** Scrapes every target due by the end of the current tick; returns how many were scraped. */
  async scrapeDue(now: number): Promise<number> {
    const due = [...this.#targets.values()].filter((t) => t.nextAt < now + TICK_MS);
    if (due.length === 0) return 0;
    this.#ticks++;
    const app = this.#appender();
    await Promise.all(
      due.map(async (t) => {
        const start = Date.now();
        // As Prometheus's timestamp tolerance: a scrape that starts within one
        // tick of its slot is stamped with the slot, so a target's timestamps
        // stay exactly one interval apart (and compress to 1 bit each).
        const stamp = start - t.nextAt >= 0 && start - t.nextAt < TICK_MS ? t.nextAt : start;
        const inProcess = t.address === this.env.SELF_ADDRESS ? () => this.#serveSelf(t.scrapeUrl, t.timeout) : undefined;
        const input = await scrapeTarget(t.config, t.scrapeUrl, t.timeout, inProcess);
        const durationMs = Date.now() - start;
        // The deployment's ingest limits apply on top of the job's own.
        const opts = withIngestLimits({ ...t.config, scrapeTimeout: t.timeout }, ingestLimitsOrDefaults(this.env));
        const report = appendScrape(app, t.cache, t.labels, opts, input, stamp, durationMs);
        t.last = { report, at: stamp, durationMs };
        const js = this.#jobStats.get(t.config.jobName)!;
        js.scrapes++;
        js.samples += report.samplesPostRelabeling;
        if (!report.up) js.failures++;
        // The next grid point after the one just served (a tick may serve it a little early);
        // a target that fell behind skips the points it missed.
        t.nextAt = nextScrapeTime(Math.max(t.nextAt, Date.now()), t.interval, t.offset);
      }),
    );
    await app.commit();
    this.#persistCaches(due);
    return due.length;
  }

  /**
   * Targets that were saved but are gone after a restart (the config changed
   * meanwhile) are removed as Prometheus removes a target: their series go stale.
   */
  async #staleOrphans(): Promise<void> {
    if (this.#savedCaches.size === 0) return;
    const app = this.#appender();
    const now = Date.now();
    for (const [key, series] of this.#savedCaches) {
      if (this.#targets.has(key)) continue;
      ScrapeCache.restore(series).markAllStale(app, now);
      this.ctx.storage.sql.exec(`DELETE FROM scrape_cache WHERE target = ?`, key);
    }
    this.#savedCaches.clear();
    await app.commit();
  }

  /** Saves the caches that changed (series came or went); steady scrapes write nothing. */
  #persistCaches(targets: readonly ActiveTarget[]): void {
    for (const t of targets) {
      if (!t.cache.changed) continue;
      this.ctx.storage.sql.exec(
        `INSERT OR REPLACE INTO scrape_cache (target, series) VALUES (?, ?)`,
        t.key,
        JSON.stringify(t.cache.snapshot()),
      );
    }
  }

  /**
   * Serves a scrape of Pyrometer itself without the network. Its own
   * /metrics gets this object's statistics passed in (calling its own stub
   * from inside an alarm would wait on itself).
   */
  async #serveSelf(url: string, timeoutMs: number): Promise<string> {
    return selfScrape(this.env, url, { shard: this.#shard, stats: this.stats() }, timeoutMs);
  }

  stats(): ScrapeStats {
    return {
      jobs: [...this.#jobStats.values()].map((j) => ({ ...j })),
      ticks: this.#ticks,
      configError: this.#configError,
      discoveryErrors: [...this.#discoveryErrors.values()],
    };
  }

  targets(shard: number): { activeTargets: TargetStatus[]; droppedTargets: DroppedTargetStatus[] } {
    this.#init(shard);
    return {
      activeTargets: [...this.#targets.values()].map((t) => ({
        discoveredLabels: t.discoveredLabels,
        labels: labelsToRecord(t.labels),
        scrapePool: t.config.jobName,
        scrapeUrl: t.scrapeUrl,
        globalUrl: t.scrapeUrl,
        lastError: t.last?.report.error ?? "",
        lastScrape: t.last ? new Date(t.last.at).toISOString() : "0001-01-01T00:00:00Z",
        lastScrapeDuration: t.last ? t.last.durationMs / 1000 : 0,
        health: t.last ? (t.last.report.up ? "up" : "down") : "unknown",
        scrapeInterval: formatDuration(t.interval),
        scrapeTimeout: formatDuration(t.timeout),
      })),
      droppedTargets: [...this.#dropped.values()].flat(),
    };
  }

  /** The metadata each target exposed in its last successful scrape. */
  metadata(shard: number): TargetMetadata[] {
    this.#init(shard);
    return [...this.#targets.values()]
      .filter((t) => t.last?.report.up)
      .map((t) => ({
        target: labelsToRecord(t.labels),
        metadata: [...t.last!.report.metadata].map(([metric, m]) => ({ metric, ...m })),
      }));
  }

  /** Runs one tick by hand (tests drive the scheduler without alarms). */
  async tick(shard: number, now: number): Promise<number> {
    this.#init(shard);
    await this.refreshDue(now);
    return this.scrapeDue(now);
  }
}
