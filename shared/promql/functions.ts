/**
 * @module
 * Implementations of PromQL's functions on plain numbers: the range-vector
 * kernels (one window of samples in, one value or nothing out) and the
 * element-wise instant-vector functions. The engine does the iteration.
 */

/** Kahan-compensated increment, as Prometheus's kahansum.Inc: returns the new [sum, compensation]. */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + ((sum - t) + inc)];
  return [t, c + ((inc - t) + sum)];
}

/**
 * One step's window of a series: samples `[lo, hi)` of `t`/`v`. For plain
 * selectors they lie in `(rangeStart, rangeEnd]`; with `anchored` the window
 * also holds samples up to a lookback before rangeStart, with `smoothed` up to
 * a lookback after rangeEnd as well.
 */
export interface RangeWindow {
  t: Float64Array;
  v: Float64Array;
  lo: number;
  hi: number;
  rangeStart: number;
  rangeEnd: number;
  /** The selector's range in ms. */
  range: number;
  /** The step's evaluation time in ms (predict_linear's intercept). */
  ts: number;
  anchored: boolean;
  smoothed: boolean;
  /** Scalar arguments at this step, in argument order (the matrix argument left out). */
  params: Float64Array;
  /**
   * Optional per-series prefix count of decreases: `resets[k]` counts i ≤ k
   * with v[i] < v[i-1]. Lets counter functions skip the reset scan of a
   * window that has none; null when the series has no decrease at all.
   */
  resets?: Int32Array | null;
  /**
   * Start timestamps parallel to t (ms, NaN = unknown), present only when the
   * window comes straight from a range selector over storage that keeps them.
   */
  st?: Float64Array;
  /** Set by rate/increase when a sample's start time overlaps the previous sample's (the engine warns). */
  stOverlap?: boolean;
}

/**
 * Whether sample i's start time says the counter restarted after sample i-1
 * (Prometheus's start-timestamp reset rule).
 */
export function isStartReset(t: Float64Array, st: Float64Array, i: number): boolean {
  const cur = st[i]!;
  // Unknown (NaN), invalid (after the sample), or OTel's "unknown start" (equal to the sample time).
  if (!(cur < t[i]!)) return false;
  const prevT = t[i - 1]!;
  if (cur !== prevT) return cur > prevT;
  // The start is the previous sample's time: a delta sample if the previous one had a valid
  // start of its own, a cumulative series with an unknown start otherwise.
  return st[i - 1]! < prevT;
}

/** Whether sample i's start time falls before sample i-1 without being that sample's start too (overlapping counts). */
function startOverlaps(t: Float64Array, st: Float64Array, i: number): boolean {
  const cur = st[i]!;
  return cur < t[i - 1]! && cur !== st[i - 1]!;
}

/** A counter reset between samples i-1 and i: the value fell, or the start time says so. */
function isCounterReset(w: RangeWindow, i: number): boolean {
  return w.v[i]! < w.v[i - 1]! || (w.st !== undefined && isStartReset(w.t, w.st, i));
}

/** The prefix count of value decreases that RangeWindow.resets describes; null when there is none (most counters). */
export function resetPrefix(v: Float64Array): Int32Array | null {
  let first = 1;
  while (first < v.length && !(v[first]! < v[first - 1]!)) first++;
  if (first >= v.length) return null;
  const r = new Int32Array(v.length);
  for (let i = 1; i < v.length; i++) r[i] = r[i - 1]! + (v[i]! < v[i - 1]! ? 1 : 0);
  return r;
}

export type RangeKernel = (w: RangeWindow) => number | undefined;

