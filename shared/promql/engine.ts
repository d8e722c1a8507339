/**
 * @module
 * The PromQL engine. Every expression is evaluated once over the whole step
 * grid of the query ("series-wise"): instant vectors become step series
 * (labels plus one value slot per step), range functions slide their window
 * along each series, and subqueries evaluate their inner expression on their
 * own aligned grid. An instant query is a grid of one step.
 */
import type { Labels } from "../labels/labels.ts";
import { METRIC_NAME, compareLabels, getLabel, withLabel } from "../labels/labels.ts";
import type { Matcher } from "../labels/matcher.ts";
import type { Querier, SelectHints, SeriesData } from "../tsdb/querier.ts";
import { lowerBound } from "../tsdb/memory-samples.ts";
import { matchersKey, planSelections } from "./plan.ts";
import { isStaleNaN } from "../tsdb/querier.ts";
import type { AggregateExpr, BinaryExpr, Call, DurationExpr, Expr, NumberLiteral, MatrixSelector, PosRange, StartOrEnd, SubqueryExpr, VectorSelector } from "./ast.ts";
import { exprType } from "./ast.ts";
import { Annotations, ann } from "./annotations.ts";
import { aggregate } from "./aggregations.ts";
import { isSetOp, mergeByLabels, scalarBinop, vectorBinop, vectorScalarBinop } from "./binary-ops.ts";
import { evalDurationExpr } from "./duration.ts";
import { ANCHORED_FUNCTIONS, SMOOTHED_FUNCTIONS } from "./functions-registry.ts";
import type { RangeWindow } from "./functions.ts";
import { DATE_FUNCTIONS, RANGE_FUNCTIONS, SIMPLE_FUNCTIONS, dateOf, firstAfter, resetPrefix, roundTo } from "./functions.ts";
import { bucketGroups, classicFractions, classicQuantiles } from "./functions/classic-histogram.ts";
import { enrichWithInfo, infoNameMatchers } from "./functions/info.ts";
import { sortInstant } from "./functions/sort.ts";
import { isValidLabelName, labelJoin, labelReplace } from "./functions/label-functions.ts";
import { goQuote } from "./printer.ts";
import { parseExpr } from "./parser.ts";
import { checkEvalDepth } from "./depth.ts";
import type { Matrix, MatrixSeries, QueryResult, QueryValue, StepSeries, VectorSample } from "./value.ts";
import { EvalError, QueryTimeoutError, TooManySamplesError, checkRangeSteps, newStepSeries } from "./value.ts";

export interface EngineOptions {
  /** ms; default 5m. */
  lookbackDelta?: number;
  /** ms; default 2m. */
  timeoutMs?: number;
  /** Default 50,000,000. */
  maxSamples?: number;
  /** Step of subqueries written without one (`x[5m:]`), ms; default 1m. */
  defaultSubqueryStep?: number;
}

export interface QueryOptions {
  /** Overrides the engine's lookback delta for this query (ms). */
  lookbackDelta?: number;
  /** Lowers the engine's timeout for this query (ms), as the API's `timeout` parameter does. */
  timeoutMs?: number;
  /** Filled in with where the query's time went (the API's `stats` parameter). */
  stats?: EngineStats;
}

/** Per-phase figures of one query (ms of wall time; counts). */
export interface EngineStats {
  parseMs: number;
  /** Planning plus the one batched read of every selector (Querier.selectMany). */
  prefetchMs: number;
  /** Evaluation, including any read the plan did not cover. */
  evalMs: number;
  /** Selections made in the batch, and reads made during evaluation (not covered by it). */
  prefetchedSelections: number;
  extraSelects: number;
  /** Samples handed to the engine by storage. */
  samplesRead: number;
}

export function newEngineStats(): EngineStats {
  return { parseMs: 0, prefetchMs: 0, evalMs: 0, prefetchedSelections: 0, extraSelects: 0, samplesRead: 0 };
}

/** The evaluation grid: steps start, start+step, ... (n of them). */
interface Grid {
  readonly start: number;
  readonly step: number;
  readonly n: number;
}

type Val =
  | { kind: "scalar"; v: Float64Array }
  | { kind: "string"; s: string }
  | { kind: "vector"; series: StepSeries[] }
  | { kind: "matrix"; src: RangeSource };

/** A series' samples (stale markers removed) backing a range argument. */
interface RawSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  /** Start timestamps from storage; subqueries have none (they do not propagate them). */
  st?: Float64Array;
  dropName: boolean;
}

/** What a range function reads: the samples plus, per step, where its window ends. */
interface RangeSource {
  series: RawSeries[];
  /** Window end (ms) per step, after `@` and offset. */
  refs: Float64Array;
  range: number;
  anchored: boolean;
  smoothed: boolean;
}

/** Something carrying `@` and `offset` modifiers. */
interface Modified {
  timestamp?: number;
  startOrEnd?: StartOrEnd;
  offset: number;
  offsetExpr?: DurationExpr;
}

const METADATA_LABELS = new Set([METRIC_NAME, "__type__", "__unit__"]);

function dropMetadata(ls: Labels): Labels {
  return ls.filter((l) => !METADATA_LABELS.has(l.name));
}

/** The value of a string-literal argument (possibly parenthesised). */
function stringArg(e: Expr): string {
  const u = unwrapParens(e);
  if (u.type !== "StringLiteral") throw new EvalError(`expected a string literal, got ${u.type}`);
  return u.val;
}

function unwrapParens(e: Expr): Expr {
  while (e.type === "ParenExpr") e = e.expr;
  return e;
}

export class Engine {
  readonly lookbackDelta: number;
  readonly timeoutMs: number;
  readonly maxSamples: number;
  readonly defaultSubqueryStep: number;

