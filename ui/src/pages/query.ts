/**
 * @module
 * The query page (Prometheus's /query, /graph): several panels, each with
 * a PromQL editor, table and graph tabs, and its state in the URL.
 */
import type { EditorView } from "@codemirror/view";
import { h, mount, labelChips, formatTime } from "../dom.ts";
import { prom, errorView } from "../api.ts";
import { createEditor, position } from "../editor.ts";
import type { Diagnostic } from "../editor.ts";
import { drawGraph } from "../graph.ts";
import { onThemeChange } from "../theme.ts";
import { parsePanels, panelsToSearch, autoStepSeconds, defaultPanel, formatUrlTime, parseUrlTime, shiftRange } from "../lib/url-state.ts";
import type { PanelState } from "../lib/url-state.ts";
import type { MatrixSeries } from "../lib/series.ts";
import { parseDuration, formatDuration } from "../../../shared/promql/duration.ts";

const HISTORY_KEY = "pyrometer.queryHistory";
const HISTORY_MAX = 50;

export function loadHistory(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? "[]") as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

function remember(expr: string): void {
  const list = [expr, ...loadHistory().filter((e) => e !== expr)].slice(0, HISTORY_MAX);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(list));
}

type Result =
  | { resultType: "vector"; result: { metric: Record<string, string>; value?: [number, string]; histogram?: [number, unknown] }[] }
  | { resultType: "matrix"; result: (MatrixSeries & { histograms?: unknown[] })[] }
  | { resultType: "scalar" | "string"; result: [number, string] };

function resultTable(r: Result): HTMLElement {
  if (r.resultType === "scalar" || r.resultType === "string") {
    return h("table", { className: "result" }, h("tbody", null, h("tr", null, h("td", null, r.resultType), h("td", { className: "num" }, r.result[1]))));
  }
  if (r.result.length === 0) return h("p", { className: "muted" }, "Empty query result");
  const rows = r.resultType === "vector"
    ? r.result.map((s) => h("tr", null, h("td", null, labelChips(s.metric)), h("td", { className: "num" }, s.value ? s.value[1] : JSON.stringify(s.histogram?.[1]))))
    : (r.result as MatrixSeries[]).map((s) => h("tr", null, h("td", null, labelChips(s.metric)),
      h("td", { className: "num" }, (s.values ?? []).map(([t, v]) => h("div", null, `${v} @${t}`)))));
  return h("table", { className: "result" }, h("thead", null, h("tr", null, h("th", null, "Series"), h("th", null, "Value"))), h("tbody", null, rows));
}

class Panel {
  readonly el: HTMLElement;
  private editor!: EditorView;
  private messages = h("div", { className: "messages", "aria-live": "polite" });
  private diagnostics: Diagnostic[] = [];
  /** The last run's warnings and error, kept while lint messages change. */
  private outcome: { warnings: string[]; error: unknown } = { warnings: [], error: null };
  private result = h("div", { className: "result-area" });
  private controls = h("div", { className: "toolbar" });
  private tabs = h("div", { className: "tabs", role: "tablist" });
  private disposeGraph: (() => void) | undefined;
  private lastRun = 0;

  constructor(public state: PanelState, private changed: () => void, private remove: () => void) {
    const editorEl = h("div", { className: "editor" });
    this.el = h("section", { className: "panel", "aria-label": "Query panel" },
      h("div", { className: "editor-row" },
        editorEl,
        h("button", { type: "button", className: "primary execute", onclick: () => this.run() }, "Execute"),
        this.historyMenu(),
        h("button", { type: "button", "aria-label": "Remove panel", onclick: () => this.remove() }, "Remove")),
      this.messages, this.tabs, this.controls, this.result);
    this.editor = createEditor(editorEl, {
      doc: state.expr,
      onRun: () => this.run(),
      onChange: (doc) => {
        this.state.expr = doc;
        this.changed();
      },
      onDiagnostics: (d) => {
        this.diagnostics = d;
        this.showMessages(this.outcome.warnings, this.outcome.error);
      },
    });
    this.drawTabs();
  }

