/**
 * @module
 * `promtool test rules`: the rule unit-test file format
 * (docs/configuration/unit_testing_rules.md) run against our rule evaluation
 * and PromQL engine over MemoryStorage, with promtool's output (stdout and
 * stderr, byte for byte where we match) and exit status.
 *
 * As promtool: every group is evaluated at every `evaluation_interval` tick
 * from 0 to the largest eval_time; alert tests compare the firing alerts of
 * the tick at or before their eval_time; PromQL tests run after all ticks.
 */
import { parse as parseYaml } from "yaml";
import type { Labels } from "../labels/labels.ts";
import { compareLabels, labelsFromRecord, labelsToString } from "../labels/labels.ts";
import { Engine } from "../promql/engine.ts";
import { formatDuration, parseDuration } from "../promql/duration.ts";
import { POS_FLOAT, expandValues, parseSeriesLabels } from "../promql/promqltest/series-desc.ts";
import { MemoryStorage } from "../tsdb/memory.ts";
import { compileGroup, engineQueryFunc, evalGroup, newGroupState } from "./group.ts";
import type { CompiledGroup, GroupState } from "./group.ts";
import { parseAndValidateRuleFile } from "./load.ts";
import { formatGoDuration } from "./go-time.ts";

export interface UnitTestIO {
  /** Files matching a glob pattern relative to the test file (sorted). */
  glob(pattern: string): string[];
  read(path: string): string;
  /** The pattern as promtool names it in warnings (joined with the test file's folder). */
  showPattern?(pattern: string): string;
}

export interface UnitTestResult {
  stdout: string;
  stderr: string;
  failed: boolean;
}

interface TestFile {
  rule_files?: string[];
  evaluation_interval?: string;
  group_eval_order?: string[];
  tests?: TestGroup[];
}

interface TestGroup {
  name?: string;
  interval?: string;
  input_series?: { series: string; values: string }[];
  alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[] }[];
  promql_expr_test?: { expr: string; eval_time: string; exp_samples?: { labels: string; value: number | string }[] }[];
  external_labels?: Record<string, string>;
  external_url?: string;
}

interface LabelsAndAnnotations {
  labels: Labels;
  annotations: Labels;
}

function indentLines(lines: string, indent: string): string {
  return lines.split("\n").join("\n" + indent);
}

function laString(la: LabelsAndAnnotations[]): string {
  if (la.length === 0) return "[]";
  const one = (x: LabelsAndAnnotations): string => `Labels:${labelsToString(x.labels)}\nAnnotations:${labelsToString(x.annotations)}`;
  let s = "[\n0:" + indentLines("\n" + one(la[0]!), "  ");
  la.slice(1).forEach((x, i) => {
    s += `,\n${i + 1}:` + indentLines("\n" + one(x), "  ");
  });
  return s + "\n]";
}

function compareLA(a: LabelsAndAnnotations, b: LabelsAndAnnotations): number {
  return compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations);
}

