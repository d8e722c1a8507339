/**
 * @module
 * The routing tree (dispatch.Route): options inherited from the parent,
 * depth-first matching with `continue`, group labels (`group_by`, `...`) and
 * the group key as Alertmanager writes it (`{}/{team="a"}:{alertname="X"}`).
 */
import type { Matcher } from "../labels/matcher.ts";
import { DEFAULTS } from "./config.ts";
import type { RouteConfig } from "./config.ts";
import { labelSetString, matchersString, matchesAll } from "./matchers.ts";
import type { LabelSet } from "./matchers.ts";

export interface RouteOpts {
  receiver: string;
  groupBy: string[];
  groupByAll: boolean;
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
}

export interface Route {
  key: string;
  matchers: Matcher[];
  continue: boolean;
  opts: RouteOpts;
  routes: Route[];
}

/** Builds the runtime tree; children inherit unset options (time intervals are never inherited). */
export function buildRoute(c: RouteConfig, parent?: Route): Route {
  const p = parent?.opts;
  const opts: RouteOpts = {
    receiver: c.receiver || (p?.receiver ?? ""),
    groupBy: c.groupBy ?? p?.groupBy ?? [],
    groupByAll: c.groupBy !== undefined ? c.groupByAll : (p?.groupByAll ?? false),
    groupWait: c.groupWait ?? p?.groupWait ?? DEFAULTS.groupWait,
    groupInterval: c.groupInterval ?? p?.groupInterval ?? DEFAULTS.groupInterval,
    repeatInterval: c.repeatInterval ?? p?.repeatInterval ?? DEFAULTS.repeatInterval,
    muteTimeIntervals: c.muteTimeIntervals,
    activeTimeIntervals: c.activeTimeIntervals,
  };
  const route: Route = {
    key: (parent ? parent.key + "/" : "") + matchersString(c.matchers),
    matchers: c.matchers,
    continue: c.continue,
    opts,
    routes: [],
  };
  route.routes = c.routes.map((child) => buildRoute(child, route));
  return route;
}

/** Route.Match: the routes an alert goes to (its deepest matches, siblings only with `continue`). */
export function matchRoutes(r: Route, ls: LabelSet): Route[] {
  if (!matchesAll(r.matchers, ls)) return [];
  const all: Route[] = [];
  for (const child of r.routes) {
    const m = matchRoutes(child, ls);
    all.push(...m);
    if (m.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [r];
}

/** Every route of the tree by key. */
export function routesByKey(r: Route, out = new Map<string, Route>()): Map<string, Route> {
  out.set(r.key, r);
  for (const c of r.routes) routesByKey(c, out);
  return out;
}

export function groupLabels(opts: RouteOpts, ls: LabelSet): LabelSet {
  if (opts.groupByAll) return { ...ls };
  const out: LabelSet = {};
  for (const l of opts.groupBy) if (l in ls) out[l] = ls[l]!;
  return out;
}

/** The aggregation group's key: route key, `:`, group labels. */
export function groupKey(r: Route, groupLbls: LabelSet): string {
  return `${r.key}:${labelSetString(groupLbls)}`;
}
