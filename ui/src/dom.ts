/**
 * @module
 * The UI's one component helper: `h(tag, props, ...children)` builds a DOM
 * element. Props that start with `on` and hold a function become event
 * listeners, props the element has become properties, the rest attributes.
 * Pages re-render their part by replacing children (`mount`). No virtual DOM:
 * the pages are small and redraw on data, not on every keystroke.
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener);
    else if (k === "style" && typeof v === "string") el.setAttribute("style", v);
    else if (k in el && !k.includes("-")) (el as unknown as Props)[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces `el`'s children. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** `a="b", c="d"` chips for a label set. */
export function labelChips(labels: Record<string, string>): HTMLElement {
  return h(
    "span",
    { className: "labels" },
    Object.keys(labels)
      .sort()
      .map((k) => h("span", { className: "label" }, `${k}="${labels[k]}"`)),
  );
}

export function formatTime(t: string | number | undefined): string {
  if (t === undefined || t === "" || t === "0001-01-01T00:00:00Z") return "never";
  const d = typeof t === "number" ? new Date(t) : new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function ago(t: string | undefined): string {
  if (!t || t.startsWith("0001-")) return "never";
  const s = (Date.now() - new Date(t).getTime()) / 1000;
  if (!Number.isFinite(s)) return String(t);
  if (s < 60) return `${Math.max(0, Math.round(s))}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