  constructor(opts: EngineOptions = {}) {
    this.lookbackDelta = opts.lookbackDelta ?? 5 * 60_000;
    this.timeoutMs = opts.timeoutMs ?? 2 * 60_000;
    this.maxSamples = opts.maxSamples ?? 50_000_000;
    this.defaultSubqueryStep = opts.defaultSubqueryStep ?? 60_000;
  }

  /**
   * Evaluates `query` at time `t` (ms). Parse errors propagate as ParseError.
   * Annotation positions are rendered against the query text, so pass text
   * rather than an AST when the positions matter.
   */
  async instant(querier: Querier, query: string | Expr, t: number, opts: QueryOptions = {}): Promise<QueryResult> {
    return this.#run(querier, query, t, t, 0, opts);
  }

  /** Evaluates `query` at start, start+step, ..., end (ms) and returns a matrix. */
  async range(querier: Querier, query: string | Expr, start: number, end: number, step: number, opts: QueryOptions = {}): Promise<QueryResult> {
    // The HTTP API checks this too; here it also keeps other callers from allocating huge grids.
    checkRangeSteps(start, end, step);
    return this.#run(querier, query, start, end, step, opts);
  }

  async #run(querier: Querier, query: string | Expr, start: number, end: number, step: number, opts: QueryOptions): Promise<QueryResult> {
    const stats = opts.stats ?? newEngineStats();
    let t0 = performance.now();
    const expr = typeof query === "string" ? parseExpr(query) : query;
    checkEvalDepth(expr);
    const isRange = step > 0;
    const settings: EvalSettings = {
      lookback: opts.lookbackDelta ?? this.lookbackDelta,
      deadline: Date.now() + Math.min(this.timeoutMs, opts.timeoutMs ?? Infinity),
      maxSamples: this.maxSamples,
      defaultSubqueryStep: this.defaultSubqueryStep,
      start,
      end,
      step,
      isRange,
    };
    let t1 = performance.now();
    stats.parseMs += t1 - t0;
    t0 = t1;
    let prefetched: Prefetched | undefined;
    if (querier.selectMany !== undefined) {
      const requests = planSelections(expr, { start, end, step, lookback: settings.lookback });
      if (requests.length > 0) {
        const data = await querier.selectMany(requests);
        prefetched = new Map(requests.map((r, i) => [matchersKey(r.matchers), { hints: r.hints, data: data[i]! }]));
        stats.prefetchedSelections += requests.length;
      }
    }
    t1 = performance.now();
    stats.prefetchMs += t1 - t0;
    t0 = t1;
    const ev = new Evaluator(querier, settings, stats, prefetched);
    const grid: Grid = { start, step: isRange ? step : 1, n: isRange ? Math.floor((end - start) / step) + 1 : 1 };
    const val = await ev.eval(expr, grid);
    const rendered = ev.annotations.render(typeof query === "string" ? query : "");
    const result = { value: ev.finish(val, grid), warnings: rendered.warnings, infos: rendered.infos };
    stats.evalMs += performance.now() - t0;
    return result;
  }
}

/** Selections read ahead of evaluation, by matchers key. */
type Prefetched = Map<string, { hints: SelectHints; data: SeriesData[] }>;

/** The series' samples within [start, end] (views); series left without any are dropped. */
function trimSeries(data: readonly SeriesData[], start: number, end: number): SeriesData[] {
  const out: SeriesData[] = [];
  for (const sd of data) {
    const lo = lowerBound(sd.t, sd.t.length, start);
    const hi = firstAfter(sd.t, lo, sd.t.length, end);
    if (hi <= lo) continue;
    if (lo === 0 && hi === sd.t.length) {
      out.push(sd);
      continue;
    }
    const t: SeriesData = { labels: sd.labels, t: sd.t.subarray(lo, hi), v: sd.v.subarray(lo, hi) };
    if (sd.st !== undefined) t.st = sd.st.subarray(lo, hi);
    out.push(t);
  }
  return out;
}

interface EvalSettings {
  lookback: number;
  deadline: number;
  maxSamples: number;
  defaultSubqueryStep: number;
  start: number;
  end: number;
  step: number;
  isRange: boolean;
}

class Evaluator {
  readonly annotations = new Annotations();
  readonly #q: Querier;
  readonly #s: EvalSettings;
  readonly #stats: EngineStats;
  readonly #prefetched: Prefetched | undefined;
  #samples = 0;
  #checks = 0;

  constructor(q: Querier, s: EvalSettings, stats: EngineStats, prefetched?: Prefetched) {
    this.#q = q;
    this.#s = s;
    this.#stats = stats;
    this.#prefetched = prefetched;
  }

  #checkTimeout(): void {
    if ((++this.#checks & 0xff) === 0 && Date.now() > this.#s.deadline) throw new QueryTimeoutError();
  }

  #countSamples(n: number): void {
    this.#samples += n;
    if (this.#samples > this.#s.maxSamples) throw new TooManySamplesError();
  }

  #countPoints(series: readonly StepSeries[]): void {
    let n = 0;
    for (const s of series) for (let i = 0; i < s.has.length; i++) n += s.has[i]!;
    this.#countSamples(n);
  }

