/**
 * @module
 * Targets (Prometheus's /targets): each scrape pool's targets with health,
 * last scrape, duration, last error and labels; filter by state and text.
 */
import { h, mount, labelChips, ago } from "../dom.ts";
import { prom, loadInto } from "../api.ts";

export interface ActiveTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: "up" | "down" | "unknown";
  scrapeInterval?: string;
}

export interface TargetsData {
  activeTargets: ActiveTarget[];
  droppedTargets: { discoveredLabels: Record<string, string>; scrapePool?: string }[];
}

function targetsView(data: TargetsData, filter: { health: string; text: string }): Node[] {
  const text = filter.text.toLowerCase();
  const shown = data.activeTargets.filter((t) =>
    (filter.health === "any" || t.health === filter.health) &&
    (text === "" || [t.scrapeUrl, t.scrapePool, t.lastError, ...Object.entries(t.labels).map(([k, v]) => `${k}="${v}"`)].some((s) => s.toLowerCase().includes(text))));
  const pools = new Map<string, ActiveTarget[]>();
  for (const t of shown) pools.set(t.scrapePool, [...(pools.get(t.scrapePool) ?? []), t]);
  if (pools.size === 0) return [h("p", { className: "muted" }, "No targets match.")];
  return [...pools].sort(([a], [b]) => a.localeCompare(b)).map(([pool, ts]) =>
    h("section", null,
      h("h2", null, `${pool} (${ts.filter((t) => t.health === "up").length}/${ts.length} up)`),
      h("table", null,
        h("thead", null, h("tr", null, ["Endpoint", "State", "Labels", "Last scrape", "Scrape duration", "Error"].map((c) => h("th", null, c)))),
        h("tbody", null, ts.map((t) => h("tr", { className: "target" },
          h("td", null, h("a", { href: t.scrapeUrl }, t.scrapeUrl)),
          h("td", null, h("span", { className: `badge state-${t.health}` }, t.health.toUpperCase())),
          h("td", null, labelChips(t.labels)),
          h("td", null, ago(t.lastScrape)),
          h("td", { className: "num" }, `${(t.lastScrapeDuration * 1000).toFixed(1)} ms`),
          h("td", { className: t.lastError ? "state-err target-error" : "" }, t.lastError)))))));
}

export default function targetsPage(root: HTMLElement): void {
  const filter = { health: "any", text: "" };
  const body = h("div");
  let data: TargetsData | undefined;
  const redraw = () => data && mount(body, targetsView(data, filter));
  const states = ["any", "up", "down", "unknown"].map((s) =>
    h("button", {
      type: "button", "aria-pressed": String(s === filter.health), "data-state": s,
      onclick: (e: Event) => {
        filter.health = s;
        for (const b of (e.currentTarget as HTMLElement).parentElement!.querySelectorAll("button[data-state]")) b.setAttribute("aria-pressed", String(b.getAttribute("data-state") === s));
        redraw();
      },
    }, s === "any" ? "All" : s[0]!.toUpperCase() + s.slice(1)));
  mount(root,
    h("h1", null, "Targets"),
    h("div", { className: "toolbar", role: "group", "aria-label": "Filter" },
      ...states,
      h("input", { type: "search", placeholder: "Filter by endpoint or labels", "aria-label": "Filter by text", size: 40,
        oninput: (e: Event) => { filter.text = (e.target as HTMLInputElement).value; redraw(); } })),
    body);
  void loadInto(body, async () => (data = (await prom<TargetsData>("/api/v1/targets")).data), (d) => targetsView(d, filter));
}
