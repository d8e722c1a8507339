/**
 * @module
 * The public status page (/status): one row per probed endpoint (series
 * with `probe_success`), grouped and filtered as config/status-page.yml or
 * the URL says, with current state (per region when probes carry a region
 * label), uptime over 24 h / 7 d / 90 d, a latency sparkline and recent
 * incidents. Read-only; it only runs the queries lib/status-page.ts builds.
 */
import { h, mount, formatTime } from "../dom.ts";
import type { Child } from "../dom.ts";
import { prom, json, errorView, ApiUnavailable } from "../api.ts";
import type { Envelope } from "../api.ts";
import { statusConfig, statusQueries, findIncidents, formatUptime, humanDuration } from "../lib/status-page.ts";
import type { StatusPageConfig, Incident } from "../lib/status-page.ts";

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

const REFRESH_MS = 60_000;
const INCIDENT_STEP_S = 60;
const LATENCY_STEP_S = 900;

function key(m: Record<string, string>): string {
  return `${m.job ?? ""}\u0000${m.instance ?? ""}`;
}

interface Endpoint {
  job: string;
  instance: string;
  group: string;
  regions: { region: string; up: boolean }[];
  uptime: Record<string, number | undefined>;
  latency: [number, string][];
  incidents: Incident[];
}

function sparkline(points: [number, string][]): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("viewBox", "0 0 120 28");
  svg.setAttribute("preserveAspectRatio", "none");
  const vals = points.map(([t, v]) => [t, Number(v)] as const).filter(([, v]) => Number.isFinite(v));
  const last = vals.at(-1);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", last ? `Latency over 24 hours, now ${(last[1] * 1000).toFixed(0)} ms` : "No latency data");
  if (vals.length > 1) {
    const t0 = vals[0]![0], t1 = vals.at(-1)![0];
    const max = Math.max(...vals.map(([, v]) => v));
    const min = Math.min(...vals.map(([, v]) => v));
    const span = max - min || 1;
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", vals.map(([t, v]) => `${(((t - t0) / (t1 - t0 || 1)) * 118 + 1).toFixed(1)},${(27 - ((v - min) / span) * 25).toFixed(1)}`).join(" "));
    svg.appendChild(line);
  }
  return svg;
}

function endpointState(e: Endpoint): "up" | "down" | "degraded" {
  const up = e.regions.filter((r) => r.up).length;
  return up === e.regions.length ? "up" : up === 0 ? "down" : "degraded";
}

const STATE_TEXT = { up: "Operational", down: "Down", degraded: "Degraded" };

/** Where the data comes from: Pyrometer's public `/status?query=…` (no token needed), else a Prometheus API. */
let source: "public" | "api" | undefined;

async function ask<T>(params: Record<string, string | number>): Promise<Envelope<T>> {
  if (source !== "api") {
    const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    try {
      const res = await json<Envelope<T>>(`/status?${qs}`, { headers: { accept: "application/json" } });
      source = "public";
      return res;
    } catch (e) {
      // Not JSON (a plain asset server, or a real Prometheus's own /status page): use the query API.
      if (!(e instanceof ApiUnavailable) || source === "public") throw e;
      source = "api";
    }
  }
  return prom<T>("step" in params ? "/api/v1/query_range" : "/api/v1/query", params);
}

async function load(cfg: StatusPageConfig): Promise<Endpoint[]> {
  const q = statusQueries(cfg);
  const now = Math.floor(Date.now() / 1000);
  const [current, d1, d7, d90, latency, incidents] = await Promise.all([
    ask<{ result: Sample[] }>({ query: q.current, time: now }),
    ask<{ result: Sample[] }>({ query: q.uptime["24h"], time: now }),
    ask<{ result: Sample[] }>({ query: q.uptime["7d"], time: now }),
    ask<{ result: Sample[] }>({ query: q.uptime["90d"], time: now }),
    ask<{ result: Series[] }>({ query: q.latency, start: now - 86400, end: now, step: LATENCY_STEP_S }),
    ask<{ result: Series[] }>({ query: q.incidents, start: now - 7 * 86400, end: now, step: INCIDENT_STEP_S }),
  ]);
  const byKey = new Map<string, Endpoint>();
  for (const s of current.data.result) {
    const k = key(s.metric);
    let e = byKey.get(k);
    if (!e) {
      e = { job: s.metric.job ?? "", instance: s.metric.instance ?? "", group: cfg.groupBy ? s.metric[cfg.groupBy] ?? "" : "", regions: [], uptime: {}, latency: [], incidents: [] };
      byKey.set(k, e);
    }
    e.regions.push({ region: s.metric[cfg.regionLabel] ?? "", up: Number(s.value[1]) === 1 });
  }
  for (const [name, res] of [["24h", d1], ["7d", d7], ["90d", d90]] as const) {
    for (const s of res.data.result) {
      const e = byKey.get(key(s.metric));
      if (e) e.uptime[name] = Number(s.value[1]);
    }
  }
  for (const s of latency.data.result) {
    const e = byKey.get(key(s.metric));
    if (e) e.latency = s.values;
  }
  for (const s of incidents.data.result) {
    const e = byKey.get(key(s.metric));
    if (e) e.incidents = findIncidents(s.values, INCIDENT_STEP_S * 1.5);
  }
  return [...byKey.values()].sort((a, b) => a.group.localeCompare(b.group) || a.instance.localeCompare(b.instance));
}