  /** Converts the top-level value into the query result, dropping deferred metric names. */
  finish(val: Val, g: Grid): QueryValue {
    const t0 = this.#s.start;
    if (!this.#s.isRange) {
      switch (val.kind) {
        case "scalar":
          return { type: "scalar", t: t0, v: val.v[0]! };
        case "string":
          return { type: "string", t: t0, v: val.s };
        case "vector": {
          const samples: VectorSample[] = [];
          for (const s of cleanup(val.series, g.n)) if (s.has[0] === 1) samples.push({ labels: s.labels, t: t0, v: s.v[0]! });
          return { type: "vector", samples };
        }
        case "matrix":
          return this.#matrixAt(val.src);
      }
    }
    switch (val.kind) {
      case "scalar": {
        const t = new Float64Array(g.n);
        for (let i = 0; i < g.n; i++) t[i] = g.start + i * g.step;
        return { type: "matrix", series: [{ labels: [], t, v: val.v.slice() }] };
      }
      case "vector": {
        const series: MatrixSeries[] = [];
        const kept = cleanup(val.series, g.n);
        // Series present at every step share one timestamp column and keep their values; the
        // others are views into one pair of columns (one allocation, not two per series).
        let fullT: Float64Array | undefined;
        let partial = 0;
        const counts = new Int32Array(kept.length);
        for (let j = 0; j < kept.length; j++) {
          const has = kept[j]!.has;
          let k = 0;
          for (let i = 0; i < g.n; i++) k += has[i]!;
          counts[j] = k;
          if (k < g.n) partial += k;
        }
        const allT = new Float64Array(partial);
        const allV = new Float64Array(partial);
        let off = 0;
        for (let j = 0; j < kept.length; j++) {
          const s = kept[j]!;
          const k = counts[j]!;
          if (k === 0) continue;
          if (k === g.n) {
            if (fullT === undefined) {
              fullT = new Float64Array(g.n);
              for (let i = 0; i < g.n; i++) fullT[i] = g.start + i * g.step;
            }
            series.push({ labels: s.labels, t: fullT, v: s.v });
            continue;
          }
          const from = off;
          for (let i = 0; i < g.n; i++) {
            if (s.has[i] !== 1) continue;
            allT[off] = g.start + i * g.step;
            allV[off++] = s.v[i]!;
          }
          series.push({ labels: s.labels, t: allT.subarray(from, off), v: allV.subarray(from, off) });
        }
        series.sort((a, b) => compareLabels(a.labels, b.labels));
        return { type: "matrix", series };
      }
      default:
        throw new EvalError(`invalid expression type "${val.kind === "matrix" ? "range vector" : "string"}" for range query, must be Scalar or instant Vector`, "bad_data");
    }
  }