/** The first index in [lo, hi) whose timestamp is > x (or hi). */
export function firstAfter(t: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index in [lo, hi) whose timestamp is >= x (or hi). */
function firstAtOrAfter(t: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function interpolate(t1: number, y1: number, t2: number, y2: number, at: number, isCounter: boolean): number {
  // Across a counter reset the counter is taken to restart from zero.
  if (isCounter && y2 < y1) y1 = 0;
  return y1 + ((y2 - y1) * (at - t1)) / (t2 - t1);
}

/**
 * rate/increase/delta with Prometheus's extrapolation to the window edges.
 * For counters, a first sample whose start time lies inside the window stands
 * for a zero at that start time, which replaces the extrapolation to the left.
 */
function extrapolatedRate(w: RangeWindow, isCounter: boolean, isRate: boolean): number | undefined {
  if (w.anchored || w.smoothed) return extendedRate(w, isCounter, isRate);
  const { t, v, lo, hi, st } = w;
  const n = hi - lo;
  if (n < 1) return undefined;
  const firstT = t[lo]!;
  const lastT = t[hi - 1]!;
  let result = v[hi - 1]! - v[lo]!;
  if (isCounter && st !== undefined) {
    for (let i = lo + 1; i < hi; i++) {
      if (isCounterReset(w, i)) result += v[i - 1]!;
      if (startOverlaps(t, st, i)) w.stOverlap = true;
    }
  } else if (isCounter && w.resets !== null && (w.resets === undefined || w.resets[hi - 1] !== w.resets[lo])) {
    for (let i = lo + 1; i < hi; i++) if (v[i]! < v[i - 1]!) result += v[i - 1]!;
  }
  let durationToStart = (firstT - w.rangeStart) / 1000;
  let durationToEnd = (w.rangeEnd - lastT) / 1000;
  let sampledInterval = (lastT - firstT) / 1000;
  const avgBetween = n > 1 ? sampledInterval / (n - 1) : 0;
  // Extrapolate to an edge only when a sample could be expected there; otherwise half a gap.
  const threshold = avgBetween * 1.1;
  // The window start is exclusive, so a start time equal to it lies outside.
  const firstSt = isCounter && st !== undefined ? st[lo]! : NaN;
  if (firstSt > w.rangeStart && firstSt < firstT) {
    durationToStart = 0;
    sampledInterval = (lastT - firstSt) / 1000;
    result += v[lo]!;
  } else if (n === 1) {
    return undefined;
  } else {
    if (durationToStart >= threshold) durationToStart = avgBetween / 2;
    if (isCounter) {
      // A counter cannot go below zero: do not extrapolate past the point where it would be 0.
      let durationToZero = durationToStart;
      if (result > 0 && v[lo]! >= 0) durationToZero = sampledInterval * (v[lo]! / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
  }
  if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= w.range / 1000;
  return result * factor;
}

/** The anchored/smoothed variants: values at the window edges instead of extrapolation. */
function extendedRate(w: RangeWindow, isCounter: boolean, isRate: boolean): number | undefined {
  const { t, v, lo, hi, rangeStart, rangeEnd } = w;
  if (hi === lo) return undefined;
  let last = hi - 1;
  let first = Math.max(lo, firstAfter(t, lo, last, rangeStart) - 1);
  if (w.smoothed) last = firstAtOrAfter(t, lo, last, rangeEnd);
  if (t[last]! <= rangeStart) return undefined;
  if (w.smoothed && t[first]! > rangeEnd) return undefined;
  const left = w.smoothed && t[first]! < rangeStart && first + 1 < hi
    ? interpolate(t[first]!, v[first]!, t[first + 1]!, v[first + 1]!, rangeStart, isCounter)
    : v[first]!;
  const right = w.smoothed && last > lo && t[last]! > rangeEnd
    ? interpolate(t[last - 1]!, v[last - 1]!, t[last]!, v[last]!, rangeEnd, isCounter)
    : v[last]!;
  let result = right - left;
  if (isCounter) {
    // Resets at the edges are already in left/right; correct only for samples strictly inside.
    if (t[first]! <= rangeStart) first++;
    if (t[last]! >= rangeEnd) last--;
    let prev = left;
    for (let i = first; i <= last; i++) {
      if (v[i]! < prev) result += prev;
      prev = v[i]!;
    }
    if (right < prev) result += prev;
  }
  if (isRate) result /= w.range / 1000;
  return result;
}

/** irate/idelta: the last two samples. */
function instantValue(w: RangeWindow, isRate: boolean): number | undefined {
  const { t, v, hi } = w;
  if (hi - w.lo < 2) return undefined;
  const t0 = t[hi - 2]!;
  const t1 = t[hi - 1]!;
  const interval = t1 - t0;
  if (interval === 0) return undefined;
  let r = v[hi - 1]!;
  // A counter reset leaves the last value as the increase.
  if (!isRate || !isCounterReset(w, hi - 1)) r = v[hi - 1]! - v[hi - 2]!;
  if (isRate) r /= interval / 1000;
  return r;
}

/** Least-squares fit of the window; x is seconds relative to interceptTime. */
export function linearRegression(t: Float64Array, v: Float64Array, lo: number, hi: number, interceptTime: number): [number, number] {
  let n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = v[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = v[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n++;
    const x = (t[i]! - interceptTime) / 1e3;
    [sumX, cX] = kahanInc(x, sumX, cX);
    [sumY, cY] = kahanInc(y, sumY, cY);
    [sumXY, cXY] = kahanInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

function avgOverTime(v: Float64Array, lo: number, hi: number): number {
  // Direct mean while the sum stays finite, incremental mean after it would overflow.
  let sum = v[lo]!, count = 1, mean = 0, c = 0, incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    count = i - lo + 1;
    const f = v[i]!;
    if (!incremental) {
      const [ns, nc] = kahanInc(f, sum, c);
      if (ns !== Infinity && ns !== -Infinity) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanInc(f / count, q * mean, q * c);
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

function sumOverTime(v: Float64Array, lo: number, hi: number): number {
  let sum = 0, c = 0;
  for (let i = lo; i < hi; i++) [sum, c] = kahanInc(v[i]!, sum, c);
  return sum === Infinity || sum === -Infinity ? sum : sum + c;
}

/** Population variance with Kahan-compensated Welford updates. */
function varianceOverTime(v: Float64Array, lo: number, hi: number): number {
  let count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let i = lo; i < hi; i++) {
    const f = v[i]!;
    count++;
    const delta = f - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (f - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

/** Index of the extreme value; `better(cur, best)` decides, NaN is always replaced. */
function extremeIndex(v: Float64Array, lo: number, hi: number, better: (cur: number, best: number) => boolean): number {
  let best = lo;
  for (let i = lo; i < hi; i++) {
    const b = v[best]!;
    if (better(v[i]!, b) || b !== b) best = i;
  }
  return best;
}

/** φ-quantile of the values, interpolating between neighbours (Prometheus's `quantile`). */
export function quantileOf(q: number, values: Float64Array): number {
  const n = values.length;
  if (n === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // Prometheus orders NaN below every number.
  values.sort();
  let nans = 0;
  while (nans < n && values[n - 1 - nans] !== values[n - 1 - nans]) nans++;
  if (nans > 0) {
    values.copyWithin(nans, 0, n - nans);
    values.fill(NaN, 0, nans);
  }
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

function countChanges(w: RangeWindow, isReset: boolean): number | undefined {
  const { t, v, hi } = w;
  let first = w.lo;
  if (w.anchored) {
    if (hi === w.lo || t[hi - 1]! <= w.rangeStart) return undefined;
    first = Math.max(w.lo, firstAfter(t, w.lo, hi - 1, w.rangeStart) - 1);
  }
  if (hi === first) return undefined;
  let n = 0;
  for (let i = first + 1; i < hi; i++) {
    const a = v[i - 1]!;
    const b = v[i]!;
    if (isReset ? isCounterReset(w, i) : b !== a && !(a !== a && b !== b)) n++;
  }
  return n;
}

function doubleExponentialSmoothing(w: RangeWindow): number | undefined {
  const { v, lo, hi } = w;
  const sf = w.params[0]!;
  const tf = w.params[1]!;
  if (hi - lo < 2) return undefined;
  let s0 = 0;
  let s1 = v[lo]!;
  let b = v[lo + 1]! - v[lo]!;
  for (let i = lo + 1; i < hi; i++) {
    const x = sf * v[i]!;
    // The trend at the first step is the initial slope; later it blends the smoothed change.
    if (i - 1 > lo) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

export interface RangeFunction {
  readonly kernel: RangeKernel;
  /** Whether the result drops the metric name (all but first/last_over_time). */
  readonly dropName: boolean;
}

const window = (fn: (v: Float64Array, lo: number, hi: number, w: RangeWindow) => number | undefined): RangeKernel =>
  (w) => (w.hi > w.lo ? fn(w.v, w.lo, w.hi, w) : undefined);

/** Range-vector functions by name. absent_over_time is handled by the engine (it needs all series). */
export const RANGE_FUNCTIONS: ReadonlyMap<string, RangeFunction> = new Map<string, RangeFunction>([
  ["rate", { kernel: (w) => extrapolatedRate(w, true, true), dropName: true }],
  ["increase", { kernel: (w) => extrapolatedRate(w, true, false), dropName: true }],
  ["delta", { kernel: (w) => extrapolatedRate(w, false, false), dropName: true }],
  ["irate", { kernel: (w) => instantValue(w, true), dropName: true }],
  ["idelta", { kernel: (w) => instantValue(w, false), dropName: true }],
  ["changes", { kernel: (w) => countChanges(w, false), dropName: true }],
  ["resets", { kernel: (w) => countChanges(w, true), dropName: true }],
  ["avg_over_time", { kernel: window(avgOverTime), dropName: true }],
  ["sum_over_time", { kernel: window(sumOverTime), dropName: true }],
  ["count_over_time", { kernel: window((_v, lo, hi) => hi - lo), dropName: true }],
  ["present_over_time", { kernel: window(() => 1), dropName: true }],
  ["min_over_time", { kernel: window((v, lo, hi) => v[extremeIndex(v, lo, hi, (c, b) => c < b)]), dropName: true }],
  ["max_over_time", { kernel: window((v, lo, hi) => v[extremeIndex(v, lo, hi, (c, b) => c > b)]), dropName: true }],
  ["ts_of_min_over_time", { kernel: window((v, lo, hi, w) => w.t[extremeIndex(v, lo, hi, (c, b) => c <= b)]! / 1000), dropName: true }],
  ["ts_of_max_over_time", { kernel: window((v, lo, hi, w) => w.t[extremeIndex(v, lo, hi, (c, b) => c >= b)]! / 1000), dropName: true }],
  ["first_over_time", { kernel: window((v, lo) => v[lo]), dropName: false }],
  ["last_over_time", { kernel: window((v, _lo, hi) => v[hi - 1]), dropName: false }],
  ["ts_of_first_over_time", { kernel: window((_v, lo, _hi, w) => w.t[lo]! / 1000), dropName: true }],
  ["ts_of_last_over_time", { kernel: window((_v, _lo, hi, w) => w.t[hi - 1]! / 1000), dropName: true }],
  ["stdvar_over_time", { kernel: window(varianceOverTime), dropName: true }],
  ["stddev_over_time", { kernel: window((v, lo, hi) => Math.sqrt(varianceOverTime(v, lo, hi))), dropName: true }],
  ["quantile_over_time", { kernel: window((v, lo, hi, w) => quantileOf(w.params[0]!, v.slice(lo, hi))), dropName: true }],
  ["mad_over_time", {
    kernel: window((v, lo, hi) => {
      const median = quantileOf(0.5, v.slice(lo, hi));
      const dev = new Float64Array(hi - lo);
      for (let i = lo; i < hi; i++) dev[i - lo] = Math.abs(v[i]! - median);
      return quantileOf(0.5, dev);
    }),
    dropName: true,
  }],
  ["deriv", { kernel: (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w.t, w.v, w.lo, w.hi, w.t[w.lo]!)[0]), dropName: true }],
  ["predict_linear", {
    kernel: (w) => {
      if (w.hi - w.lo < 2) return undefined;
      const [slope, intercept] = linearRegression(w.t, w.v, w.lo, w.hi, w.ts);
      return slope * w.params[0]! + intercept;
    },
    dropName: true,
  }],
  ["double_exponential_smoothing", { kernel: doubleExponentialSmoothing, dropName: true }],
]);

function sgn(v: number): number {
  return v < 0 ? -1 : v > 0 ? 1 : v;
}

/** Element-wise instant-vector functions of one value (they all drop the metric name). */
export const SIMPLE_FUNCTIONS: ReadonlyMap<string, (v: number) => number> = new Map<string, (v: number) => number>([
  ["abs", Math.abs],
  ["ceil", Math.ceil],
  ["floor", Math.floor],
  ["exp", Math.exp],
  ["sqrt", Math.sqrt],
  ["ln", Math.log],
  ["log2", Math.log2],
  ["log10", Math.log10],
  ["sin", Math.sin],
  ["cos", Math.cos],
  ["tan", Math.tan],
  ["asin", Math.asin],
  ["acos", Math.acos],
  ["atan", Math.atan],
  ["sinh", Math.sinh],
  ["cosh", Math.cosh],
  ["tanh", Math.tanh],
  ["asinh", Math.asinh],
  ["acosh", Math.acosh],
  ["atanh", Math.atanh],
  ["rad", (v) => (v * Math.PI) / 180],
  ["deg", (v) => (v * 180) / Math.PI],
  ["sgn", sgn],
]);

/** Date functions of a Unix time in seconds, evaluated in UTC. */
export const DATE_FUNCTIONS: ReadonlyMap<string, (d: Date) => number> = new Map<string, (d: Date) => number>([
  ["year", (d) => d.getUTCFullYear()],
  ["month", (d) => d.getUTCMonth() + 1],
  ["day_of_month", (d) => d.getUTCDate()],
  ["day_of_week", (d) => d.getUTCDay()],
  ["day_of_year", (d) => {
    const start = Date.UTC(d.getUTCFullYear(), 0, 1);
    return Math.floor((d.getTime() - start) / 86_400_000) + 1;
  }],
  ["days_in_month", (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()],
  ["hour", (d) => d.getUTCHours()],
  ["minute", (d) => d.getUTCMinutes()],
]);

/** Applies a date function to seconds since the epoch (Go truncates the float to whole seconds). */
export function dateOf(seconds: number): Date | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  return new Date(Math.trunc(seconds) * 1000);
}

/** round(v, toNearest): ties round up, computed with the inverse as Prometheus does. */
export function roundTo(v: number, toNearest: number): number {
  const inv = 1 / toNearest;
  return Math.floor(v * inv + 0.5) / inv;
}