function view(cfg: StatusPageConfig, endpoints: Endpoint[]): Child[] {
  if (endpoints.length === 0) {
    return [h("p", { className: "notice" }, "No probed endpoints yet: nothing reports probe_success", cfg.jobs.length ? ` in job ${cfg.jobs.join(", ")}` : "", ".")];
  }
  const states = endpoints.map(endpointState);
  const overall = states.every((s) => s === "up") ? "up" : states.every((s) => s === "down") ? "down" : "degraded";
  const groups = new Map<string, Endpoint[]>();
  for (const e of endpoints) groups.set(e.group, [...(groups.get(e.group) ?? []), e]);
  const incidents = endpoints.flatMap((e) => e.incidents.map((i) => ({ e, i }))).sort((a, b) => b.i.start - a.i.start).slice(0, 20);
  return [
    h("div", { className: `overall state-${overall}`, role: "status" },
      overall === "up" ? "All systems operational" : overall === "down" ? "Major outage" : "Partial outage"),
    [...groups].map(([group, list]) => h("section", { className: "status-group" },
      group ? h("h2", null, group) : null,
      h("div", { className: "status-row head", "aria-hidden": "true" }, h("span", null, "Endpoint"), h("span", null, "State"), h("span", null, "24 h"), h("span", null, "7 d"), h("span", null, "90 d"), h("span", null, "Latency (24 h)")),
      list.map((e) => {
        const st = endpointState(e);
        return h("div", { className: "status-row endpoint", "data-instance": e.instance, "data-state": st },
          h("span", null, h("strong", null, e.instance), e.regions.some((r) => r.region) && h("div", { className: "labels" },
            e.regions.map((r) => h("span", { className: `label state-${r.up ? "up" : "down"}` }, `${r.region || "default"}: ${r.up ? "up" : "down"}`)))),
          h("span", { className: `badge state-${st}` }, STATE_TEXT[st]),
          h("span", { "aria-label": "Uptime 24 hours" }, formatUptime(e.uptime["24h"])),
          h("span", { "aria-label": "Uptime 7 days" }, formatUptime(e.uptime["7d"])),
          h("span", { "aria-label": "Uptime 90 days" }, formatUptime(e.uptime["90d"])),
          sparkline(e.latency));
      }))),
    h("h2", null, "Recent incidents (7 days)"),
    incidents.length === 0
      ? h("p", { className: "muted" }, "No incidents.")
      : h("ul", { className: "incidents" }, incidents.map(({ e, i }) => h("li", { className: "incident" },
        h("strong", null, e.instance), ` down since ${formatTime(i.start * 1000)}`,
        i.end === null ? h("span", { className: "state-down" }, " — ongoing") : ` for ${humanDuration(i.end - i.start)} (until ${formatTime(i.end * 1000)})`))),
  ];
}

export default function statusPage(root: HTMLElement): () => void {
  root.classList.add("status-page");
  const heading = h("h1", null, "Status");
  const body = h("div", null, h("p", { className: "muted" }, "Loading…"));
  const updated = h("p", { className: "muted" });
  mount(root, heading, body, updated);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const refresh = async () => {
    let file: unknown = {};
    try {
      const res = await fetch("/status-page.json");
      if (res.ok) file = await res.json();
    } catch {
      // no config file: defaults
    }
    const cfg = statusConfig(file, location.search);
    heading.textContent = cfg.title;
    document.title = cfg.title;
    try {
      mount(body, view(cfg, await load(cfg)));
      updated.textContent = `Updated ${formatTime(Date.now())}`;
    } catch (e) {
      mount(body, errorView(e, () => void refresh()));
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  };
  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
    root.classList.remove("status-page");
  };
}