  /** An instant query of a range selector or subquery returns its samples in the window. */
  #matrixAt(src: RangeSource): Matrix {
    const ref = src.refs[0]!;
    const series: MatrixSeries[] = [];
    for (const s of src.series) {
      const lo = firstAfter(s.t, 0, s.t.length, ref - src.range);
      const hi = firstAfter(s.t, lo, s.t.length, ref);
      if (hi > lo) series.push({ labels: s.dropName ? dropMetadata(s.labels) : s.labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) });
    }
    series.sort((a, b) => compareLabels(a.labels, b.labels));
    return { type: "matrix", series };
  }

  async eval(e: Expr, g: Grid): Promise<Val> {
    this.#checkTimeout();
    switch (e.type) {
      case "NumberLiteral":
        return { kind: "scalar", v: new Float64Array(g.n).fill(e.val) };
      case "StringLiteral":
        return { kind: "string", s: e.val };
      case "DurationExpr":
        return { kind: "scalar", v: new Float64Array(g.n).fill(this.#durationSeconds(e)) };
      case "ParenExpr":
        return this.eval(e.expr, g);
      case "UnaryExpr": {
        const v = await this.eval(e.expr, g);
        if (e.op === "+") return v;
        if (v.kind === "scalar") return { kind: "scalar", v: v.v.map((x) => -x) };
        if (v.kind === "vector") {
          return { kind: "vector", series: v.series.map((s) => ({ labels: s.labels, v: s.v.map((x) => -x), has: s.has, dropName: true })) };
        }
        throw new EvalError(`unary minus on a ${v.kind}`);
      }
      case "VectorSelector": {
        const series = await this.#vectorSelector(e, g);
        return { kind: "vector", series };
      }
      case "MatrixSelector":
      case "SubqueryExpr":
        return { kind: "matrix", src: await this.#rangeSource(e, g) };
      case "Call":
        return this.#call(e, g);
      case "AggregateExpr":
        return this.#aggregate(e, g);
      case "BinaryExpr":
        return this.#binary(e, g);
    }
  }

  async #vector(e: Expr, g: Grid): Promise<StepSeries[]> {
    const v = await this.eval(e, g);
    if (v.kind !== "vector") throw new EvalError(`expected instant vector, got ${v.kind}`);
    return v.series;
  }

  async #scalar(e: Expr, g: Grid): Promise<Float64Array> {
    const v = await this.eval(e, g);
    if (v.kind !== "scalar") throw new EvalError(`expected scalar, got ${v.kind}`);
    return v.v;
  }

  #duration(e: DurationExpr): number {
    try {
      return evalDurationExpr(e, { step: this.#s.step, range: this.#s.end - this.#s.start, start: this.#s.start, end: this.#s.end });
    } catch (err) {
      throw new EvalError((err as Error).message);
    }
  }

  /**
   * A duration expression used as a number (`min_of(NaN, 3)`): seconds,
   * without the conversion to whole milliseconds, so NaN and Inf pass through.
   */
  #durationSeconds(e: DurationExpr | NumberLiteral): number {
    if (e.type === "NumberLiteral") return e.val;
    switch (e.op) {
      case "step": return this.#s.step / 1000;
      case "range": return (this.#s.end - this.#s.start) / 1000;
      case "start": return this.#s.start / 1000;
      case "end": return this.#s.end / 1000;
    }
    const r = this.#durationSeconds(e.rhs!);
    if (e.lhs === undefined) return e.op === "-" ? -r : r;
    const l = this.#durationSeconds(e.lhs);
    switch (e.op) {
      case "min_of": return l !== l || r !== r ? NaN : Math.min(l, r);
      case "max_of": return l !== l || r !== r ? NaN : Math.max(l, r);
      default: return scalarBinop(e.op, l, r);
    }
  }

  /** The reference time of a selector or subquery at step i: `@` or the step, minus the offset. */
  #refs(node: Modified, g: Grid): Float64Array {
    const refs = new Float64Array(g.n);
    for (let i = 0; i < g.n; i++) refs[i] = this.#refAt(node, g.start + i * g.step);
    return refs;
  }

  #refAt(node: Modified, t: number): number {
    const offset = node.offsetExpr !== undefined ? this.#duration(node.offsetExpr) : node.offset;
    const at = node.timestamp ?? (node.startOrEnd === "start" ? this.#s.start : node.startOrEnd === "end" ? this.#s.end : undefined);
    return (at ?? t) - offset;
  }

  async #select(matchers: readonly Matcher[], mint: number, maxt: number): Promise<SeriesData[]> {
    const hit = this.#prefetched?.get(matchersKey(matchers));
    let res: SeriesData[];
    if (hit !== undefined && hit.hints.start <= mint && hit.hints.end >= maxt) {
      res = hit.hints.start === mint && hit.hints.end === maxt ? hit.data : trimSeries(hit.data, mint, maxt);
    } else {
      this.#stats.extraSelects++;
      res = await this.#q.select(matchers, { start: mint, end: maxt });
    }
    for (const sd of res) this.#stats.samplesRead += sd.t.length;
    if (Date.now() > this.#s.deadline) throw new QueryTimeoutError();
    return res;
  }

  /**
   * `keepSampleT` records each step's sample timestamp (for timestamp()),
   * `keepSampleSt` its start timestamp (for start_timestamp()); both cost memory.
   */
  async #vectorSelector(vs: VectorSelector, g: Grid, keepSampleT = false, keepSampleSt = false): Promise<StepSeries[]> {
    return this.#selectAt(vs.matchers, this.#refs(vs, g), vs.smoothed === true, keepSampleT, keepSampleSt);
  }

  /** The newest sample in (ref - lookback, ref] per step (ref times must not decrease); `smoothed` interpolates to ref. */
  async #selectAt(matchers: readonly Matcher[], refs: Float64Array, smoothed: boolean, keepSampleT: boolean, keepSampleSt = false): Promise<StepSeries[]> {
    const n = refs.length;
    const lookback = this.#s.lookback;
    let minRef = Infinity;
    let maxRef = -Infinity;
    for (let i = 0; i < n; i++) {
      minRef = Math.min(minRef, refs[i]!);
      maxRef = Math.max(maxRef, refs[i]!);
    }
    const data = await this.#select(matchers, minRef - lookback + 1, maxRef + (smoothed ? lookback : 0));
    const out: StepSeries[] = [];
    for (const sd of data) {
      this.#checkTimeout();
      const s = newStepSeries(sd.labels, n, false);
      const sampleT = keepSampleT ? new Float64Array(n) : undefined;
      if (sampleT !== undefined) s.sampleT = sampleT;
      const sampleSt = keepSampleSt ? new Float64Array(n) : undefined;
      if (sampleSt !== undefined) s.sampleSt = sampleSt;
      const { t, v } = sd;
      let j = -1; // index of the newest sample at or before the reference time
      let any = false;
      for (let i = 0; i < n; i++) {
        const ref = refs[i]!;
        while (j + 1 < t.length && t[j + 1]! <= ref) j++;
        if (j < 0 || t[j]! <= ref - lookback || isStaleNaN(v[j]!)) continue;
        let val = v[j]!;
        if (smoothed && t[j]! < ref && j + 1 < t.length && t[j + 1]! < ref + lookback && !isStaleNaN(v[j + 1]!)) {
          val = val + ((v[j + 1]! - val) * (ref - t[j]!)) / (t[j + 1]! - t[j]!);
        }
        s.v[i] = val;
        s.has[i] = 1;
        if (sampleT !== undefined) sampleT[i] = t[j]!;
        if (sampleSt !== undefined) sampleSt[i] = sd.st === undefined ? NaN : sd.st[j]!;
        any = true;
      }
      if (any) out.push(s);
    }
    this.#countPoints(out);
    return out;
  }

  async #rangeSource(e: MatrixSelector | SubqueryExpr, g: Grid): Promise<RangeSource> {
    if (e.type === "MatrixSelector") {
      const vs = e.vectorSelector;
      const range = e.rangeExpr !== undefined ? this.#duration(e.rangeExpr) : e.range;
      const refs = this.#refs(vs, g);
      const anchored = vs.anchored === true;
      const smoothed = vs.smoothed === true;
      const extra = anchored || smoothed ? this.#s.lookback : 0;
      const data = await this.#select(vs.matchers, refs[0]! - range - extra + 1, refs[g.n - 1]! + (smoothed ? extra : 0));
      const series: RawSeries[] = [];
      for (const sd of data) {
        this.#checkTimeout();
        const raw = withoutStale(sd);
        if (raw.t.length > 0) series.push(raw);
      }
      return { series, refs, range, anchored, smoothed };
    }
    return this.#subquery(e, g);
  }

  async #subquery(e: SubqueryExpr, g: Grid): Promise<RangeSource> {
    const range = e.rangeExpr !== undefined ? this.#duration(e.rangeExpr) : e.range;
    let step = e.stepExpr !== undefined ? this.#duration(e.stepExpr) : e.step;
    if (step <= 0) step = this.#s.defaultSubqueryStep;
    const refs = this.#refs(e, g);
    // Inner steps are the multiples of the step (from the epoch) from the first window start on.
    const from = refs[0]! - range;
    let start = step * Math.trunc(from / step);
    if (start < from) start += step;
    const last = refs[g.n - 1]!;
    const n = start > last ? 0 : Math.floor((last - start) / step) + 1;
    // Every inner step holds at least one value per series: refuse grids that cannot fit.
    if (n > this.#s.maxSamples) throw new TooManySamplesError();
    const series: RawSeries[] = [];
    if (n > 0) {
      const inner: Grid = { start, step, n };
      const v = await this.eval(e.expr, inner);
      const stepSeries = v.kind === "scalar" ? [{ labels: [], v: v.v, has: new Uint8Array(n).fill(1), dropName: false }] : v.kind === "vector" ? v.series : [];
      for (const s of stepSeries) {
        let k = 0;
        for (let i = 0; i < n; i++) k += s.has[i]!;
        if (k === 0) continue;
        const t = new Float64Array(k);
        const vals = new Float64Array(k);
        k = 0;
        for (let i = 0; i < n; i++) {
          if (s.has[i] !== 1) continue;
          t[k] = start + i * step;
          vals[k++] = s.v[i]!;
        }
        series.push({ labels: s.labels, t, v: vals, dropName: s.dropName });
      }
    }
    return { series, refs, range, anchored: false, smoothed: false };
  }

  async #call(e: Call, g: Grid): Promise<Val> {
    const name = e.func.name;
    const rf = RANGE_FUNCTIONS.get(name);
    if (rf !== undefined || name === "absent_over_time") return this.#rangeCall(e, g);
    const simple = SIMPLE_FUNCTIONS.get(name);
    if (simple !== undefined) return { kind: "vector", series: mapValues(await this.#vector(e.args[0]!, g), simple) };
    const date = DATE_FUNCTIONS.get(name);
    if (date !== undefined) {
      if (e.args.length === 0) {
        const s = newStepSeries([], g.n, false);
        for (let i = 0; i < g.n; i++) {
          s.v[i] = date(new Date(Math.trunc((g.start + i * g.step) / 1000) * 1000));
          s.has[i] = 1;
        }
        return { kind: "vector", series: [s] };
      }
      return { kind: "vector", series: mapValues(await this.#vector(e.args[0]!, g), (x) => {
        const d = dateOf(x);
        return d === undefined ? NaN : date(d);
      }) };
    }
    switch (name) {
      case "time": {
        const v = new Float64Array(g.n);
        for (let i = 0; i < g.n; i++) v[i] = (g.start + i * g.step) / 1000;
        return { kind: "scalar", v };
      }
      case "pi":
        return { kind: "scalar", v: new Float64Array(g.n).fill(Math.PI) };
      case "vector": {
        const v = await this.#scalar(e.args[0]!, g);
        return { kind: "vector", series: [{ labels: [], v, has: new Uint8Array(g.n).fill(1), dropName: false }] };
      }
      case "scalar": {
        const vec = await this.#vector(e.args[0]!, g);
        const out = new Float64Array(g.n);
        for (let i = 0; i < g.n; i++) {
          let found = 0;
          let val = NaN;
          for (const s of vec) {
            if (s.has[i] !== 1) continue;
            found++;
            val = s.v[i]!;
          }
          out[i] = found === 1 ? val : NaN;
        }
        return { kind: "scalar", v: out };
      }
      case "clamp":
      case "clamp_min":
      case "clamp_max": {
        const vec = await this.#vector(e.args[0]!, g);
        const a = await this.#scalar(e.args[1]!, g);
        const b = name === "clamp" ? await this.#scalar(e.args[2]!, g) : undefined;
        return { kind: "vector", series: mapValuesAt(vec, (x, i) => {
          const lo = name === "clamp_max" ? -Infinity : a[i]!;
          const hi = name === "clamp" ? b![i]! : name === "clamp_max" ? a[i]! : Infinity;
          if (hi < lo) return undefined;
          return Math.max(lo, Math.min(hi, x));
        }) };
      }
      case "round": {
        const vec = await this.#vector(e.args[0]!, g);
        const to = e.args.length > 1 ? await this.#scalar(e.args[1]!, g) : new Float64Array(g.n).fill(1);
        return { kind: "vector", series: mapValuesAt(vec, (x, i) => roundTo(x, to[i]!)) };
      }
      case "timestamp":
        return this.#timestamp(e, g);
      case "start_timestamp":
        return this.#startTimestamp(e, g);
      case "absent":
        return this.#absent(e, await this.#vector(e.args[0]!, g), g);
      case "sort":
      case "sort_desc":
      case "sort_by_label":
      case "sort_by_label_desc":
        return this.#sort(e, g);
      case "label_replace":
        return this.#labelReplace(e, g);
      case "label_join":
        return this.#labelJoin(e, g);
      case "histogram_quantile":
      case "histogram_quantiles":
        return this.#histogramQuantile(e, g);
      case "histogram_fraction":
        return this.#histogramFraction(e, g);
      case "histogram_count":
      case "histogram_sum":
      case "histogram_avg":
      case "histogram_stddev":
      case "histogram_stdvar":
        // Only native histograms have these; float samples are ignored.
        await this.#vector(e.args[0]!, g);
        return { kind: "vector", series: [] };
      case "info":
        return this.#info(e, g);
      default:
        throw new EvalError(`function "${name}" is not implemented`);
    }
  }

  async #rangeCall(e: Call, g: Grid): Promise<Val> {
    const name = e.func.name;
    const mIdx = e.func.argTypes.indexOf("matrix");
    const arg = unwrapParens(e.args[mIdx]!);
    if (arg.type !== "MatrixSelector" && arg.type !== "SubqueryExpr") throw new EvalError(`expected a range vector argument for ${name}`);
    const params: Float64Array[] = [];
    for (let k = 0; k < e.args.length; k++) if (k !== mIdx) params.push(await this.#scalar(e.args[k]!, g));
    checkExtendedModifier(name, arg);
    const src = await this.#rangeSource(arg, g);
    if (name === "absent_over_time") return this.#absentOverTime(e, src, g);
    if (name === "double_exponential_smoothing") checkSmoothingFactors(params, g.n);
    if (name === "quantile_over_time") {
      for (let i = 0; i < g.n; i++) {
        const q = params[0]![i]!;
        if (q !== q || q < 0 || q > 1) this.annotations.warn(ann.invalidQuantile(q), e.args[0]!.pos);
      }
    }
    const fn = RANGE_FUNCTIONS.get(name)!;
    const lookback = this.#s.lookback;
    const w: RangeWindow = {
      t: new Float64Array(0), v: new Float64Array(0), lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0,
      range: src.range, ts: 0, anchored: src.anchored, smoothed: src.smoothed, params: new Float64Array(params.length),
    };
    const before = src.anchored || src.smoothed ? lookback : 0;
    const after = src.smoothed ? lookback : 0;
    const out: StepSeries[] = [];
    let maxWindow = 0;
    const counter = name === "rate" || name === "increase";
    for (const s of src.series) {
      this.#checkTimeout();
      const o = newStepSeries(s.labels, g.n, fn.dropName || s.dropName);
      const t = s.t;
      const len = t.length;
      w.t = t;
      w.v = s.v;
      w.st = s.st;
      w.stOverlap = false;
      if (counter) w.resets = resetPrefix(s.v);
      let lo = 0;
      let hi = 0;
      let any = false;
      for (let i = 0; i < g.n; i++) {
        const ref = src.refs[i]!;
        const rangeStart = ref - src.range;
        const lowBound = rangeStart - before;
        const highBound = ref + after;
        while (lo < len && t[lo]! <= lowBound) lo++;
        if (hi < lo) hi = lo;
        while (hi < len && t[hi]! <= highBound) hi++;
        if (hi === lo) continue;
        if (hi - lo > maxWindow) maxWindow = hi - lo;
        w.lo = lo;
        w.hi = hi;
        w.rangeStart = rangeStart;
        w.rangeEnd = ref;
        w.ts = g.start + i * g.step;
        for (let k = 0; k < params.length; k++) w.params[k] = params[k]![i]!;
        const r = fn.kernel(w);
        if (r === undefined) continue;
        o.v[i] = r;
        o.has[i] = 1;
        any = true;
      }
      if (w.stOverlap) this.annotations.warn(ann.startTimeOverlap(getLabel(s.labels, METRIC_NAME)), e.args[mIdx]!.pos);
      if (!any) continue;
      out.push(o);
      if (counter) this.#counterInfo(s.labels, e.args[mIdx]!.pos);
    }
    this.#countSamples(maxWindow * src.series.length);
    this.#countPoints(out);
    return { kind: "vector", series: out };
  }

  #counterInfo(ls: Labels, pos: PosRange): void {
    const name = getLabel(ls, METRIC_NAME);
    if (name === "") return;
    const type = getLabel(ls, "__type__");
    if (type !== "") {
      if (type !== "counter" && type !== "histogram") this.annotations.info(ann.possibleNonCounterLabel(type, name), pos);
      return;
    }
    if (!/_(total|sum|count|bucket)$/.test(name)) this.annotations.info(ann.possibleNonCounter(name), pos);
  }

  #absentOverTime(e: Call, src: RangeSource, g: Grid): Val {
    const covered = new Uint8Array(g.n);
    for (const s of src.series) {
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < g.n; i++) {
        const ref = src.refs[i]!;
        while (lo < s.t.length && s.t[lo]! <= ref - src.range) lo++;
        if (hi < lo) hi = lo;
        while (hi < s.t.length && s.t[hi]! <= ref) hi++;
        if (hi > lo) covered[i] = 1;
      }
    }
    const out = newStepSeries(absentLabels(unwrapParens(e.args[0]!)), g.n, false);
    let any = false;
    for (let i = 0; i < g.n; i++) {
      if (covered[i] === 1) continue;
      out.v[i] = 1;
      out.has[i] = 1;
      any = true;
    }
    return { kind: "vector", series: any ? [out] : [] };
  }

  #absent(e: Call, vec: StepSeries[], g: Grid): Val {
    const out = newStepSeries(absentLabels(unwrapParens(e.args[0]!)), g.n, false);
    let any = false;
    for (let i = 0; i < g.n; i++) {
      if (vec.some((s) => s.has[i] === 1)) continue;
      out.v[i] = 1;
      out.has[i] = 1;
      any = true;
    }
    return { kind: "vector", series: any ? [out] : [] };
  }

  async #timestamp(e: Call, g: Grid): Promise<Val> {
    const arg = unwrapParens(e.args[0]!);
    // Of a plain selector, timestamp() gives the samples' own times; otherwise the step times.
    const fromSamples = arg.type === "VectorSelector";
    const vec = arg.type === "VectorSelector" ? await this.#vectorSelector(arg, g, true) : await this.#vector(arg, g);
    return {
      kind: "vector",
      series: vec.map((s) => {
        const v = new Float64Array(g.n);
        for (let i = 0; i < g.n; i++) if (s.has[i] === 1) v[i] = (fromSamples ? s.sampleT![i]! : g.start + i * g.step) / 1000;
        return { labels: s.labels, v, has: s.has, dropName: true };
      }),
    };
  }

  /**
   * start_timestamp(v): the start time (seconds) of the sample a plain selector
   * picks, 0 when it is unknown, as Prometheus reports an unset one. Any other
   * expression has no start times, so the result is empty.
   */
  async #startTimestamp(e: Call, g: Grid): Promise<Val> {
    const arg = unwrapParens(e.args[0]!);
    if (arg.type !== "VectorSelector") {
      await this.#vector(arg, g);
      return { kind: "vector", series: [] };
    }
    const vec = await this.#vectorSelector(arg, g, false, true);
    return {
      kind: "vector",
      series: vec.map((s) => {
        const v = new Float64Array(g.n);
        for (let i = 0; i < g.n; i++) {
          const st = s.sampleSt![i]!;
          if (s.has[i] === 1) v[i] = st === st ? st / 1000 : 0;
        }
        return { labels: s.labels, v, has: s.has, dropName: true };
      }),
    };
  }

  async #sort(e: Call, g: Grid): Promise<Val> {
    const vec = await this.#vector(e.args[0]!, g);
    if (this.#s.isRange) {
      this.annotations.warn("sort is ineffective for range queries since results are always ordered by labels", e.pos);
      return { kind: "vector", series: vec };
    }
    return { kind: "vector", series: sortInstant(e.func.name, vec, e.args.slice(1).map(stringArg)) };
  }

  async #labelReplace(e: Call, g: Grid): Promise<Val> {
    const [dst, repl, src, regex] = e.args.slice(1).map(stringArg) as [string, string, string, string];
    return { kind: "vector", series: labelReplace(await this.#vector(e.args[0]!, g), dst, repl, src, regex, g.n) };
  }

  async #labelJoin(e: Call, g: Grid): Promise<Val> {
    const [dst, sep, ...srcs] = e.args.slice(1).map(stringArg) as [string, string, ...string[]];
    return { kind: "vector", series: labelJoin(await this.#vector(e.args[0]!, g), dst, sep, srcs, g.n) };
  }

  /**
   * histogram_quantile(q, v) and histogram_quantiles(v, label, q...) over
   * classic histograms; the latter adds `label="<q>"` to each output series.
   */
  async #histogramQuantile(e: Call, g: Grid): Promise<Val> {
    const multi = e.func.name === "histogram_quantiles";
    const vecArg = multi ? e.args[0]! : e.args[1]!;
    const qArgs = multi ? e.args.slice(2) : [e.args[0]!];
    const qs: Float64Array[] = [];
    for (const a of qArgs) qs.push(await this.#scalar(a, g));
    const label = multi ? stringArg(e.args[1]!) : undefined;
    const vec = await this.#vector(vecArg, g);
    qArgs.forEach((a, k) => {
      for (let i = 0; i < g.n; i++) {
        const qi = qs[k]![i]!;
        if (qi !== qi || qi < 0 || qi > 1) this.annotations.warn(ann.invalidQuantile(qi), a.pos);
      }
    });
    const groups = bucketGroups(vec, (name, le) => this.annotations.warn(ann.badBucketLabel(name, le), vecArg.pos));
    const series = classicQuantiles(groups, qs, label, g.n, (name) => this.annotations.info(ann.forcedMonotonicity(name), vecArg.pos));
    return { kind: "vector", series };
  }

  async #histogramFraction(e: Call, g: Grid): Promise<Val> {
    const lower = await this.#scalar(e.args[0]!, g);
    const upper = await this.#scalar(e.args[1]!, g);
    const vec = await this.#vector(e.args[2]!, g);
    const groups = bucketGroups(vec, (name, le) => this.annotations.warn(ann.badBucketLabel(name, le), e.args[2]!.pos));
    return { kind: "vector", series: classicFractions(groups, lower, upper, g.n) };
  }

  /**
   * info(v, selector?): enriches each series with the data labels of the info
   * series (default `target_info`) that share its identifying labels
   * (instance, job), looked up as of the series' own reference time.
   */
  async #info(e: Call, g: Grid): Promise<Val> {
    const arg = e.args[0]!;
    const vec = await this.#vector(arg, g);
    const sel = e.args.length > 1 ? (unwrapParens(e.args[1]!) as VectorSelector).matchers : undefined;
    const nameMatchers = infoNameMatchers(sel);
    const dataMatchers = sel?.filter((m) => m.name !== METRIC_NAME) ?? [];
    // Info series are looked up as of the time the argument's samples refer to (its @ and offsets).
    const refs = new Float64Array(g.n);
    for (let i = 0; i < g.n; i++) refs[i] = this.#infoRef(arg, g.start + i * g.step);
    const infos = (await this.#selectAt([...nameMatchers, ...dataMatchers], refs, false, true)).filter((s) => nameMatchers.every((m) => m.matches(getLabel(s.labels, METRIC_NAME))));
    return { kind: "vector", series: enrichWithInfo(vec, infos, nameMatchers, dataMatchers, g.n) };
  }

  /** The time the samples of a series-producing expression refer to at step time t (through @, offset and subqueries). */
  #infoRef(e: Expr, t: number): number {
    switch (e.type) {
      case "VectorSelector":
        return this.#refAt(e, t);
      case "MatrixSelector":
        return this.#refAt(e.vectorSelector, t);
      case "SubqueryExpr":
        return this.#infoRef(e.expr, this.#refAt(e, t));
      case "ParenExpr":
      case "UnaryExpr":
        return this.#infoRef(e.expr, t);
      case "AggregateExpr":
        return this.#infoRef(e.expr, t);
      case "Call": {
        const a = e.args.find((x) => { const ty = exprType(x); return ty === "vector" || ty === "matrix"; });
        return a === undefined ? t : this.#infoRef(a, t);
      }
      case "BinaryExpr":
        return this.#infoRef(exprType(e.lhs) === "vector" ? e.lhs : e.rhs, t);
      default:
        return t;
    }
  }

  async #aggregate(e: AggregateExpr, g: Grid): Promise<Val> {
    let scalar: Float64Array | undefined;
    let label: string | undefined;
    if (e.param !== undefined) {
      if (e.op === "count_values") {
        const p = await this.eval(e.param, g);
        if (p.kind !== "string") throw new EvalError("count_values needs a string parameter");
        label = p.s;
        if (!isValidLabelName(label)) throw new EvalError(`invalid label name ${goQuote(label)}`);
      } else scalar = await this.#scalar(e.param, g);
    }
    const input = await this.#vector(e.expr, g);
    const paramPos = e.param?.pos ?? e.pos;
    const series = aggregate(e.op, input, { labels: e.grouping, without: e.without }, g.n, {
      ...(scalar !== undefined ? { scalar } : {}),
      ...(label !== undefined ? { label } : {}),
      warn: (text) => this.annotations.warn(text, paramPos),
      annotationTexts: ann,
    });
    this.#countPoints(series);
    return { kind: "vector", series };
  }

  async #binary(e: BinaryExpr, g: Grid): Promise<Val> {
    const lt = exprType(e.lhs);
    const rt = exprType(e.rhs);
    if (lt === "scalar" && rt === "scalar") {
      const l = await this.#scalar(e.lhs, g);
      const r = await this.#scalar(e.rhs, g);
      const v = new Float64Array(g.n);
      for (let i = 0; i < g.n; i++) v[i] = scalarBinop(e.op, l[i]!, r[i]!);
      return { kind: "scalar", v };
    }
    if (lt === "vector" && rt === "vector") {
      const lhs = await this.#vector(e.lhs, g);
      // Prometheus does not evaluate the right side when the left has no series, unless it can contribute.
      if (lhs.length === 0 && e.op !== "or" && e.matching?.fillValues?.lhs === undefined) return { kind: "vector", series: [] };
      const rhs = await this.#vector(e.rhs, g);
      const matching = e.matching ?? { card: isSetOp(e.op) ? "many-to-many" : "one-to-one", matchingLabels: [], on: false, include: [] };
      const series = vectorBinop(e.op, lhs, rhs, matching, e.returnBool, g.n);
      this.#countPoints(series);
      return { kind: "vector", series };
    }
    const scalarLeft = lt === "scalar";
    const vec = await this.#vector(scalarLeft ? e.rhs : e.lhs, g);
    const sc = await this.#scalar(scalarLeft ? e.lhs : e.rhs, g);
    return { kind: "vector", series: vectorScalarBinop(e.op, vec, sc, scalarLeft, e.returnBool, g.n) };
  }
}

