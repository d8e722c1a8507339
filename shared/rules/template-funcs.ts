/**
 * @module
 * Prometheus's template expander for alert labels and annotations
 * (template/template.go): the `$labels`, `$externalLabels`, `$externalURL`
 * and `$value` definitions, Prometheus's function map (humanize…, query,
 * first, label, value, sortByLabel, reReplaceAll, …) and its error text
 * (`<error expanding template: …>` is the caller's).
 *
 * `query` is asynchronous (PromQL) while Go templates run synchronously: the
 * expander runs the template, and when it meets a query it has no answer for
 * it stops, runs that query, and runs the template again with the answer
 * cached — the template is pure, so the result equals a single pass.
 */
import { RE2JS } from "re2js";
import { Template, TemplateAbort, TemplateExecError, TemplateParseError, sprintf, stringMap, typed, variadic, formatValue } from "../template/index.ts";
import type { FuncMap } from "../template/index.ts";
import { parseDuration } from "../promql/duration.ts";
import { formatGoDuration, formatGoTime } from "./go-time.ts";

/** One element of a query result in a template (Go's `sample`). */
export class Sample {
  Labels: Record<string, string>;
  Value: number;
  constructor(labels: Record<string, string>, value: number) {
    this.Labels = stringMap({ ...labels });
    this.Value = value;
  }
}

/** A query's result in a template (Go's named slice type `queryResult`). */
export class QueryResult extends Array<Sample> {}
// Go's type is unexported; errors name it template.queryResult.
Object.defineProperty(QueryResult, "name", { value: "queryResult" });

/** The template's data (Go's AlertTemplateData). */
export class AlertTemplateData {
  Labels: Record<string, string>;
  ExternalLabels: Record<string, string>;
  ExternalURL: string;
  Value: number;
  constructor(labels: Record<string, string>, externalLabels: Record<string, string>, externalURL: string, value: number) {
    this.Labels = stringMap({ ...labels });
    this.ExternalLabels = stringMap({ ...externalLabels });
    this.ExternalURL = externalURL;
    this.Value = value;
  }
}

/** Runs an instant query at the template's time; returns the vector as samples (scalars become one sample). */
export type TemplateQueryFn = (query: string) => Promise<{ labels: Record<string, string>; value: number }[]>;

class NeedQuery extends TemplateAbort {
  readonly query: string;
  constructor(query: string) {
    super(`query ${query}`);
    this.query = query;
  }
}

/** Go's convertToFloat for the humanize functions. */
function toFloat(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") {
    const t = v.trim() === v ? v : "";
    const n = /^[+-]?(inf|infinity)$/i.test(t) ? (t.startsWith("-") ? -Infinity : Infinity) : /^[+-]?nan$/i.test(t) ? NaN : t === "" ? NaN : Number(t.replace(/_/g, ""));
    if (Number.isNaN(n) && !/nan$/i.test(t)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return n;
  }
  throw new Error(`can't convert ${v === null || v === undefined ? "<nil>" : typeof v === "boolean" ? "bool" : "template.value"} to float`);
}

const g4 = (v: number): string => sprintf("%.4g", [v]);

