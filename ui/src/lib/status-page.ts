/**
 * @module
 * The public status page's logic: its config (from /status-page.json, i.e.
 * config/status-page.yml's `status_page:` block, and the page's query
 * parameters), the PromQL it asks, and the incidents it finds in a
 * `probe_success` range.
 */

export interface StatusPageConfig {
  title: string;
  /** Jobs shown; empty means every job that has `probe_success`. */
  jobs: string[];
  /** Label that groups rows into sections (e.g. `job`); "" for one list. */
  groupBy: string;
  /** Label that tells probing regions apart; each region gets a chip in its row. */
  regionLabel: string;
}

export const DEFAULT_STATUS_CONFIG: StatusPageConfig = { title: "Status", jobs: [], groupBy: "job", regionLabel: "region" };

function str(v: unknown, fallback: string): string {
  return typeof v === "string" ? v : fallback;
}

/** Merges the file's `status_page:` block and the URL's parameters (which win) over the defaults. */
export function statusConfig(file: unknown, search: string): StatusPageConfig {
  const f = (file && typeof file === "object" ? file : {}) as Record<string, unknown>;
  const q = new URLSearchParams(search);
  const fileJobs = Array.isArray(f.jobs) ? f.jobs.filter((j): j is string => typeof j === "string") : [];
  return {
    title: q.get("title") ?? str(f.title, DEFAULT_STATUS_CONFIG.title),
    jobs: q.getAll("job").length > 0 ? q.getAll("job") : fileJobs,
    groupBy: q.get("group_by") ?? str(f.group_by, DEFAULT_STATUS_CONFIG.groupBy),
    regionLabel: q.get("region_label") ?? str(f.region_label, DEFAULT_STATUS_CONFIG.regionLabel),
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The selector for `metric` limited to the configured jobs. */
export function probeSelector(metric: string, cfg: StatusPageConfig): string {
  if (cfg.jobs.length === 0) return metric;
  const re = cfg.jobs.map(escapeRegex).join("|");
  return `${metric}{job=~${JSON.stringify(re)}}`;
}

export interface StatusQueries {
  current: string;
  uptime: Record<"24h" | "7d" | "90d", string>;
  latency: string;
  incidents: string;
}

export function statusQueries(cfg: StatusPageConfig): StatusQueries {
  const ok = probeSelector("probe_success", cfg);
  const dur = probeSelector("probe_duration_seconds", cfg);
  const up = (r: string) => `avg by (job, instance) (avg_over_time(${ok}[${r}]))`;
  return {
    current: ok,
    uptime: { "24h": up("24h"), "7d": up("7d"), "90d": up("90d") },
    latency: `avg by (job, instance) (${dur})`,
    incidents: `min by (job, instance) (${ok})`,
  };
}

export interface Incident {
  /** Unix seconds of the first failing step. */
  start: number;
  /** Unix seconds of the first step that succeeded again; null while ongoing. */
  end: number | null;
}

/**
 * Periods where the series was 0 (down), from a range query's points. A gap
 * in the data longer than `maxGapS` ends a period (nothing is known there).
 * Newest first.
 */
export function findIncidents(values: readonly [number, string][], maxGapS: number): Incident[] {
  const out: Incident[] = [];
  let open: Incident | null = null;
  let prevT: number | null = null;
  for (const [t, v] of values) {
    if (open && prevT !== null && t - prevT > maxGapS) {
      open.end = prevT;
      out.push(open);
      open = null;
    }
    const down = Number(v) === 0;
    if (down && !open) open = { start: t, end: null };
    else if (!down && open) {
      open.end = t;
      out.push(open);
      open = null;
    }
    prevT = t;
  }
  if (open) out.push(open);
  return out.reverse();
}

/** `99.95%` style, never rounding a non-perfect uptime up to 100%. */
export function formatUptime(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return "–";
  const pct = ratio * 100;
  if (pct >= 100) return "100%";
  return `${(Math.floor(pct * 100) / 100).toFixed(2)}%`;
}

/** `1h 5m`, `45s`: an incident's length. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, !d && !h && r && `${r}s`].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : "0s";
}
