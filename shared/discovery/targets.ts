/**
 * @module
 * Turning discovered target groups into scrape targets, as Prometheus's
 * scrape.PopulateLabels / TargetsFromGroup (3.x: no default port is added).
 */
import { redactAddress } from "./redact.ts";
import type { Labels } from "../labels/labels.ts";
import { labelsFromRecord, labelsToRecord } from "../labels/labels.ts";
import { formatDuration, parseDuration } from "../promql/duration.ts";
import { LabelsBuilder } from "../relabel/builder.ts";
import { processBuilder } from "../relabel/relabel.ts";
import type { ScrapeConfig } from "../config/types.ts";
import { ADDRESS_LABEL } from "./target-group.ts";
import type { TargetGroup } from "./target-group.ts";

export const SCHEME_LABEL = "__scheme__";
export const METRICS_PATH_LABEL = "__metrics_path__";
export const SCRAPE_INTERVAL_LABEL = "__scrape_interval__";
export const SCRAPE_TIMEOUT_LABEL = "__scrape_timeout__";
export const PARAM_LABEL_PREFIX = "__param_";
export const META_LABEL_PREFIX = "__meta_";
export const RESERVED_LABEL_PREFIX = "__";

/** The parts of a scrape config that shape its targets. */
export type TargetConfig = Pick<ScrapeConfig, "jobName" | "scrapeInterval" | "scrapeTimeout" | "metricsPath" | "scheme" | "params" | "relabelConfigs">;

export interface ActiveTarget {
  readonly dropped: false;
  /** The labels every scraped series gets (no `__` names). */
  readonly labels: Labels;
  /** Everything after relabeling except `__meta_*`: `__address__`, `__scheme__`, `__param_*`... */
  readonly internalLabels: Labels;
  /** The labels before relabeling (what /api/v1/targets calls discoveredLabels). */
  readonly discoveredLabels: Record<string, string>;
  readonly address: string;
  readonly scrapeUrl: string;
  /** From `__scrape_interval__` / `__scrape_timeout__`, which relabeling may change (ms). */
  readonly scrapeInterval: number;
  readonly scrapeTimeout: number;
}

export interface DroppedTarget {
  readonly dropped: true;
  readonly discoveredLabels: Record<string, string>;
  /** Set when the target was rejected as invalid rather than dropped by a rule. */
  readonly error?: string;
}

export type BuiltTarget = ActiveTarget | DroppedTarget;

/** One result per target of the group: target labels override group labels. */
export function buildTargets(cfg: TargetConfig, group: TargetGroup): BuiltTarget[] {
  return group.targets.map((t) => populateLabels({ ...group.labels, ...t }, cfg));
}

/** Builds one target from its discovered labels (Prometheus's PopulateLabels). */
export function populateLabels(discovered: Readonly<Record<string, string>>, cfg: TargetConfig): BuiltTarget {
  const lb = new LabelsBuilder(labelsFromRecord(discovered));
  const defaults: [string, string][] = [
    ["job", cfg.jobName],
    [SCRAPE_INTERVAL_LABEL, formatDuration(cfg.scrapeInterval)],
    [SCRAPE_TIMEOUT_LABEL, formatDuration(cfg.scrapeTimeout)],
    [METRICS_PATH_LABEL, cfg.metricsPath],
    [SCHEME_LABEL, cfg.scheme],
  ];
  for (const [name, value] of defaults) if (lb.get(name) === "") lb.set(name, value);
  for (const [name, values] of Object.entries(cfg.params)) {
    if (values.length > 0) lb.set(PARAM_LABEL_PREFIX + name, values[0]!);
  }
  const discoveredLabels = labelsToRecord(lb.labels());
  const dropped = (error?: string): DroppedTarget => (error === undefined ? { dropped: true, discoveredLabels } : { dropped: true, discoveredLabels, error });

  if (!processBuilder(lb, cfg.relabelConfigs)) return dropped();
  const address = lb.get(ADDRESS_LABEL);
  if (address === "") return dropped("no address");
  if (address.includes("/")) return dropped(`"${address}" is not a valid hostname`);
  // Prometheus has no credentials in addresses (they would be escaped into the
  // host and shown in the instance label): refuse them, and never show the password.
  if (address.includes("@")) {
    const shown = { ...discoveredLabels, [ADDRESS_LABEL]: redactAddress(discoveredLabels[ADDRESS_LABEL] ?? "") };
    return { dropped: true, discoveredLabels: shown, error: `"${redactAddress(address)}" is not a valid hostname: credentials in a target address are not supported, use basic_auth` };
  }

  const interval = lb.get(SCRAPE_INTERVAL_LABEL);
  const timeout = lb.get(SCRAPE_TIMEOUT_LABEL);
  let intervalMs: number, timeoutMs: number;
  try {
    intervalMs = parseDuration(interval);
  } catch (e) {
    return dropped(`error parsing scrape interval: ${(e as Error).message}`);
  }
  if (intervalMs === 0) return dropped("scrape interval cannot be 0");
  try {
    timeoutMs = parseDuration(timeout);
  } catch (e) {
    return dropped(`error parsing scrape timeout: ${(e as Error).message}`);
  }
  if (timeoutMs === 0) return dropped("scrape timeout cannot be 0");
  if (timeoutMs > intervalMs) return dropped(`scrape timeout cannot be greater than scrape interval ("${timeout}" > "${interval}")`);

  // Meta labels go after relabeling; other `__` labels stay on the target but not on its series.
  for (const l of lb.entries()) if (l.name.startsWith(META_LABEL_PREFIX)) lb.del(l.name);
  if (lb.get("instance") === "") lb.set("instance", address);
  const internalLabels = lb.labels();
  return {
    dropped: false,
    labels: internalLabels.filter((l) => !l.name.startsWith(RESERVED_LABEL_PREFIX)),
    internalLabels,
    discoveredLabels,
    address,
    scrapeUrl: scrapeUrl(internalLabels, cfg.params),
    scrapeInterval: intervalMs,
    scrapeTimeout: timeoutMs,
  };
}

/**
 * scheme://address/path?query, where `__param_<name>` labels override the
 * first value of the configured params (Prometheus's Target.URL).
 */
export function scrapeUrl(internalLabels: Labels, params: Readonly<Record<string, readonly string[]>>): string {
  const query = new Map<string, string[]>();
  for (const [k, v] of Object.entries(params)) query.set(k, [...v]);
  let scheme = "", host = "", path = "";
  for (const l of internalLabels) {
    if (l.name === SCHEME_LABEL) scheme = l.value;
    else if (l.name === ADDRESS_LABEL) host = l.value;
    else if (l.name === METRICS_PATH_LABEL) path = l.value;
    else if (l.name.startsWith(PARAM_LABEL_PREFIX)) {
      const k = l.name.slice(PARAM_LABEL_PREFIX.length);
      const vs = query.get(k);
      if (vs !== undefined && vs.length > 0) vs[0] = l.value;
      else query.set(k, [l.value]);
    }
  }
  if (path !== "" && !path.startsWith("/")) path = "/" + path;
  const keys = [...query.keys()].sort();
  const parts: string[] = [];
  for (const k of keys) for (const v of query.get(k)!) parts.push(`${queryEscape(k)}=${queryEscape(v)}`);
  return `${scheme}://${host}${escapePath(path)}${parts.length > 0 ? "?" + parts.join("&") : ""}`;
}

/** Go's url.QueryEscape: only letters, digits and `-_.~` stay; space becomes `+`. */
export function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

// Path characters Go's URL.EscapedPath leaves as they are.
function escapePath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu, (c) => encodeURIComponent(c));
}