export function humanize(i: unknown): string {
  let v = toFloat(i);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = "";
    for (const p of ["k", "M", "G", "T", "P", "E", "Z", "Y"]) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  let prefix = "";
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

export function humanize1024(i: unknown): string {
  let v = toFloat(i);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = "";
  for (const p of ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

export function humanizeDuration(i: unknown): string {
  let v = toFloat(i);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v) + "s";
  if (Math.abs(v) >= 1) {
    let sign = "";
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    const d = Math.trunc(v);
    const seconds = d % 60;
    const minutes = Math.trunc(d / 60) % 60;
    const hours = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = "";
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

export function humanizePercentage(i: unknown): string {
  return sprintf("%.4g%%", [toFloat(i) * 100]);
}

/** Go's floatToTime: seconds → ms precision time, as model.Time does. */
function floatToTimeMs(v: number): number {
  const ns = v * 1e9;
  if (ns > 9223372036854775807 || ns < -9223372036854775808) throw new Error(`${formatValue(v)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  return Math.trunc(ns / 1e6);
}

export function humanizeTimestamp(i: unknown): string {
  const v = toFloat(i);
  if (!Number.isFinite(v)) return g4(v);
  return formatGoTime(floatToTimeMs(v));
}

class GoTime {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
  String(): string {
    return formatGoTime(this.ms);
  }
  Unix(): bigint {
    return BigInt(Math.floor(this.ms / 1000));
  }
}

class GoDuration {
  readonly ns: number;
  constructor(ns: number) {
    this.ns = ns;
  }
  String(): string {
    return formatGoDuration(this.ns);
  }
  Seconds(): number {
    return this.ns / 1e9;
  }
}

/** Go's url.QueryEscape for links. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

export function tableLinkForExpression(expr: string): string {
  return `/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`;
}

export function graphLinkForExpression(expr: string): string {
  return `/graph?g0.expr=${queryEscape(expr)}&g0.tab=0`;
}

/** Go's strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const c of s) {
    const sep = !/[\p{L}\p{Nd}_]/u.test(prev);
    out += sep ? c.toUpperCase() : c;
    prev = c;
  }
  return out;
}

function compileRe(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    throw new Error(`regexp: Compile(${JSON.stringify(pattern)}): ${(e as Error).message}`);
  }
}

/** Go's Regexp.ReplaceAllString with its $1 / ${name} expansion. */
function reReplaceAll(pattern: string, repl: string, text: string): string {
  const re = compileRe(pattern);
  const m = re.matcher(text);
  let out = "";
  let last = 0;
  let searchFrom = 0;
  while (searchFrom <= text.length && m.find(searchFrom)) {
    const start = m.start();
    const end = m.end();
    out += text.slice(last, start);
    out += repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, tok: string, braced?: string, bare?: string) => {
      if (tok === "$") return "$";
      const name = braced ?? bare!;
      const idx = /^\d+$/.test(name) ? Number(name) : undefined;
      try {
        const g = idx !== undefined ? (idx <= m.groupCount() ? m.group(idx) : null) : m.group(name);
        return g ?? "";
      } catch {
        return "";
      }
    });
    last = end;
    searchFrom = end === start ? end + 1 : end;
  }
  return out + text.slice(last);
}

export interface ExpandOptions {
  /** Template name for errors: `__alert_<name>`. */
  name: string;
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  externalURL: string;
  value: number;
  /** Evaluation time, ms. */
  ts: number;
  query: TemplateQueryFn;
}

const DEFS = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

/** Prometheus's template function map; `answers` holds the query results known so far. */
export function prometheusFuncs(opts: Pick<ExpandOptions, "externalURL" | "ts">, answers: Map<string, Sample[] | Error>): FuncMap {
  const pathPrefix = (): string => {
    try {
      return new URL(opts.externalURL).pathname.replace(/\/$/, "");
    } catch {
      return "";
    }
  };
  return {
    query: typed(["string"], (q: string) => {
      const a = answers.get(q);
      if (a === undefined) throw new NeedQuery(q);
      if (a instanceof Error) throw a;
      return a;
    }),
    first: (v: Sample[]) => {
      if (Array.isArray(v) && v.length > 0) return v[0];
      throw new Error("first() called on vector with no elements");
    },
    label: typed(["string", "any"], (name: string, s: Sample) => (s?.Labels ? (s.Labels[name] ?? "") : "")),
    value: (s: Sample) => s.Value,
    strvalue: (s: Sample) => s.Labels["__value__"] ?? "",
    args: variadic((...a: unknown[]) => Object.fromEntries(a.map((v, i) => [`arg${i}`, v]))),
    reReplaceAll: typed(["string", "string", "string"], (pattern: string, repl: string, text: string) => reReplaceAll(pattern, repl, text)),
    safeHtml: typed(["string"], (text: string) => text),
    match: typed(["string", "string"], (pattern: string, text: string) => compileRe(pattern).matcher(text).find()),
    title: typed(["string"], (s: string) => title(s)),
    toUpper: typed(["string"], (s: string) => s.toUpperCase()),
    toLower: typed(["string"], (s: string) => s.toLowerCase()),
    graphLink: typed(["string"], (expr: string) => graphLinkForExpression(expr)),
    tableLink: typed(["string"], (expr: string) => tableLinkForExpression(expr)),
    sortByLabel: typed(["string", "any"], (label: string, v: Sample[]) =>
      QueryResult.from(v).sort((a, b) => ((a.Labels[label] ?? "") < (b.Labels[label] ?? "") ? -1 : (a.Labels[label] ?? "") > (b.Labels[label] ?? "") ? 1 : 0)),
    ),
    humanize,
    humanize1024,
    humanizeDuration,
    humanizePercentage,
    humanizeTimestamp,
    toTime: (i: unknown) => {
      const v = toFloat(i);
      if (!Number.isFinite(v)) throw new Error("time value is NaN or Inf");
      return new GoTime(floatToTimeMs(v));
    },
    toDuration: (i: unknown) => {
      const v = toFloat(i);
      if (!Number.isFinite(v)) throw new Error("duration value is NaN or Inf");
      return new GoDuration(Math.round(v * 1e9));
    },
    pathPrefix: () => pathPrefix(),
    externalURL: () => opts.externalURL,
    parseDuration: typed(["string"], (d: string) => parseDuration(d) / 1000),
    now: () => opts.ts / 1000,
    stripPort: typed(["string"], (hostPort: string) => {
      const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostPort) ?? /^([^:]+):\d+$/.exec(hostPort);
      return m ? m[1]! : hostPort;
    }),
    stripDomain: typed(["string"], (hostPort: string) => {
      const m = /^(.*?)(:\d+)?$/.exec(hostPort)!;
      const host = m[1]!;
      if (host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host)) return hostPort;
      const dot = host.indexOf(".");
      return (dot < 0 ? host : host.slice(0, dot)) + (m[2] ?? "");
    }),
  };
}

/** Parses a rule template as Prometheus does at load time (promtool check rules). */
export function checkTemplate(name: string, text: string): string | undefined {
  try {
    new Template(name).option("missingkey=zero").funcs(prometheusFuncs({ externalURL: "", ts: 0 }, new Map())).parse(DEFS + text);
    return undefined;
  } catch (e) {
    if (e instanceof TemplateParseError) return e.message;
    throw e;
  }
}

interface Compiled {
  tmpl: Template;
  /** What the functions of the parsed template read; set before each (synchronous) execute. */
  ctx: { opts: Pick<ExpandOptions, "externalURL" | "ts">; answers: Map<string, Sample[] | Error> };
}

/** Parsed templates by name and text: rules expand the same few texts for every alert. */
const cache = new Map<string, Compiled>();
const CACHE_MAX = 10_000;

function compile(name: string, text: string): Compiled {
  const key = `${name}\x00${text}`;
  let c = cache.get(key);
  if (c !== undefined) return c;
  const ctx: Compiled["ctx"] = { opts: { externalURL: "", ts: 0 }, answers: new Map() };
  // Each function reads the current context, so one parse serves every expansion.
  const funcs = prometheusFuncs({ get externalURL() { return ctx.opts.externalURL; }, get ts() { return ctx.opts.ts; } }, {
    get: (q: string) => ctx.answers.get(q),
  } as Map<string, Sample[] | Error>);
  let tmpl: Template;
  try {
    tmpl = new Template(name).option("missingkey=zero").funcs(funcs).parse(DEFS + text);
  } catch (e) {
    throw new Error(`error parsing template ${name}: ${(e as Error).message}`);
  }
  c = { tmpl, ctx };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, c);
  return c;
}

/** Expands one label or annotation template; throws Prometheus's "error parsing/executing template" errors. */
export async function expandTemplate(text: string, opts: ExpandOptions): Promise<string> {
  // Fast path: most label values are plain text.
  if (!text.includes("{{")) return text;
  const { tmpl, ctx } = compile(opts.name, text);
  const answers = new Map<string, Sample[] | Error>();
  const data = new AlertTemplateData(opts.labels, opts.externalLabels, opts.externalURL, opts.value);
  for (let pass = 0; pass < 100; pass++) {
    try {
      ctx.opts = opts;
      ctx.answers = answers;
      return tmpl.execute(data);
    } catch (e) {
      if (e instanceof NeedQuery) {
        try {
          const rows = await opts.query(e.query);
          answers.set(e.query, QueryResult.from(rows.map((r) => new Sample(r.labels, r.value))));
        } catch (qe) {
          answers.set(e.query, qe instanceof Error ? qe : new Error(String(qe)));
        }
        continue;
      }
      if (e instanceof TemplateExecError) throw new Error(`error executing template ${opts.name}: ${e.message}`);
      throw e;
    }
  }
  throw new Error(`error executing template ${opts.name}: too many queries`);
}