  private historyMenu(): HTMLElement {
    const list = h("ul");
    const details = h("details", { className: "history" }, h("summary", { role: "button" }, "History"), list);
    details.addEventListener("toggle", () => {
      if (!details.open) return;
      const items = loadHistory();
      mount(list, items.length === 0 ? h("li", { className: "muted" }, "No queries yet") : items.map((expr) =>
        h("li", null, h("button", {
          type: "button",
          onclick: () => {
            this.editor.dispatch({ changes: { from: 0, to: this.editor.state.doc.length, insert: expr } });
            details.open = false;
            this.editor.focus();
          },
        }, expr))));
    });
    return details;
  }

  private drawTabs(): void {
    const tab = (name: "table" | "graph", label: string) =>
      h("button", {
        type: "button",
        role: "tab",
        "aria-selected": String(this.state.tab === name),
        onclick: () => {
          this.state.tab = name;
          this.changed();
          this.drawTabs();
          if (this.state.expr.trim() !== "") void this.run();
        },
      }, label);
    mount(this.tabs, tab("table", "Table"), tab("graph", "Graph"));
    this.drawControls();
  }

  private timeInput(): HTMLInputElement {
    const input = h("input", {
      type: "text",
      size: 20,
      placeholder: "now",
      "aria-label": this.state.tab === "graph" ? "End time (UTC)" : "Evaluation time (UTC)",
      value: this.state.endMs === null ? "" : formatUrlTime(this.state.endMs),
      onchange: () => {
        const t = input.value.trim() === "" ? null : parseUrlTime(input.value);
        if (t === null && input.value.trim() !== "") {
          input.setCustomValidity("Use YYYY-MM-DD HH:mm:ss (UTC), RFC 3339 or Unix seconds");
          input.reportValidity();
          return;
        }
        input.setCustomValidity("");
        this.state.endMs = t;
        this.changed();
        void this.run();
      },
    });
    return input;
  }

  private drawControls(): void {
    if (this.state.tab === "table") {
      mount(this.controls, h("label", null, "Evaluation time ", this.timeInput()));
      return;
    }
    const s = this.state;
    const range = h("input", {
      type: "text", size: 6, value: formatDuration(s.rangeMs), "aria-label": "Range",
      onchange: () => {
        try {
          s.rangeMs = parseDuration(range.value.trim());
        } catch {
          range.value = formatDuration(s.rangeMs);
          return;
        }
        this.changed();
        void this.run();
      },
    });
    const shift = (dir: 1 | -1) => () => {
      s.rangeMs = shiftRange(s.rangeMs, dir);
      range.value = formatDuration(s.rangeMs);
      this.changed();
      void this.run();
    };
    const step = h("input", {
      type: "text", size: 6, placeholder: "auto", "aria-label": "Resolution (seconds)", value: s.stepS === null ? "" : String(s.stepS),
      onchange: () => {
        const v = Number(step.value);
        s.stepS = step.value.trim() !== "" && Number.isFinite(v) && v > 0 ? v : null;
        this.changed();
        void this.run();
      },
    });
    const stacked = h("button", {
      type: "button", "aria-pressed": String(s.displayMode === "stacked"),
      onclick: () => {
        s.displayMode = s.displayMode === "stacked" ? "lines" : "stacked";
        stacked.setAttribute("aria-pressed", String(s.displayMode === "stacked"));
        this.changed();
        void this.run();
      },
    }, "Stacked");
    mount(this.controls,
      h("button", { type: "button", "aria-label": "Shorter range", onclick: shift(-1) }, "−"),
      range,
      h("button", { type: "button", "aria-label": "Longer range", onclick: shift(1) }, "+"),
      h("label", null, "End ", this.timeInput()),
      h("label", null, "Step ", step),
      stacked);
  }

  private showMessages(warnings: string[], error: unknown): void {
    this.outcome = { warnings, error };
    const doc = this.editor?.state.doc.toString() ?? "";
    mount(this.messages,
      this.diagnostics.length > 0 && h("ul", { className: "diagnostics" }, this.diagnostics.map((d) =>
        h("li", { className: d.severity === "error" ? "error" : "warning" }, `${position(doc, d.from)}: ${d.message}`))),
      warnings.map((w) => h("div", { className: "warning" }, `Warning: ${w}`)),
      error !== null && error !== undefined && errorView(error, () => void this.run()));
  }

