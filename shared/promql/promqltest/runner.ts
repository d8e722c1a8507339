/**
 * @module
 * Runs a `.test` script against the engine over an in-memory storage and
 * reports each eval's outcome, including the reference runner's extra
 * checks (FORMAT.md §8): @-modifier variants and the range-mode cross-check.
 */
import { compareLabels } from "../../labels/labels.ts";
import { MemoryStorage } from "../../tsdb/memory.ts";
import type { Querier } from "../../tsdb/querier.ts";
import type { Expr } from "../ast.ts";
import { children } from "../ast.ts";
import { Engine } from "../engine.ts";
import { parseExpr } from "../parser.ts";
import { exprToString } from "../printer.ts";
import type { QueryResult } from "../value.ts";
import { checkAnnotations, checkError, checkResult, checkVector } from "./check.ts";
import type { VectorLike } from "./check.ts";
import type { Command, EvalCommand, LoadCommand } from "./script.ts";
import { ScriptError, parseScript } from "./script.ts";
import { POS_FLOAT } from "./series-desc.ts";

export interface EvalOutcome {
  /** 1-based line of the eval header. */
  readonly line: number;
  readonly expr: string;
  readonly ok: boolean;
  /** Why it failed. */
  readonly message?: string;
  /** The eval's segment loads no native histograms (no `{{`, no load_with_nhcb). */
  readonly floatOnly: boolean;
}

export interface ScriptOutcome {
  readonly evals: EvalOutcome[];
  /** Set when the script could not be parsed or a load failed (remaining evals count as failed). */
  readonly error?: string;
}

export interface RunOptions {
  /** Run the §8 @-variant and range-mode checks (default true). */
  readonly extraChecks?: boolean;
  /** Query through `selectMany` (as the head shards are), so the engine's read-ahead plan is exercised. */
  readonly batched?: boolean;
}

/** The storage with a selectMany, as a networked storage offers. */
function batchedQuerier(st: MemoryStorage): Querier {
  return {
    select: (m, h) => st.select(m, h),
    selectMany: (reqs) => Promise.all(reqs.map((r) => st.select(r.matchers, r.hints))),
    labelNames: (m, h) => st.labelNames(m, h),
    labelValues: (n, m, h) => st.labelValues(n, m, h),
  };
}

/** The engine settings the corpus assumes (FORMAT.md §9). */
function corpusEngine(): Engine {
  return new Engine({ lookbackDelta: 5 * 60_000, maxSamples: 50_000_000, defaultSubqueryStep: 60_000 });
}

/** Runs a whole script; never throws for script problems, it reports them. */
export async function runScript(text: string, opts: RunOptions = {}): Promise<ScriptOutcome> {
  let cmds: Command[];
  try {
    cmds = parseScript(text);
  } catch (e) {
    const message = `script does not parse: ${(e as Error).message}`;
    return { evals: scanEvals(text).map((x) => ({ ...x, ok: false, message })), error: message };
  }
  const floatOnly = segmentFloatOnly(cmds);
  const storage = new MemoryStorage();
  const querier: Querier = opts.batched ? batchedQuerier(storage) : storage;
  const engine = corpusEngine();
  const evals: EvalOutcome[] = [];
  let error: string | undefined;
  for (let k = 0; k < cmds.length; k++) {
    const c = cmds[k]!;
    if (error !== undefined) {
      if (c.kind === "eval") evals.push({ line: c.line, expr: c.expr, ok: false, message: error, floatOnly: floatOnly[k]! });
      continue;
    }
    if (c.kind === "clear") storage.clear();
    else if (c.kind === "load") {
      try {
        load(storage, c);
      } catch (e) {
        error = `load failed: ${(e as Error).message}`;
      }
    } else {
      const message = await runEval(engine, querier, c, opts.extraChecks ?? true);
      evals.push(message === undefined
        ? { line: c.line, expr: c.expr, ok: true, floatOnly: floatOnly[k]! }
        : { line: c.line, expr: c.expr, ok: false, message, floatOnly: floatOnly[k]! });
    }
  }
  return error === undefined ? { evals } : { evals, error };
}