/** strconv.FormatFloat(v, 'E', -1, 64). */
function formatFloatE(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const [m, e] = v.toExponential().split("e") as [string, string];
  const exp = Number(e);
  return `${m}E${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

interface ParsedSample {
  labels: Labels;
  value: number;
}

function samplesString(s: ParsedSample[]): string {
  return s.length === 0 ? "nil" : s.map((x) => `${labelsToString(x.labels)} ${formatFloatE(x.value)}`).join(", ");
}

function samplesEqual(a: ParsedSample[], b: ParsedSample[]): boolean {
  return a.length === b.length && a.every((x, i) => compareLabels(x.labels, b[i]!.labels) === 0 && Object.is(x.value, b[i]!.value));
}

function dur(s: string | undefined, def: number): number {
  return s === undefined ? def : parseDuration(String(s));
}

function toNumber(v: number | string): number {
  if (typeof v === "number") return v;
  const t = v.trim().toLowerCase();
  if (t === "nan") return NaN;
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  return Number(t);
}

async function runGroup(tg: TestGroup, groupsFor: () => CompiledGroup[], evalInterval: number): Promise<string[]> {
  const storage = new MemoryStorage();
  const interval = dur(tg.interval, evalInterval);
  for (const s of tg.input_series ?? []) {
    const [labels, rest] = parseSeriesLabels(s.series);
    if (rest.trim() !== "") throw new Error(`invalid series ${JSON.stringify(s.series)}`);
    const vals = expandValues(String(s.values ?? ""));
    for (let i = 0; i < vals.kind.length; i++) if (vals.kind[i] === POS_FLOAT) storage.appendSeries(labels, i * interval, vals.v[i]!);
  }
  const engine = new Engine();
  const query = engineQueryFunc(engine, storage);
  const groups = groupsFor();
  const states: GroupState[] = groups.map((g) => {
    const st = newGroupState(g);
    // promtool's rule manager writes ALERTS from the first evaluation.
    for (const r of st.rules) r.restored = true;
    return st;
  });
  const externalLabels = labelsFromRecord(Object.fromEntries(Object.entries(tg.external_labels ?? {}).map(([k, v]) => [k, String(v)])));
  const opts = {
    query,
    externalLabels,
    externalURL: tg.external_url ?? "",
    append: async (samples: { labels: Labels; t: number; v: number }[]) => {
      for (const s of samples) storage.appendSeries(s.labels, s.t, s.v);
    },
    now: () => 0,
  };
  const alertTests = [...(tg.alert_rule_test ?? [])].map((t) => ({ ...t, at: dur(t.eval_time, 0) })).sort((a, b) => a.at - b.at);
  const exprTests = tg.promql_expr_test ?? [];
  let maxt = 0;
  for (const t of alertTests) maxt = Math.max(maxt, t.at);
  for (const t of exprTests) maxt = Math.max(maxt, dur(t.eval_time, 0));
  const errs: string[] = [];
  const testName = tg.name ? `    name: ${tg.name},\n` : "";
  let curr = 0;
  for (let ts = 0; ts <= maxt; ts += evalInterval) {
    const evalErrs: string[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      await evalGroup(g, states[i]!, ts, opts);
      g.rules.forEach((r, j) => {
        const st = states[i]!.rules[j]!;
        if (st.health === "err") evalErrs.push(`    rule: ${r.def.kind === "recording" ? r.def.record : r.def.alert}, time: ${formatGoDuration(ts * 1e6)}, err: ${st.lastError}`);
      });
    }
    if (evalErrs.length > 0) return evalErrs;
    while (curr < alertTests.length && ts <= alertTests[curr]!.at && alertTests[curr]!.at < ts + evalInterval) {
      const t = alertTests[curr]!;
      curr++;
      const got: LabelsAndAnnotations[] = [];
      groups.forEach((g, i) => {
        g.rules.forEach((r, j) => {
          if (r.def.kind !== "alerting" || r.def.alert !== t.alertname) return;
          for (const a of states[i]!.rules[j]!.active) if (a.state === "firing") got.push({ labels: a.labels, annotations: a.annotations });
        });
      });
      const exp: LabelsAndAnnotations[] = (t.exp_alerts ?? []).map((a) => ({
        labels: labelsFromRecord({ ...Object.fromEntries(Object.entries(a.exp_labels ?? {}).map(([k, v]) => [k, String(v)])), alertname: t.alertname }),
        annotations: labelsFromRecord(Object.fromEntries(Object.entries(a.exp_annotations ?? {}).map(([k, v]) => [k, String(v)]))),
      }));
      got.sort(compareLA);
      exp.sort(compareLA);
      const same = got.length === exp.length && got.every((g, k) => compareLA(g, exp[k]!) === 0);
      if (!same) {
        const pad = "            ";
        errs.push(`${testName}    alertname: ${t.alertname}, time: ${formatDuration(t.at)}, \n        exp:${indentLines(laString(exp), pad)}, \n        got:${indentLines(laString(got), pad)}`);
      }
    }
  }
  for (const t of exprTests) {
    const at = dur(t.eval_time, 0);
    const where = `    expr: ${JSON.stringify(String(t.expr))}, time: ${formatDuration(at)}`;
    let got: ParsedSample[];
    try {
      got = (await query(String(t.expr), at)).map((s) => ({ labels: s.labels, value: s.v }));
    } catch (e) {
      errs.push(`${where}, err: ${(e as Error).message}`);
      continue;
    }
    let exp: ParsedSample[];
    try {
      exp = (t.exp_samples ?? []).map((s) => {
        const [labels, rest] = parseSeriesLabels(String(s.labels));
        if (rest.trim() !== "") throw new Error(`unexpected ${JSON.stringify(rest.trim())} in ${JSON.stringify(s.labels)}`);
        return { labels, value: toNumber(s.value) };
      });
    } catch (e) {
      errs.push(`${where}, err: ${(e as Error).message}`);
      continue;
    }
    const byLabels = (a: ParsedSample, b: ParsedSample): number => compareLabels(a.labels, b.labels);
    got.sort(byLabels);
    exp.sort(byLabels);
    if (!samplesEqual(exp, got)) errs.push(`${where},\n        exp: ${samplesString(exp)}\n        got: ${samplesString(got)}`);
  }
  return errs;
}

/** Runs one test file as `promtool test rules FILE` does. */
export async function ruleUnitTest(file: string, text: string, io: UnitTestIO): Promise<UnitTestResult> {
  let stdout = `Unit Testing:  ${file}\n`;
  let stderr = "";
  let errs: string[] = [];
  try {
    const tf = (parseYaml(text) ?? {}) as TestFile;
    const evalInterval = dur(tf.evaluation_interval, 60_000);
    const ruleFiles: string[] = [];
    for (const p of tf.rule_files ?? []) {
      const m = io.glob(p);
      if (m.length === 0) stderr += `  WARNING: no file match pattern ${io.showPattern?.(p) ?? p}\n`;
      ruleFiles.push(...m);
    }
    const order = tf.group_eval_order ?? [];
    const groupsFor = (): CompiledGroup[] => {
      const groups: CompiledGroup[] = [];
      for (const f of ruleFiles) {
        for (const g of parseAndValidateRuleFile(io.read(f), f).groups) groups.push(compileGroup(g, { evaluationInterval: evalInterval, ruleQueryOffset: 0 }));
      }
      const rank = (g: CompiledGroup): number => {
        const i = order.indexOf(g.def.name);
        return i < 0 ? order.length : i;
      };
      return groups.map((g, i) => ({ g, i })).sort((a, b) => rank(a.g) - rank(b.g) || a.i - b.i).map((x) => x.g);
    };
    for (const tg of tf.tests ?? []) {
      try {
        errs.push(...(await runGroup(tg, groupsFor, evalInterval)));
      } catch (e) {
        errs.push(`    ${(e as Error).message}`);
      }
    }
  } catch (e) {
    errs = [`    ${(e as Error).message}`];
  }
  if (errs.length > 0) {
    stderr += "  FAILED:\n";
    for (const e of errs) {
      stderr += e + "\n";
      stdout += "\n";
    }
  } else {
    stdout += "  SUCCESS\n";
  }
  stdout += "\n";
  return { stdout, stderr, failed: errs.length > 0 };
}