/** Drops deferred metric names and merges series that became identical (overlap is an error). */
function cleanup(series: readonly StepSeries[], n: number): StepSeries[] {
  if (!series.some((s) => s.dropName)) return series as StepSeries[];
  const renamed = series.map((s) => (s.dropName ? { ...s, labels: dropMetadata(s.labels), dropName: false } : s));
  return mergeByLabels(renamed, n);
}

function withoutStale(sd: SeriesData): RawSeries {
  let stale = 0;
  const vs = sd.v;
  for (let i = 0; i < vs.length; i++) {
    const x = vs[i]!;
    if (x !== x && isStaleNaN(x)) stale++;
  }
  if (stale === 0) return { labels: sd.labels, t: sd.t, v: sd.v, st: sd.st, dropName: false };
  const t = new Float64Array(sd.t.length - stale);
  const v = new Float64Array(sd.t.length - stale);
  const st = sd.st === undefined ? undefined : new Float64Array(sd.t.length - stale);
  let k = 0;
  for (let i = 0; i < sd.v.length; i++) {
    if (isStaleNaN(sd.v[i]!)) continue;
    t[k] = sd.t[i]!;
    if (st !== undefined) st[k] = sd.st![i]!;
    v[k++] = sd.v[i]!;
  }
  return { labels: sd.labels, t, v, st, dropName: false };
}