  async run(): Promise<void> {
    const expr = this.editor.state.doc.toString().trim();
    this.state.expr = expr;
    this.changed();
    if (this.disposeGraph) this.disposeGraph();
    this.disposeGraph = undefined;
    if (expr === "") {
      mount(this.result);
      return;
    }
    remember(expr);
    const run = ++this.lastRun;
    const started = performance.now();
    mount(this.result, h("p", { className: "muted" }, "Loading…"));
    try {
      const s = this.state;
      const endMs = s.endMs ?? Date.now();
      if (s.tab === "table") {
        const res = await prom<Result>("/api/v1/query", { query: expr, time: endMs / 1000 });
        if (run !== this.lastRun) return;
        this.showMessages([...(res.warnings ?? []), ...(res.infos ?? [])], null);
        mount(this.result, h("p", { className: "muted stats" }, `Load time: ${Math.round(performance.now() - started)} ms · Result series: ${Array.isArray(res.data.result) && res.data.resultType !== "scalar" && res.data.resultType !== "string" ? res.data.result.length : 1}`), resultTable(res.data));
        return;
      }
      const endS = Math.floor(endMs / 1000);
      const stepS = s.stepS ?? autoStepSeconds(s.rangeMs);
      const startS = endS - s.rangeMs / 1000;
      const res = await prom<Result>("/api/v1/query_range", { query: expr, start: startS, end: endS, step: stepS });
      if (run !== this.lastRun) return;
      this.showMessages([...(res.warnings ?? []), ...(res.infos ?? [])], null);
      if (res.data.resultType !== "matrix") throw new Error(`expected a range vector result, got ${res.data.resultType}`);
      const graphEl = h("div", { className: "graph", "data-testid": "graph" });
      mount(this.result, h("p", { className: "muted stats" }, `Load time: ${Math.round(performance.now() - started)} ms · Resolution: ${stepS}s · Result series: ${res.data.result.length}`), graphEl);
      if (res.data.result.length === 0) {
        mount(graphEl, h("p", { className: "muted" }, "Empty query result"));
        return;
      }
      let disposePlot: (() => void) | undefined;
      const draw = () => {
        disposePlot?.();
        mount(graphEl);
        disposePlot = drawGraph(graphEl, {
          series: (res.data as { result: MatrixSeries[] }).result,
          startS, endS, stepS,
          stacked: s.displayMode === "stacked",
          onZoom: (a, b) => {
            s.endMs = Math.round(b) * 1000;
            s.rangeMs = Math.max(1000, Math.round(b - a) * 1000);
            this.drawControls();
            this.changed();
            void this.run();
          },
        });
      };
      draw();
      const off = onThemeChange(draw);
      this.disposeGraph = () => {
        off();
        disposePlot?.();
      };
    } catch (e) {
      if (run !== this.lastRun) return;
      mount(this.result);
      this.showMessages([], e);
    }
  }

  focus(): void {
    this.editor.focus();
  }

  destroy(): void {
    this.disposeGraph?.();
    this.editor.destroy();
  }
}

export default function queryPage(root: HTMLElement): () => void {
  const panels: Panel[] = [];
  const list = h("div", { className: "panels" });
  const sync = () => {
    const search = panelsToSearch(panels.map((p) => p.state));
    history.replaceState(null, "", `/query?${search}`);
  };
  const add = (state: PanelState) => {
    const panel: Panel = new Panel(state, sync, () => {
      panels.splice(panels.indexOf(panel), 1);
      panel.destroy();
      panel.el.remove();
      if (panels.length === 0) add(defaultPanel());
      sync();
    });
    panels.push(panel);
    list.appendChild(panel.el);
    return panel;
  };
  mount(root,
    h("h1", { className: "sr-only" }, "Query"),
    list,
    h("button", { type: "button", onclick: () => add(defaultPanel()).focus() }, "Add panel"));
  const initial = parsePanels(location.search);
  for (const s of initial) add(s);
  sync();
  for (const p of panels) if (p.state.expr.trim() !== "") void p.run();
  panels[0]?.focus();
  performance.mark("pyrometer:query-interactive");
  return () => {
    for (const p of panels) p.destroy();
  };
}
