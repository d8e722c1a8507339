/**
 * @module
 * The single-page app's shell: a router over Prometheus's UI paths, the
 * navigation bar, and the theme. Pages load on demand (dynamic import), so
 * the public status page never downloads the PromQL editor.
 */
import "./style.css";
import { h, mount } from "./dom.ts";
import { applyTheme, toggleTheme, currentTheme } from "./theme.ts";

/** A page draws into `root` and may return a cleanup for when the user leaves. */
export type Page = (root: HTMLElement) => void | (() => void);

interface Route {
  path: string;
  title: string;
  nav: boolean;
  load: () => Promise<{ default: Page }>;
}

const routes: Route[] = [
  { path: "/query", title: "Query", nav: true, load: () => import("./pages/query.ts") },
  { path: "/alerts", title: "Alerts", nav: true, load: () => import("./pages/alerts.ts") },
  { path: "/rules", title: "Rules", nav: true, load: () => import("./pages/rules.ts") },
  { path: "/targets", title: "Targets", nav: true, load: () => import("./pages/targets.ts") },
  { path: "/service-discovery", title: "Service discovery", nav: true, load: () => import("./pages/service-discovery.ts") },
  { path: "/alertmanager", title: "Alertmanager", nav: true, load: () => import("./pages/alertmanager.ts") },
  { path: "/config", title: "Config", nav: true, load: () => import("./pages/config.ts") },
  { path: "/flags", title: "Flags", nav: true, load: () => import("./pages/flags.ts") },
  { path: "/runtime", title: "Runtime & build", nav: true, load: () => import("./pages/runtime.ts") },
  { path: "/tsdb-status", title: "TSDB status", nav: true, load: () => import("./pages/tsdb-status.ts") },
  { path: "/status", title: "Status", nav: true, load: () => import("./pages/status-page.ts") },
];

const app = document.getElementById("app")!;
let cleanup: (() => void) | void;

function routeFor(path: string): Route | undefined {
  if (path === "/" || path === "/graph") return routes[0];
  return routes.find((r) => r.path === path);
}

function navBar(active: string): HTMLElement {
  return h("header", { className: "topbar" },
    h("a", { className: "brand", href: "/query" }, "Pyrometer"),
    h("nav", { "aria-label": "Main" },
      routes.filter((r) => r.nav).map((r) =>
        h("a", { href: r.path, "aria-current": r.path === active ? "page" : undefined }, r.title))),
    h("button", {
      type: "button",
      className: "theme-toggle",
      "aria-label": "Switch light/dark theme",
      onclick: (e: Event) => {
        toggleTheme();
        (e.currentTarget as HTMLElement).textContent = currentTheme() === "dark" ? "Light theme" : "Dark theme";
      },
    }, currentTheme() === "dark" ? "Light theme" : "Dark theme"),
  );
}

async function render(): Promise<void> {
  if (cleanup) cleanup();
  cleanup = undefined;
  const route = routeFor(location.pathname);
  const main = h("main", { id: "main" });
  // The public status page stands alone: no navigation into the private pages.
  const publicPage = location.pathname === "/status";
  mount(app, publicPage ? null : navBar(route?.path ?? ""), main);
  if (!route) {
    document.title = "Not found · Pyrometer";
    mount(main, h("h1", null, "Not found"), h("p", null, `No page at ${location.pathname}. `, h("a", { href: "/query" }, "Go to the query page")));
    return;
  }
  document.title = `${route.title} · Pyrometer`;
  const page = (await route.load()).default;
  cleanup = page(main);
}

/** Client-side navigation for same-origin links to the app's own pages. */
document.addEventListener("click", (e) => {
  const a = (e.target as Element).closest?.("a");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !routeFor(url.pathname)) return;
  e.preventDefault();
  history.pushState(null, "", url);
  void render();
});
window.addEventListener("popstate", () => void render());

applyTheme();
void render();