/** For each command, whether its clear-delimited segment loads only floats. */
function segmentFloatOnly(cmds: Command[]): boolean[] {
  const out: boolean[] = new Array<boolean>(cmds.length).fill(true);
  let segStart = 0;
  const close = (end: number): void => {
    let float = true;
    for (let k = segStart; k < end; k++) {
      const c = cmds[k]!;
      if (c.kind === "load" && (c.nhcb || c.histograms)) float = false;
    }
    for (let k = segStart; k < end; k++) out[k] = float;
  };
  cmds.forEach((c, k) => {
    if (c.kind === "clear") {
      close(k);
      segStart = k + 1;
    }
  });
  close(cmds.length);
  return out;
}

/** Eval headers of a script that does not parse, with the same segment rule on raw lines. */
function scanEvals(text: string): { line: number; expr: string; floatOnly: boolean }[] {
  const lines = text.split("\n").map((l) => l.trim());
  const found: { line: number; expr: string; seg: number }[] = [];
  const segFloat: boolean[] = [true];
  let inLoad = false;
  lines.forEach((l, i) => {
    const word = l.split(/\s+/)[0]!.toLowerCase();
    if (l === "" || l.startsWith("#")) inLoad = false;
    else if (word === "clear") {
      segFloat.push(true);
      inLoad = false;
    } else if (word.startsWith("load")) {
      inLoad = true;
      if (word === "load_with_nhcb") segFloat[segFloat.length - 1] = false;
    } else if (word.startsWith("eval")) {
      inLoad = false;
      found.push({ line: i + 1, expr: l, seg: segFloat.length - 1 });
    } else if (inLoad && l.includes("{{")) segFloat[segFloat.length - 1] = false;
  });
  return found.map((f) => ({ line: f.line, expr: f.expr, floatOnly: segFloat[f.seg]! }));
}

function load(storage: MemoryStorage, c: LoadCommand): void {
  for (const s of c.series) {
    const { kind, v } = s.values;
    const st = s.startTimes;
    for (let i = 0; i < kind.length; i++) {
      if (kind[i] !== POS_FLOAT) continue;
      // An `@st` item is an offset from the sample's own time.
      const start = st !== undefined && st.kind[i] === POS_FLOAT ? i * c.step + st.v[i]! : NaN;
      if (!storage.appendSeries(s.labels, i * c.step, v[i]!, start)) {
        throw new ScriptError(c.line, `sample at ${i * c.step}ms of ${JSON.stringify(s.labels)} is out of order or a duplicate`);
      }
    }
  }
}

async function query(engine: Engine, storage: Querier, cmd: EvalCommand, expr: string, t: number): Promise<QueryResult> {
  if (cmd.range) return engine.range(storage, expr, cmd.start, cmd.end, cmd.step);
  return engine.instant(storage, expr, t);
}

/** Runs one query and checks failure, annotations and result; undefined means it passed. */
async function checkOnce(engine: Engine, storage: Querier, cmd: EvalCommand, expr: string, t: number): Promise<string | undefined> {
  let r: QueryResult;
  try {
    r = await query(engine, storage, cmd, expr, t);
  } catch (e) {
    if (cmd.fail !== undefined) return checkError(e as Error, cmd.fail);
    return `unexpected error: ${(e as Error).message}`;
  }
  if (cmd.fail !== undefined) return "expected the query to fail, it succeeded";
  return checkAnnotations(cmd, r) ?? checkResult(cmd, r.value);
}

async function runEval(engine: Engine, storage: Querier, cmd: EvalCommand, extra: boolean): Promise<string | undefined> {
  const t = cmd.rangeVector?.to ?? cmd.end;
  const first = await checkOnce(engine, storage, cmd, cmd.expr, t);
  if (first !== undefined || !extra || cmd.range) return first;
  return (await checkAtVariants(engine, storage, cmd, t)) ?? (await checkRangeMode(engine, storage, cmd, t));
}

const AT_UNSAFE = new Set([
  "time", "timestamp", "predict_linear", "start", "end", "range", "step", "hour", "minute", "month", "year",
  "day_of_month", "day_of_week", "day_of_year", "days_in_month",
]);

