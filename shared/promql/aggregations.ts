/**
 * @module
 * Aggregation operators over step series: groups are formed once per series
 * (labels do not change between steps), then values are folded step by step.
 */
import type { Labels } from "../labels/labels.ts";
import { METRIC_NAME, labelsHash, labelsKey, withLabel } from "../labels/labels.ts";
import type { AggregateOp } from "./ast.ts";
import { kahanInc, quantileOf } from "./functions.ts";
import { formatGoFloatFixed } from "../format/go-float.ts";
import type { StepSeries } from "./value.ts";
import { heapSelect } from "./topk-heap.ts";
import { EvalError, SeriesCollector, newStepSeries } from "./value.ts";

export interface Grouping {
  readonly labels: readonly string[];
  readonly without: boolean;
}

/** The labels a series contributes to its group (`by` keeps, `without` drops, also `__name__`). */
export function groupLabels(ls: Labels, g: Grouping): Labels {
  if (g.without) return ls.filter((l) => l.name !== METRIC_NAME && !g.labels.includes(l.name));
  return ls.filter((l) => g.labels.includes(l.name));
}

interface Group {
  labels: Labels;
  members: StepSeries[];
  dropName: boolean;
}

function formGroups(input: readonly StepSeries[], g: Grouping): Group[] {
  const byKey = new Map<string, Group>();
  const groups: Group[] = [];
  for (const s of input) {
    const ls = groupLabels(s.labels, g);
    const key = labelsKey(ls);
    let grp = byKey.get(key);
    if (grp === undefined) {
      grp = { labels: ls, members: [], dropName: false };
      byKey.set(key, grp);
      groups.push(grp);
    }
    grp.members.push(s);
    // A kept __name__ still goes at the end if any member was to lose it.
    if (s.dropName) grp.dropName = true;
  }
  for (const grp of groups) if (!grp.labels.some((l) => l.name === METRIC_NAME)) grp.dropName = false;
  return groups;
}

