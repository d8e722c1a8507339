/**
 * @module
 * Alerts (Prometheus's /alerts): alerting rules by state, each with its
 * pending and firing alerts (labels, annotations, active since, value).
 */
import { h, mount, labelChips, formatTime } from "../dom.ts";
import { prom, loadInto } from "../api.ts";
import { formatDuration } from "../../../shared/promql/duration.ts";
import type { RuleGroup, Rule } from "./rules-data.ts";

function ruleState(r: Rule): string {
  if (r.state) return r.state;
  if (r.alerts?.some((a) => a.state === "firing")) return "firing";
  return r.alerts?.length ? "pending" : "inactive";
}

export default function alertsPage(root: HTMLElement): void {
  const body = h("div");
  const show = new Set(["firing", "pending", "inactive"]);
  let groups: RuleGroup[] = [];
  const draw = () => {
    const rules = groups.flatMap((g) => g.rules.filter((r) => r.type === "alerting").map((r) => ({ g, r, state: ruleState(r) })));
    const counts = { firing: 0, pending: 0, inactive: 0 } as Record<string, number>;
    for (const x of rules) counts[x.state] = (counts[x.state] ?? 0) + 1;
    const visible = rules.filter((x) => show.has(x.state));
    return [
      h("div", { className: "toolbar", role: "group", "aria-label": "Show states" },
        ["firing", "pending", "inactive"].map((s) => h("label", null,
          h("input", { type: "checkbox", checked: show.has(s), onchange: (e: Event) => {
            if ((e.target as HTMLInputElement).checked) show.add(s); else show.delete(s);
            mount(body, draw());
          } }),
          ` ${s[0]!.toUpperCase()}${s.slice(1)} (${counts[s] ?? 0})`))),
      rules.length === 0 ? h("p", { className: "muted" }, "No alerting rules configured.") : null,
      visible.map(({ g, r, state }) => h("details", { className: "panel alert-rule", open: state !== "inactive" },
        h("summary", null, h("span", { className: `badge state-${state}` }, state.toUpperCase()), " ", h("strong", null, r.name), h("span", { className: "muted" }, ` · ${g.name} · ${r.alerts?.length ?? 0} active`)),
        h("pre", { className: "config" }, `alert: ${r.name}\nexpr: ${r.query}${r.duration ? `\nfor: ${formatDuration(r.duration * 1000)}` : ""}`),
        (r.alerts?.length ?? 0) > 0 && h("table", null,
          h("thead", null, h("tr", null, ["Labels", "State", "Active since", "Value", "Annotations"].map((c) => h("th", null, c)))),
          h("tbody", null, r.alerts!.map((a) => h("tr", null,
            h("td", null, labelChips(a.labels)),
            h("td", null, h("span", { className: `badge state-${a.state}` }, a.state.toUpperCase())),
            h("td", null, formatTime(a.activeAt)),
            h("td", { className: "num" }, a.value ?? ""),
            h("td", null, Object.entries(a.annotations ?? {}).map(([k, v]) => h("div", null, h("strong", null, `${k}: `), v))))))))),
    ];
  };
  root.replaceChildren(h("h1", null, "Alerts"), body);
  void loadInto(body, async () => (groups = (await prom<{ groups: RuleGroup[] }>("/api/v1/rules", { type: "alert" })).data.groups), draw);
}