function callsAtUnsafe(e: Expr): boolean {
  if (e.type === "Call" && AT_UNSAFE.has(e.func.name)) return true;
  if (e.type === "DurationExpr" && AT_UNSAFE.has(e.op)) return true;
  return children(e).some(callsAtUnsafe);
}

/** Attaches `@ t` to every selector and subquery without one (not inside a subquery that has one). */
export function withAtModifier(e: Expr, t: number): Expr {
  switch (e.type) {
    case "VectorSelector":
      return e.timestamp === undefined && e.startOrEnd === undefined ? { ...e, timestamp: t } : e;
    case "MatrixSelector":
      return { ...e, vectorSelector: withAtModifier(e.vectorSelector, t) as typeof e.vectorSelector };
    case "SubqueryExpr":
      return e.timestamp === undefined && e.startOrEnd === undefined ? { ...e, timestamp: t } : e;
    case "ParenExpr":
    case "UnaryExpr":
      return { ...e, expr: withAtModifier(e.expr, t) };
    case "Call":
      return { ...e, args: e.args.map((a) => withAtModifier(a, t)) };
    case "AggregateExpr":
      return e.param === undefined ? { ...e, expr: withAtModifier(e.expr, t) } : { ...e, param: withAtModifier(e.param, t), expr: withAtModifier(e.expr, t) };
    case "BinaryExpr":
      return { ...e, lhs: withAtModifier(e.lhs, t), rhs: withAtModifier(e.rhs, t) };
    default:
      return e;
  }
}

async function checkAtVariants(engine: Engine, storage: Querier, cmd: EvalCommand, t: number): Promise<string | undefined> {
  let ast: Expr;
  try {
    ast = parseExpr(cmd.expr);
  } catch {
    return undefined; // The plain run already covered parse failures.
  }
  if (callsAtUnsafe(ast)) return undefined;
  // Whole seconds, as the reference prints `@ <seconds>`.
  const rewritten = exprToString(withAtModifier(ast, t));
  const times = t === 0 ? [-1000, 0, 1000] : [-10 * t, 0, t / 5, t, 10 * t];
  for (const at of times) {
    const msg = await checkOnce(engine, storage, cmd, rewritten, Math.trunc(at));
    if (msg !== undefined) return `@-variant ${rewritten} at ${at}ms: ${msg}`;
  }
  return undefined;
}

async function checkRangeMode(engine: Engine, storage: Querier, cmd: EvalCommand, t: number): Promise<string | undefined> {
  if (cmd.rangeVector !== undefined || cmd.expectString !== undefined || cmd.fail !== undefined) return undefined;
  if (/\b(start|end|range|step)\(\)/.test(cmd.expr)) return undefined;
  let r: QueryResult;
  try {
    r = await engine.range(storage, cmd.expr, t - 60_000, t + 60_000, 60_000);
  } catch (e) {
    return `range-mode check: unexpected error: ${(e as Error).message}`;
  }
  if (r.value.type !== "matrix") return `range-mode check: expected a matrix, got a ${r.value.type}`;
  const series = r.value.series;
  for (let k = 1; k < series.length; k++) {
    if (compareLabels(series[k - 1]!.labels, series[k]!.labels) >= 0) return "range-mode check: matrix is not sorted by labels";
  }
  if (cmd.ordered) return undefined;
  const at: VectorLike[] = [];
  for (const s of series) {
    const i = s.t.indexOf(t);
    if (i >= 0) at.push({ labels: s.labels, v: s.v[i]! });
  }
  if (cmd.scalar !== undefined) {
    const want = cmd.scalar;
    if (at.length === 0) return "range-mode check: expected a scalar, got no point";
    const msg = checkResult(cmd, { type: "scalar", t, v: at[0]!.v });
    return msg === undefined ? undefined : `range-mode check: ${msg} (want ${want[0]})`;
  }
  const msg = checkVector(cmd, at, false);
  return msg === undefined ? undefined : `range-mode check: ${msg}`;
}
