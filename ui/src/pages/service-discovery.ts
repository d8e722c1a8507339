/**
 * @module
 * Service discovery (Prometheus's /service-discovery): every discovered
 * target's labels before relabeling next to the target labels after it
 * (or "Dropped").
 */
import { h, labelChips } from "../dom.ts";
import { prom, loadInto } from "../api.ts";
import type { TargetsData } from "./targets.ts";

export default function serviceDiscoveryPage(root: HTMLElement): void {
  const body = h("div");
  root.replaceChildren(h("h1", null, "Service discovery"), body);
  void loadInto(body, async () => (await prom<TargetsData>("/api/v1/targets")).data, (d) => {
    const rows = new Map<string, { discovered: Record<string, string>; target: Record<string, string> | null }[]>();
    const add = (pool: string, discovered: Record<string, string>, target: Record<string, string> | null) =>
      rows.set(pool, [...(rows.get(pool) ?? []), { discovered, target }]);
    for (const t of d.activeTargets) add(t.scrapePool, t.discoveredLabels, t.labels);
    for (const t of d.droppedTargets) add(t.scrapePool ?? t.discoveredLabels.job ?? "", t.discoveredLabels, null);
    if (rows.size === 0) return h("p", { className: "muted" }, "No discovered targets.");
    return [...rows].sort(([a], [b]) => a.localeCompare(b)).map(([pool, list]) =>
      h("section", null,
        h("h2", null, `${pool} (${list.filter((r) => r.target).length} active / ${list.length} discovered)`),
        h("table", null,
          h("thead", null, h("tr", null, h("th", null, "Discovered labels"), h("th", null, "Target labels"))),
          h("tbody", null, list.map((r) => h("tr", null,
            h("td", null, labelChips(r.discovered)),
            h("td", null, r.target ? labelChips(r.target) : h("span", { className: "muted" }, "Dropped"))))))));
  });
}