/** Applies f to every present value; the results lose the metric name (at the end). */
function mapValues(vec: readonly StepSeries[], f: (x: number) => number): StepSeries[] {
  return vec.map((s) => ({ labels: s.labels, v: s.v.map(f), has: s.has, dropName: true }));
}

/** Like mapValues with the step index; undefined removes the value at that step. */
function mapValuesAt(vec: readonly StepSeries[], f: (x: number, i: number) => number | undefined): StepSeries[] {
  const out: StepSeries[] = [];
  for (const s of vec) {
    const o = newStepSeries(s.labels, s.v.length, true);
    let any = false;
    for (let i = 0; i < s.v.length; i++) {
      if (s.has[i] !== 1) continue;
      const r = f(s.v[i]!, i);
      if (r === undefined) continue;
      o.v[i] = r;
      o.has[i] = 1;
      any = true;
    }
    if (any) out.push(o);
  }
  return out;
}

/** absent()'s output labels: the equality matchers of a plain selector (a label matched twice is left out). */
function absentLabels(arg: Expr): Labels {
  const matchers = arg.type === "VectorSelector" ? arg.matchers : arg.type === "MatrixSelector" ? arg.vectorSelector.matchers : [];
  let ls: Labels = [];
  const seen = new Set<string>();
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === "=" && !seen.has(m.name)) {
      ls = withLabel(ls, m.name, m.value);
      seen.add(m.name);
    } else {
      ls = ls.filter((l) => l.name !== m.name);
    }
  }
  return ls;
}

/** `anchored` and `smoothed` windows hold samples outside the range, which only some functions handle. */
function checkExtendedModifier(fn: string, arg: Expr): void {
  if (arg.type !== "MatrixSelector") return;
  const vs = arg.vectorSelector;
  if (vs.anchored === true && !ANCHORED_FUNCTIONS.includes(fn)) {
    throw new EvalError(`anchored modifier can only be used with: ${ANCHORED_FUNCTIONS.join(", ")} - not with ${fn}`);
  }
  if (vs.smoothed === true && !SMOOTHED_FUNCTIONS.includes(fn)) {
    throw new EvalError(`smoothed modifier can only be used with: ${SMOOTHED_FUNCTIONS.join(", ")} - not with ${fn}`);
  }
}

function checkSmoothingFactors(params: Float64Array[], n: number): void {
  for (let i = 0; i < n; i++) {
    const sf = params[0]![i]!;
    const tf = params[1]![i]!;
    if (!(sf > 0 && sf < 1)) throw new EvalError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
    if (!(tf > 0 && tf < 1)) throw new EvalError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  }
}

