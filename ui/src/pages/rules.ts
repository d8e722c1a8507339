/**
 * @module
 * Rules (Prometheus's /rules): every group's recording and alerting rules
 * with health, last evaluation and error.
 */
import { h, labelChips, ago } from "../dom.ts";
import { prom, loadInto } from "../api.ts";
import { formatDuration } from "../../../shared/promql/duration.ts";
import type { RuleGroup } from "./rules-data.ts";

export default function rulesPage(root: HTMLElement): void {
  const body = h("div");
  root.replaceChildren(h("h1", null, "Rules"), body);
  void loadInto(body, async () => (await prom<{ groups: RuleGroup[] }>("/api/v1/rules")).data.groups, (groups) => {
    if (groups.length === 0) return h("p", { className: "muted" }, "No rule groups configured.");
    return groups.map((g) =>
      h("section", null,
        h("h2", null, `${g.name} `, h("span", { className: "muted" }, `${g.file} · every ${formatDuration(g.interval * 1000)} · last evaluated ${ago(g.lastEvaluation)}`)),
        h("table", null,
          h("thead", null, h("tr", null, ["Rule", "Health", "Last evaluation", "Evaluation time", "Error"].map((c) => h("th", null, c)))),
          h("tbody", null, g.rules.map((r) => h("tr", null,
            h("td", null,
              h("div", null, h("strong", null, r.type === "alerting" ? "alert: " : "record: "), r.name),
              h("code", null, r.query),
              r.duration ? h("div", { className: "muted" }, `for: ${formatDuration(r.duration * 1000)}`) : null,
              r.labels && Object.keys(r.labels).length > 0 ? h("div", null, "labels: ", labelChips(r.labels)) : null),
            h("td", null, h("span", { className: `badge state-${r.health === "ok" ? "ok" : r.health === "err" ? "err" : "unknown"}` }, r.health)),
            h("td", null, ago(r.lastEvaluation)),
            h("td", { className: "num" }, r.evaluationTime !== undefined ? `${(r.evaluationTime * 1000).toFixed(2)} ms` : ""),
            h("td", { className: r.lastError ? "state-err" : "" }, r.lastError ?? "")))))));
  });
}
