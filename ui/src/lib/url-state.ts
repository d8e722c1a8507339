/**
 * @module
 * Query-page state in the URL, in Prometheus's format, so links are shared
 * between Pyrometer and Prometheus: `g0.expr`, `g0.tab` (`table` | `graph`;
 * Prometheus 2's `0` = graph and `1` = table are read too), `g0.range_input`
 * (`1h`), `g0.end_input` / `g0.moment_input` (`YYYY-MM-DD HH:mm:ss`, UTC),
 * `g0.step_input` (seconds), `g0.display_mode` (`lines` | `stacked`; the old
 * `g0.stacked=1` is read too).
 */
import { parseDuration, formatDuration } from "../../../shared/promql/duration.ts";

export type Tab = "table" | "graph";
export type DisplayMode = "lines" | "stacked";

export interface PanelState {
  expr: string;
  tab: Tab;
  /** Graph range in ms. */
  rangeMs: number;
  /** Graph end / table evaluation time in ms; null means now. */
  endMs: number | null;
  /** Resolution in seconds; null means automatic. */
  stepS: number | null;
  displayMode: DisplayMode;
}

export const DEFAULT_RANGE_MS = 3600_000;

export function defaultPanel(): PanelState {
  return { expr: "", tab: "table", rangeMs: DEFAULT_RANGE_MS, endMs: null, stepS: null, displayMode: "lines" };
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `2024-05-01 12:00:00` in UTC, as Prometheus's UI writes times in URLs. */
export function formatUrlTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Reads `YYYY-MM-DD HH:mm:ss` (UTC), an RFC 3339 time or Unix seconds; null if none of these. */
export function parseUrlTime(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s.trim());
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0);
  if (/^\d+(\.\d+)?$/.test(s.trim())) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

function parseRange(s: string | null): number {
  if (!s) return DEFAULT_RANGE_MS;
  try {
    const ms = parseDuration(s);
    return ms > 0 ? ms : DEFAULT_RANGE_MS;
  } catch {
    return DEFAULT_RANGE_MS;
  }
}

/** The panels a URL's query string describes (at least one). */
export function parsePanels(search: string): PanelState[] {
  const p = new URLSearchParams(search);
  const panels: PanelState[] = [];
  for (let i = 0; p.has(`g${i}.expr`) || p.has(`g${i}.tab`) || p.has(`g${i}.range_input`); i++) {
    const get = (k: string) => p.get(`g${i}.${k}`);
    const tab = get("tab");
    const time = get("end_input") ?? get("moment_input");
    const step = Number(get("step_input"));
    const stacked = get("display_mode") === "stacked" || get("stacked") === "1";
    panels.push({
      expr: get("expr") ?? "",
      tab: tab === "graph" || tab === "0" ? "graph" : "table",
      rangeMs: parseRange(get("range_input")),
      endMs: time ? parseUrlTime(time) : null,
      stepS: Number.isFinite(step) && step > 0 ? step : null,
      displayMode: stacked ? "stacked" : "lines",
    });
  }
  return panels.length > 0 ? panels : [defaultPanel()];
}

/** The query string (without `?`) for these panels. */
export function panelsToSearch(panels: readonly PanelState[]): string {
  const p = new URLSearchParams();
  panels.forEach((s, i) => {
    p.set(`g${i}.expr`, s.expr);
    p.set(`g${i}.show_tree`, "0");
    p.set(`g${i}.tab`, s.tab);
    p.set(`g${i}.range_input`, formatDuration(s.rangeMs));
    if (s.endMs !== null) p.set(`g${i}.end_input`, formatUrlTime(s.endMs));
    if (s.endMs !== null && s.tab === "table") p.set(`g${i}.moment_input`, formatUrlTime(s.endMs));
    if (s.stepS !== null) p.set(`g${i}.step_input`, String(s.stepS));
    p.set(`g${i}.display_mode`, s.displayMode);
  });
  return p.toString();
}

/** Prometheus's default graph resolution: range / 250, at least 1 s. */
export function autoStepSeconds(rangeMs: number): number {
  return Math.max(Math.floor(rangeMs / 1000 / 250), 1);
}

/** The graph's range presets, as the − / + buttons step through them. */
export const RANGE_PRESETS_MS: readonly number[] = ["1m", "5m", "15m", "30m", "1h", "2h", "6h", "12h", "1d", "2d", "1w", "2w", "4w", "8w", "1y"].map(parseDuration);

/** The next longer (+1) or shorter (−1) preset; a range between presets moves to the neighbouring one. */
export function shiftRange(ms: number, dir: 1 | -1): number {
  if (dir > 0) return RANGE_PRESETS_MS.find((r) => r > ms) ?? RANGE_PRESETS_MS[RANGE_PRESETS_MS.length - 1]!;
  return [...RANGE_PRESETS_MS].reverse().find((r) => r < ms) ?? RANGE_PRESETS_MS[0]!;
}
