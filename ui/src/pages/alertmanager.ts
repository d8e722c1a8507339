/**
 * @module
 * Alertmanager (Alertmanager's own UI, over its v2 API): alert groups,
 * silences (list, create — empty or from an alert — and expire).
 */
import { h, mount, labelChips, formatTime } from "../dom.ts";
import { json, loadInto, errorView } from "../api.ts";
import { parseMatchers, formatMatcher, matchersForLabels, silenceBody } from "../lib/silence.ts";
import type { AmMatcher } from "../lib/silence.ts";
import { parseDuration } from "../../../shared/promql/duration.ts";

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

interface AlertGroup {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: AmAlert[];
}

interface Silence {
  id: string;
  matchers: AmMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: "active" | "pending" | "expired" };
}

export default function alertmanagerPage(root: HTMLElement): void {
  const groupsEl = h("div");
  const silencesEl = h("div");
  const formEl = h("div");

  const loadSilences = () => loadInto(silencesEl, () => json<Silence[]>("/api/v2/silences"), (list) => {
    if (list.length === 0) return h("p", { className: "muted" }, "No silences.");
    const order = { active: 0, pending: 1, expired: 2 };
    return h("table", { className: "silences" },
      h("thead", null, h("tr", null, ["State", "Matchers", "Starts", "Ends", "Created by", "Comment", ""].map((c) => h("th", null, c)))),
      h("tbody", null, [...list].sort((a, b) => order[a.status.state] - order[b.status.state]).map((s) => h("tr", { "data-silence-id": s.id },
        h("td", null, h("span", { className: `badge state-${s.status.state === "active" ? "active" : s.status.state === "pending" ? "pending" : "inactive"}` }, s.status.state)),
        h("td", null, h("span", { className: "labels" }, s.matchers.map((m) => h("span", { className: "label" }, formatMatcher(m))))),
        h("td", null, formatTime(s.startsAt)),
        h("td", null, formatTime(s.endsAt)),
        h("td", null, s.createdBy),
        h("td", null, s.comment),
        h("td", null, s.status.state !== "expired" && h("button", {
          type: "button",
          onclick: async () => {
            try {
              await json(`/api/v2/silence/${encodeURIComponent(s.id)}`, { method: "DELETE" });
              void loadSilences();
            } catch (e) {
              mount(formEl, errorView(e, () => void loadSilences()));
            }
          },
        }, "Expire"))))));
  });

  const showForm = (matchers: AmMatcher[]) => {
    const matchersIn = h("input", { type: "text", size: 60, name: "matchers", value: matchers.map(formatMatcher).join(", "), "aria-label": "Matchers" });
    const durationIn = h("input", { type: "text", size: 6, name: "duration", value: "2h", "aria-label": "Duration" });
    const byIn = h("input", { type: "text", name: "createdBy", value: localStorage.getItem("pyrometer.silenceAuthor") ?? "", "aria-label": "Created by" });
    const commentIn = h("input", { type: "text", size: 40, name: "comment", "aria-label": "Comment" });
    const msg = h("div", { "aria-live": "polite" });
    mount(formEl, h("form", {
      className: "panel silence-form",
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        try {
          const body = silenceBody(parseMatchers(matchersIn.value), Date.now(), parseDuration(durationIn.value.trim()), byIn.value, commentIn.value);
          localStorage.setItem("pyrometer.silenceAuthor", byIn.value);
          const res = await json<{ silenceID: string }>("/api/v2/silences", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
          mount(msg, h("p", { className: "state-ok", role: "status" }, `Silence ${res.silenceID} created.`));
          void loadSilences();
          void loadGroups();
        } catch (e) {
          mount(msg, e instanceof Error && !("status" in e) ? h("div", { className: "error", role: "alert" }, e.message) : errorView(e, () => undefined));
        }
      },
    },
    h("h2", null, "New silence"),
    h("div", { className: "toolbar" }, h("label", null, "Matchers ", matchersIn)),
    h("div", { className: "toolbar" }, h("label", null, "Duration ", durationIn), h("label", null, "Created by ", byIn), h("label", null, "Comment ", commentIn)),
    h("div", { className: "toolbar" }, h("button", { type: "submit", className: "primary" }, "Create silence"), h("button", { type: "button", onclick: () => mount(formEl) }, "Cancel")),
    msg));
    (matchers.length > 0 ? commentIn : matchersIn).focus();
  };

  const loadGroups = () => loadInto(groupsEl, () => json<AlertGroup[]>("/api/v2/alerts/groups"), (groups) => {
    const withAlerts = groups.filter((g) => g.alerts.length > 0);
    if (withAlerts.length === 0) return h("p", { className: "muted" }, "No alerts.");
    return withAlerts.map((g) => h("section", { className: "panel" },
      h("div", null, labelChips(g.labels), h("span", { className: "muted" }, ` → ${g.receiver.name}`)),
      h("table", null, h("tbody", null, g.alerts.map((a) => h("tr", null,
        h("td", null, h("span", { className: `badge state-${a.status.state}` }, a.status.state)),
        h("td", null, labelChips(a.labels), Object.entries(a.annotations).map(([k, v]) => h("div", { className: "muted" }, `${k}: ${v}`))),
        h("td", null, `since ${formatTime(a.startsAt)}`),
        h("td", null, h("button", { type: "button", onclick: () => showForm(matchersForLabels(a.labels)) }, "Silence"))))))));
  });

  mount(root,
    h("h1", null, "Alertmanager"),
    h("h2", null, "Alert groups"), groupsEl,
    h("div", { className: "toolbar" }, h("h2", null, "Silences"), h("button", { type: "button", onclick: () => showForm([]) }, "New silence")),
    formEl, silencesEl);
  void loadGroups();
  void loadSilences();
}
