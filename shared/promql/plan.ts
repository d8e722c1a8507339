/**
 * @module
 * Query planning for storage: before evaluating, the engine finds every
 * selector of the expression and the time range it will read (through
 * offsets, `@`, ranges, lookback and subqueries, as Prometheus's
 * FindMinMaxTime does), so a storage that can answer several selections in
 * one round trip (`Querier.selectMany`) is asked once per query rather than
 * once per selector. Ranges are supersets: the engine trims what it reads.
 */
import type { Matcher } from "../labels/matcher.ts";
import type { DurationExpr, Expr, StartOrEnd } from "./ast.ts";
import { children } from "./ast.ts";
import { evalDurationExpr } from "./duration.ts";
import type { SelectRequest } from "../tsdb/querier.ts";

export interface PlanSettings {
  /** Query start and end (ms). */
  start: number;
  end: number;
  /** Query step (ms, 0 for an instant query). */
  step: number;
  lookback: number;
}

/** A canonical key for a matcher list (order-sensitive, as parsed). */
export function matchersKey(ms: readonly Matcher[]): string {
  let k = "";
  for (const m of ms) k += `${m.name}\u0000${m.type}\u0000${m.value}\u0001`;
  return k;
}

interface Modified {
  timestamp?: number;
  startOrEnd?: StartOrEnd;
  offset: number;
  offsetExpr?: DurationExpr;
}

/**
 * The selections an expression makes, one per distinct matcher list, each
 * with the union of the ranges it is read at. Selectors whose range cannot be
 * worked out statically (a duration expression that fails) are left out: the
 * engine then reads them itself and reports the error.
 */
export function planSelections(expr: Expr, s: PlanSettings): SelectRequest[] {
  const byKey = new Map<string, SelectRequest>();
  const add = (matchers: readonly Matcher[], start: number, end: number) => {
    if (!(start <= end)) return;
    const key = matchersKey(matchers);
    const r = byKey.get(key);
    if (r === undefined) byKey.set(key, { matchers, hints: { start, end } });
    else r.hints = { start: Math.min(r.hints.start, start), end: Math.max(r.hints.end, end) };
  };
  const dur = (e: DurationExpr) => evalDurationExpr(e, { step: s.step, range: s.end - s.start, start: s.start, end: s.end });
  // The reference times of a node evaluated at times in [from, to].
  const refs = (n: Modified, from: number, to: number): [number, number] => {
    const offset = n.offsetExpr !== undefined ? dur(n.offsetExpr) : n.offset;
    const at = n.timestamp ?? (n.startOrEnd === "start" ? s.start : n.startOrEnd === "end" ? s.end : undefined);
    return at !== undefined ? [at - offset, at - offset] : [from - offset, to - offset];
  };
  const walk = (e: Expr, from: number, to: number): void => {
    try {
      switch (e.type) {
        case "VectorSelector": {
          const [lo, hi] = refs(e, from, to);
          add(e.matchers, lo - s.lookback + 1, hi + (e.smoothed === true ? s.lookback : 0));
          return;
        }
        case "MatrixSelector": {
          const vs = e.vectorSelector;
          const range = e.rangeExpr !== undefined ? dur(e.rangeExpr) : e.range;
          const extra = vs.anchored === true || vs.smoothed === true ? s.lookback : 0;
          const [lo, hi] = refs(vs, from, to);
          add(vs.matchers, lo - range - extra + 1, hi + (vs.smoothed === true ? extra : 0));
          return;
        }
        case "SubqueryExpr": {
          const range = e.rangeExpr !== undefined ? dur(e.rangeExpr) : e.range;
          const [lo, hi] = refs(e, from, to);
          walk(e.expr, lo - range, hi);
          return;
        }
        case "Call":
          // info()'s second argument only filters; its own lookup is made by the engine.
          for (const c of e.func.name === "info" ? e.args.slice(0, 1) : e.args) walk(c, from, to);
          return;
        default:
          for (const c of children(e)) walk(c, from, to);
      }
    } catch {
      // Left to the engine, which reports the error where it evaluates.
    }
  };
  walk(expr, s.start, s.end);
  return [...byKey.values()];
}