/** sum, avg, count, group, min, max, stddev, stdvar: one fold per group and step. */
function foldGroup(op: AggregateOp, grp: Group, n: number): StepSeries {
  const out = newStepSeries(grp.labels, n, grp.dropName);
  const count = new Float64Array(n);
  const c = new Float64Array(n);
  const mean = new Float64Array(n);
  const incremental = new Uint8Array(n);
  const { v, has } = out;
  for (const s of grp.members) {
    for (let i = 0; i < n; i++) {
      if (s.has[i] !== 1) continue;
      const f = s.v[i]!;
      if (has[i] !== 1) {
        has[i] = 1;
        count[i] = 1;
        switch (op) {
          case "count":
          case "group":
            v[i] = 1;
            break;
          case "stddev":
          case "stdvar":
            // The general update from an empty state, so NaN and Inf propagate.
            mean[i] = f;
            v[i] = f * (f - f);
            break;
          default:
            v[i] = f;
        }
        continue;
      }
      const k = ++count[i]!;
      switch (op) {
        case "sum": {
          // kahanInc inlined: this loop runs once per input point.
          const sum = v[i]!;
          const t = sum + f;
          if (t === Infinity || t === -Infinity) c[i] = 0;
          else if (Math.abs(sum) >= Math.abs(f)) c[i] = c[i]! + ((sum - t) + f);
          else c[i] = c[i]! + ((f - t) + sum);
          v[i] = t;
          break;
        }
        case "avg": {
          // Direct mean while the sum is finite, incremental mean once it would overflow.
          if (incremental[i] !== 1) {
            const [t, cc] = kahanInc(f, v[i]!, c[i]!);
            if (t !== Infinity && t !== -Infinity) {
              v[i] = t;
              c[i] = cc;
              break;
            }
            incremental[i] = 1;
            mean[i] = v[i]! / (k - 1);
            c[i] = c[i]! / (k - 1);
          }
          const q = (k - 1) / k;
          const [m, cc] = kahanInc(f / k, q * mean[i]!, q * c[i]!);
          mean[i] = m;
          c[i] = cc;
          break;
        }
        case "count":
          v[i] = k;
          break;
        case "group":
          break;
        case "min":
          if (v[i]! > f || v[i] !== v[i]) v[i] = f;
          break;
        case "max":
          if (v[i]! < f || v[i] !== v[i]) v[i] = f;
          break;
        case "stddev":
        case "stdvar": {
          const delta = f - (mean[i]! + c[i]!);
          const [m, cc] = kahanInc(delta / k, mean[i]!, c[i]!);
          mean[i] = m;
          c[i] = cc;
          v[i] = v[i]! + delta * (f - (m + cc));
          break;
        }
        default:
          throw new EvalError(`aggregation ${op} is not a fold`);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (has[i] !== 1) continue;
    switch (op) {
      case "sum":
        v[i] = v[i]! + c[i]!;
        break;
      case "avg":
        v[i] = incremental[i] === 1 ? mean[i]! + c[i]! : v[i]! / count[i]! + c[i]! / count[i]!;
        break;
      case "stdvar":
        v[i] = v[i]! / count[i]!;
        break;
      case "stddev":
        v[i] = Math.sqrt(v[i]! / count[i]!);
        break;
    }
  }
  return out;
}

export interface AggregateParams {
  /** Per-step scalar parameter (topk, bottomk, quantile, limitk, limit_ratio). */
  readonly scalar?: Float64Array;
  /** count_values's label name. */
  readonly label?: string;
  /** Reports a warning about the parameter (invalid quantile or ratio). */
  readonly warn: (text: string) => void;
  readonly annotationTexts: { invalidQuantile: (q: number) => string; invalidRatio: (r: number, to: number) => string };
}

/**
 * Aggregates step series. For the per-step selection operators (topk,
 * bottomk, limitk, limit_ratio) the output keeps the members' own labels;
 * at a single step (instant query) the output order is the result order.
 */
export function aggregate(op: AggregateOp, input: readonly StepSeries[], grouping: Grouping, n: number, p: AggregateParams): StepSeries[] {
  const groups = formGroups(input, grouping);
  switch (op) {
    case "sum":
    case "avg":
    case "count":
    case "group":
    case "min":
    case "max":
    case "stddev":
    case "stdvar":
      return groups.map((g) => foldGroup(op, g, n));
    case "quantile":
      return quantileGroups(groups, n, p);
    case "topk":
    case "bottomk":
    case "limitk":
      return selectK(op, groups, n, p);
    case "limit_ratio":
      return limitRatio(groups, n, p);
    case "count_values":
      return countValues(groups, n, p.label!);
  }
}

function quantileGroups(groups: Group[], n: number, p: AggregateParams): StepSeries[] {
  const q = p.scalar!;
  for (let i = 0; i < n; i++) {
    const qi = q[i]!;
    if (qi !== qi || qi < 0 || qi > 1) p.warn(p.annotationTexts.invalidQuantile(qi));
  }
  return groups.map((g) => {
    const out = newStepSeries(g.labels, n, g.dropName);
    for (let i = 0; i < n; i++) {
      const vals: number[] = [];
      for (const s of g.members) if (s.has[i] === 1) vals.push(s.v[i]!);
      if (vals.length === 0) continue;
      out.has[i] = 1;
      out.v[i] = quantileOf(q[i]!, Float64Array.from(vals));
    }
    return out;
  });
}

/** Converts topk/bottomk/limitk's parameter to an integer, with Prometheus's errors. */
function kParam(f: number): number {
  if (f !== f) throw new EvalError("Parameter value is NaN");
  if (f >= 9.223372036854775807e18) throw new EvalError(`Scalar value ${f} overflows int64`);
  if (f <= -9.223372036854775808e18) throw new EvalError(`Scalar value ${f} underflows int64`);
  return Math.trunc(f);
}

function selectK(op: "topk" | "bottomk" | "limitk", groups: Group[], n: number, p: AggregateParams): StepSeries[] {
  const kAt = new Float64Array(n);
  for (let i = 0; i < n; i++) kAt[i] = kParam(p.scalar![i]!);
  // Output keyed by member series; an instant query keeps the selection order.
  const outOf = new Map<StepSeries, StepSeries>();
  const order: StepSeries[] = [];
  for (const g of groups) {
    for (let i = 0; i < n; i++) {
      const k = kAt[i]!;
      if (k < 1) continue;
      const present = g.members.filter((s) => s.has[i] === 1);
      const chosen = op === "limitk" ? present.slice(0, k) : heapSelect(op, present, (s) => s.v[i]!, k);
      for (const s of chosen) {
        let o = outOf.get(s);
        if (o === undefined) {
          o = newStepSeries(s.labels, n, s.dropName);
          outOf.set(s, o);
          order.push(o);
        }
        o.has[i] = 1;
        o.v[i] = s.v[i]!;
      }
    }
  }
  return order;
}

/** A stable pseudo-random position in [0, 1) per label set, so limit_ratio(r) and limit_ratio(r-1) complement. */
function sampleOffset(ls: Labels): number {
  return labelsHash(ls) / 4294967296;
}

function limitRatio(groups: Group[], n: number, p: AggregateParams): StepSeries[] {
  const out: StepSeries[] = [];
  const ratios = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let r = p.scalar![i]!;
    if (r !== r) throw new EvalError("Ratio value is NaN");
    if (r > 1 || r < -1) {
      const to = r > 1 ? 1 : -1;
      p.warn(p.annotationTexts.invalidRatio(r, to));
      r = to;
    }
    ratios[i] = r;
  }
  for (const g of groups) {
    for (const s of g.members) {
      const off = sampleOffset(s.labels);
      let o: StepSeries | undefined;
      for (let i = 0; i < n; i++) {
        if (s.has[i] !== 1) continue;
        const r = ratios[i]!;
        const keep = r >= 0 ? off < r : off >= 1 + r;
        if (!keep) continue;
        if (o === undefined) {
          o = newStepSeries(s.labels, n, s.dropName);
          out.push(o);
        }
        o.has[i] = 1;
        o.v[i] = s.v[i]!;
      }
    }
  }
  return out;
}

function countValues(groups: Group[], n: number, label: string): StepSeries[] {
  const col = new SeriesCollector(n);
  const counts = new Map<string, { labels: Labels; c: Float64Array; has: Uint8Array }>();
  for (const g of groups) {
    for (const s of g.members) {
      for (let i = 0; i < n; i++) {
        if (s.has[i] !== 1) continue;
        const ls = withLabel(g.labels, label, formatGoFloatFixed(s.v[i]!));
        const key = labelsKey(ls);
        let e = counts.get(key);
        if (e === undefined) {
          e = { labels: ls, c: new Float64Array(n), has: new Uint8Array(n) };
          counts.set(key, e);
        }
        e.c[i] = e.c[i]! + 1;
        e.has[i] = 1;
      }
    }
  }
  for (const [key, e] of counts) for (let i = 0; i < n; i++) if (e.has[i] === 1) col.add(e.labels, key, i, e.c[i]!, false);
  return col.series;
}
