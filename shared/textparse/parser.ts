/**
 * @module
 * The pull parser for both text dialects, modelled on Prometheus's
 * model/textparse: `next()` advances to the next entry (a series sample, HELP,
 * TYPE, UNIT or comment) and the accessors read it. It scans the UTF-16 code
 * units of the decoded body in a Uint16Array (several times faster than
 * charCodeAt in V8), never runs a regex per line, and builds label sets only
 * when asked (`labels()`), so a caller can key a cache on `series()` instead.
 *
 * The two dialects differ where Prometheus's lexers do: the 0.0.4 text format
 * allows spaces and tabs between tokens, comments, blank lines and commas
 * left out between labels; OpenMetrics wants single spaces, commas, `# EOF`,
 * and adds UNIT, float-second timestamps and exemplars.
 */
import { METRIC_NAME, quoteString, type Label, type Labels } from "../labels/labels.ts";
import type { ExpositionFormat } from "./content-type.ts";
import { ParseError } from "./errors.ts";
import { FamilyChecker, type MetadataKind, type MetricType } from "./family.ts";
import { floatErrorMessage, formatOpenMetricsFloat, parseGoFloat, parseGoFloatAt } from "./go-float.ts";
import { decodeBody } from "./input.ts";
import { capText, quoteCapped } from "../format/cap-text.ts";
import { detach, hashStep, internSpan, SpanTable, VIEW_MIN_LENGTH } from "./intern.ts";

export type EntryKind = "series" | "help" | "type" | "unit" | "comment" | "eof";

export interface Exemplar {
  labels: Labels;
  value: number;
  /** Milliseconds, when the exemplar carries a timestamp. */
  timestamp?: number;
}

export interface ParserOptions {
  /**
   * Also apply the checks of Go's expfmt TextParser and the OpenMetrics spec
   * that Prometheus's scrape parsers skip: one HELP/TYPE/UNIT per family,
   * TYPE before samples, no interleaved OpenMetrics families, float `le` and
   * `quantile` values. Off by default, like a Prometheus scrape.
   */
  strict?: boolean;
  /**
   * Skip OpenMetrics `_created` samples of counters, histograms and summaries
   * (Prometheus does when created-timestamp ingestion is on). Default: keep
   * them as ordinary samples, as Prometheus does by default.
   */
  skipCreatedSeries?: boolean;
}

// Character classes of ASCII codes.
const L_START = 1; // [a-zA-Z_]
const L_CONT = 2; // [a-zA-Z0-9_]
const M_START = 4; // [a-zA-Z_:]
const M_CONT = 8; // [a-zA-Z0-9_:]
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  const digit = c >= 48 && c <= 57;
  CLASS[c] = (alpha ? L_START | L_CONT | M_START | M_CONT : 0) | (digit ? L_CONT | M_CONT : 0) | (c === 58 ? M_START | M_CONT : 0);
}

const NL = 10;
const SP = 32;
const TAB = 9;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUAL = 61;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;

const TEXT_TYPES: Readonly<Record<string, MetricType>> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  summary: "summary",
  untyped: "unknown",
};
const OM_TYPES: Readonly<Record<string, MetricType>> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  gaugehistogram: "gaugehistogram",
  summary: "summary",
  info: "info",
  stateset: "stateset",
  unknown: "unknown",
};

const MAX_INT64 = 9223372036854775807n;

// Label and metric names repeat across lines and scrapes: one table for all
// parsers, bounded so hostile input cannot grow it without limit.
const NAMES = new SpanTable<string>(50_000);

// How much text one retained label value can keep alive at most (see labels()).
const CHUNK_LENGTH = 4096;

/** Decodes `\\`, `\"` and `\n` (and, for HELP in the 0.0.4 format, only `\\` and `\n`); others stay verbatim. */
function unescape(s: string, start: number, end: number, quotes: boolean): string {
  let out = "";
  let from = start;
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) !== BACKSLASH || i + 1 >= end) continue;
    const c = s.charCodeAt(i + 1);
    const rep = c === BACKSLASH ? "\\" : c === 110 ? "\n" : c === QUOTE && quotes ? '"' : undefined;
    if (rep === undefined) {
      i++; // an unknown escape keeps both characters
      continue;
    }
    out += s.slice(from, i) + rep;
    i++;
    from = i + 1;
  }
  return detach(out + s.slice(from, end));
}

/** Up to this many labels, quadratic loops beat building a Set or calling sort. */
const QUADRATIC_MAX = 64;

/**
 * One line's label pairs: names as strings, values as offsets into the text
 * (a negative end marks escapes), so a line costs no value strings until a
 * caller asks for its labels.
 */
class LabelScratch {
  names: string[] = [];
  /** Where an unquoted names[k] was read in the text; -1 for quoted names. */
  nameStarts: number[] = [];
  starts: number[] = [];
  ends: number[] = [];
  count = 0;
  /** Entries the previous line left, still readable until overwritten. */
  previousCount = 0;

  reset(): void {
    this.previousCount = this.count;
    this.count = 0;
  }

  push(name: string, nameStart: number, start: number, end: number): void {
    const k = this.count++;
    this.names[k] = name;
    this.nameStarts[k] = nameStart;
    this.starts[k] = start;
    this.ends[k] = end;
  }

  /** The decoded value of pair k in text s, possibly a view into s (for short-lived use). */
  value(k: number, s: string): string {
    const a = this.starts[k]!;
    const e = this.ends[k]!;
    return e < 0 ? unescape(s, a, -e, true) : s.slice(a, e);
  }

  /** The first name that occurs twice, or __name__ (which the metric name already sets), if any. */
  duplicate(): string | undefined {
    const { names, count } = this;
    if (count > 0 && names[0] === METRIC_NAME) return METRIC_NAME;
    if (count > QUADRATIC_MAX) {
      // Linear for long lists (a hostile line), in the same order as below.
      const seen = new Set<string>([names[0]!]);
      for (let a = 1; a < count; a++) {
        const x = names[a]!;
        if (x === METRIC_NAME || seen.has(x)) return x;
        seen.add(x);
      }
      return undefined;
    }
    for (let a = 1; a < count; a++) {
      const x = names[a]!;
      if (x === METRIC_NAME) return x;
      for (let b = 0; b < a; b++) if (names[b] === x) return x;
    }
    return undefined;
  }
}

/** Whether b[a, a + len) equals b[c, c + len). */
function sameText(b: Uint16Array, a: number, c: number, len: number): boolean {
  for (let x = 0; x < len; x++) if (b[a + x] !== b[c + x]) return false;
  return true;
}

/**
 * Sorts by name in place (insertion sort: exposition labels are nearly
 * sorted); long lists take the library sort, so a hostile line with 100,000
 * labels costs n log n, not n².
 */
function sortLabels(ls: Label[]): void {
  if (ls.length > QUADRATIC_MAX) {
    ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return;
  }
  for (let i = 1; i < ls.length; i++) {
    const x = ls[i]!;
    let j = i - 1;
    if (ls[j]!.name <= x.name) continue;
    while (j >= 0 && ls[j]!.name > x.name) {
      ls[j + 1] = ls[j]!;
      j--;
    }
    ls[j + 1] = x;
  }
}

export class ExpositionParser {
  readonly format: ExpositionFormat;

  /** Series: its metric name. HELP/TYPE/UNIT: the family name. */
  metricName = "";
  /** HELP text, UNIT text or the comment line, for those entries. */
  text = "";
  /** The type of a TYPE entry. */
  type: MetricType = "unknown";
  /** Sample value (Prometheus's canonical NaN for any NaN). */
  value = 0;
  /** Sample timestamp in ms, when the line has one. */
  timestamp: number | undefined = undefined;
  /** 1-based line of the current entry. */
  line = 0;

  readonly #s: string;
  /** The char codes of #s plus a 0 sentinel: typed-array reads are much faster than charCodeAt. */
  readonly #b: Uint16Array;
  readonly #n: number;
  readonly #om: boolean;
  readonly #skipCreated: boolean;
  readonly #checker: FamilyChecker | undefined;
  readonly #strict: boolean;
  readonly #invalidUtf8Line: number | undefined;
  #pos = 0;
  #lineNo = 1;
  #lineStart = 0;
  #seriesStart = 0;
  #seriesEnd = 0;
  #nameSet = false;
  /** Where the current metricName was read as an unquoted sample name; -1 otherwise. */
  #nameStart = -1;
  #eofSeen = false;
  /** A private copy of #s[#chunkStart, #chunkEnd) that long label values are cut from. */
  #chunk = "";
  #chunkStart = 0;
  #chunkEnd = 0;
  #error: ParseError | undefined = undefined;
  /** The type of the last TYPE line, as Prometheus uses it for `le`/`quantile` normalisation. */
  #lastType: MetricType = "unknown";
  readonly #labels = new LabelScratch();
  /** One shared (immutable) __name__ Label per metric name. */
  readonly #nameLabels = new Map<string, Label>();
  /** The last one handed out: consecutive lines usually share it. */
  #nameLabel: Label = { name: METRIC_NAME, value: "" };
  readonly #exLabels = new LabelScratch();
  #hasExemplar = false;
  #exValue = 0;
  #exTs: number | undefined = undefined;

  constructor(body: Uint8Array | string, format: ExpositionFormat, options: ParserOptions = {}) {
    const decoded = decodeBody(body);
    this.format = format;
    this.#s = decoded.text;
    this.#b = decoded.codes;
    this.#n = decoded.text.length;
    this.#invalidUtf8Line = decoded.invalidUtf8Line;
    this.#om = format === "openmetrics";
    this.#skipCreated = options.skipCreatedSeries === true;
    this.#strict = options.strict === true;
    this.#checker = this.#strict ? new FamilyChecker(this.#om) : undefined;
  }

  /**
   * Advances to the next entry; "eof" at the end. Throws ParseError on
   * malformed input, and the same error again on every later call.
   */
  next(): EntryKind {
    if (this.#error) throw this.#error;
    const b = this.#b;
    const n = this.#n;
    for (;;) {
      let p = this.#pos;
      this.line = this.#lineNo;
      this.#lineStart = p;
      this.#hasExemplar = false;
      if (!this.#om) {
        let c = b[p];
        while (c === SP || c === TAB) c = b[++p];
        if (p >= n) return this.#atEnd();
        if (c === NL) {
          this.#pos = p + 1;
          this.#lineNo++;
          continue;
        }
        if (c === HASH) return this.#textComment(p);
        if (c === LBRACE || (c < 128 && CLASS[c]! & M_START)) {
          if (this.#sample(p)) return "series";
          continue;
        }
        this.#fail(this.#expected("expected a valid start token", p));
      }
      if (p >= n) return this.#atEnd();
      const c = b[p];
      if (c === HASH) return this.#omComment(p);
      if (c === LBRACE || (c < 128 && CLASS[c]! & M_START)) {
        if (this.#sample(p)) return "series";
        continue;
      }
      this.#fail(this.#expected("expected a valid start token", p));
    }
  }

  /** The label set of the current series: sorted, with __name__, empty values dropped. */
  labels(): Labels {
    const s = this.#s;
    let nameLabel = this.#nameLabel;
    if (nameLabel.value !== this.metricName) {
      nameLabel = this.#nameLabels.get(this.metricName) ?? { name: METRIC_NAME, value: this.metricName };
      this.#nameLabels.set(this.metricName, nameLabel);
      this.#nameLabel = nameLabel;
    }
    const out: Label[] = [nameLabel];
    const scratch = this.#labels;
    const { names, count } = scratch;
    const norm = this.#lastType === "histogram" ? "le" : this.#lastType === "summary" ? "quantile" : "";
    for (let k = 0; k < count; k++) {
      const a = scratch.starts[k]!;
      const e = scratch.ends[k]!;
      if (a === e) continue;
      let value: string;
      if (e < 0) value = unescape(s, a, -e, true);
      else if (e - a < VIEW_MIN_LENGTH) value = s.slice(a, e);
      else {
        // Long substrings are views that would keep the whole body alive:
        // make them views into a private copy of a few KB around the line.
        if (a < this.#chunkStart || e > this.#chunkEnd) this.#copyChunk();
        value = this.#chunk.slice(a - this.#chunkStart, e - this.#chunkStart);
      }
      const name = names[k]!;
      if (name === norm) value = normalizeFloatLabel(value);
      out.push({ name, value });
    }
    sortLabels(out);
    return out;
  }

  /** Copies the text from the current series on, at least CHUNK_LENGTH chars of it. */
  #copyChunk(): void {
    const start = this.#seriesStart;
    const end = Math.min(this.#n, Math.max(start + CHUNK_LENGTH, this.#seriesEnd));
    this.#chunk = detach(this.#s.slice(start, end));
    this.#chunkStart = start;
    this.#chunkEnd = end;
  }

  /**
   * The raw text of the current series (name and braces), a cheap cache key
   * (Prometheus's scrape cache uses it the same way). It is a view into the
   * body: keep a `copyString` of it, not the view, or the whole body stays alive.
   */
  series(): string {
    return this.#s.slice(this.#seriesStart, this.#seriesEnd);
  }

  /** The exemplar of the current sample (OpenMetrics only). */
  exemplar(): Exemplar | undefined {
    if (!this.#hasExemplar) return undefined;
    const ex = this.#exLabels;
    const ls: Label[] = [];
    for (let k = 0; k < ex.count; k++) {
      const value = detach(ex.value(k, this.#s));
      if (value !== "") ls.push({ name: ex.names[k]!, value });
    }
    sortLabels(ls);
    const e: Exemplar = { labels: ls, value: this.#exValue };
    if (this.#exTs !== undefined) e.timestamp = this.#exTs;
    return e;
  }

  #atEnd(): EntryKind {
    this.#pos = this.#n;
    if (this.#invalidUtf8Line !== undefined) this.#fail("invalid UTF-8 in exposition", this.#invalidUtf8Line);
    if (this.#om && !this.#eofSeen) this.#fail("data does not end with # EOF");
    return "eof";
  }

  /** The current line up to `end`, quoted, at most QUOTE_LIMIT characters of it (format/cap-text.ts). */
  #quoteLine(end: number): string {
    return quoteCapped(this.#s.slice(this.#lineStart, end), quoteString);
  }

  #fail(detail: string, line = this.line): never {
    this.#error = new ParseError(line, detail);
    throw this.#error;
  }

  /** Prometheus's "X, got Y while parsing: Z" message for the token at i. */
  #expected(what: string, i: number): string {
    const s = this.#s;
    const got = i >= this.#n ? "end of input" : quoteString(s[i]!);
    const upTo = Math.min(i + 1, this.#n);
    return `${what}, got ${got} while parsing: ${this.#quoteLine(upTo)}`;
  }

  #endOfLine(p: number): number {
    const e = this.#s.indexOf("\n", p);
    return e < 0 ? this.#n : e;
  }

  #skipBlank(p: number): number {
    const b = this.#b;
    let c = b[p];
    while (c === SP || c === TAB) c = b[++p];
    return p;
  }

  /** A quoted string at p (opening quote); returns the end (after the closing quote) or -1. */
  #quotedEnd(p: number, allowNewline: boolean): number {
    const b = this.#b;
    const n = this.#n;
    let i = p + 1;
    while (i < n) {
      const c = b[i];
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) i += 2;
      else {
        if (c === NL && !allowNewline) return -1;
        i++;
      }
    }
    return -1;
  }

  #quotedValue(p: number, end: number): string {
    const s = this.#s;
    const b = this.#b;
    for (let i = p + 1; i < end - 1; i++) {
      if (b[i] === BACKSLASH) return unescape(s, p + 1, end - 1, true);
    }
    return detach(s.slice(p + 1, end - 1));
  }

  /** A metric name after HELP/TYPE/UNIT: plain or quoted. Returns its end. */
  #metaName(kind: MetadataKind, p: number): number {
    const s = this.#s;
    const b = this.#b;
    const c = b[p];
    this.#nameStart = -1; // metricName no longer matches the last sample line
    if (c === QUOTE) {
      const end = this.#quotedEnd(p, false);
      if (end < 0) this.#fail(this.#expected(`expected metric name after ${kind}`, p));
      this.metricName = this.#quotedValue(p, end);
      return end;
    }
    if (!(c < 128 && CLASS[c]! & M_START)) this.#fail(this.#expected(`expected metric name after ${kind}`, p));
    let i = p + 1;
    let h = hashStep(0, c);
    for (let d = b[i]; d < 128 && CLASS[d]! & M_CONT; d = b[++i]) h = hashStep(h, d);
    this.metricName = internSpan(NAMES, s, p, i, h);
    return i;
  }

  #textComment(p: number): EntryKind {
    const s = this.#s;
    const b = this.#b;
    const eol = this.#endOfLine(p);
    this.#pos = eol + 1;
    this.#lineNo++;
    const afterHash = b[p + 1];
    if (afterHash === SP || afterHash === TAB) {
      const k = this.#skipBlank(p + 1);
      const word = s.slice(k, k + 4);
      const sep = b[k + 4];
      if ((word === "HELP" || word === "TYPE") && (sep === SP || sep === TAB)) {
        const nameEnd = this.#metaName(word, this.#skipBlank(k + 5));
        // The rest of the line, minus the one separator Prometheus's lexer drops.
        const rest = this.#skipBlank(nameEnd) >= eol ? "" : s.slice(nameEnd + 1, eol);
        if (word === "HELP") {
          this.text = rest.includes("\\") ? unescape(rest, 0, rest.length, false) : detach(rest);
          return this.#meta("HELP", "help");
        }
        const t = TEXT_TYPES[rest];
        if (t === undefined || !Object.hasOwn(TEXT_TYPES, rest)) this.#fail(`invalid metric type ${quoteCapped(rest, quoteString)}`);
        this.type = t;
        this.#lastType = t;
        return this.#meta("TYPE", "type");
      }
    }
    this.text = s.slice(p, eol);
    return "comment";
  }

  #meta(kind: MetadataKind, entry: EntryKind): EntryKind {
    if (this.#checker) {
      const err = this.#checker.metadata(kind, this.metricName, this.type);
      if (err !== undefined) this.#fail(err);
    }
    return entry;
  }

  #omComment(p: number): EntryKind {
    const s = this.#s;
    const b = this.#b;
    if (b[p + 1] !== SP) this.#fail(this.#expected("expected a valid start token", p));
    const word = s.slice(p + 2, p + 6);
    if (s.startsWith("EOF", p + 2)) {
      let end = p + 5;
      if (b[end] === NL) end++;
      if (end < this.#n || this.#invalidUtf8Line !== undefined) this.#fail("unexpected data after # EOF");
      this.#eofSeen = true;
      this.#pos = this.#n;
      return "eof";
    }
    if ((word !== "HELP" && word !== "TYPE" && word !== "UNIT") || b[p + 6] !== SP) {
      this.#fail(this.#expected("expected a valid start token", p + 2));
    }
    const nameEnd = this.#metaName(word, p + 7);
    const eol = this.#s.indexOf("\n", nameEnd);
    if (b[nameEnd] !== SP || eol < 0) this.#fail(`expected text in ${word}`);
    this.#pos = eol + 1;
    this.#lineNo++;
    if (word === "HELP") {
      this.text = unescape(s, nameEnd + 1, eol, true);
      return this.#meta("HELP", "help");
    }
    const text = s.slice(nameEnd + 1, eol);
    if (word === "TYPE") {
      const t = OM_TYPES[text];
      if (t === undefined || !Object.hasOwn(OM_TYPES, text)) this.#fail(`invalid metric type ${quoteCapped(text, quoteString)}`);
      this.type = t;
      this.#lastType = t;
      return this.#meta("TYPE", "type");
    }
    const m = this.metricName;
    if (text !== "" && !(m.length > text.length && m.endsWith(text) && m[m.length - text.length - 1] === "_")) {
      this.#fail(`unit ${quoteCapped(text, quoteString)} not a suffix of metric ${quoteCapped(m, quoteString)}`);
    }
    this.text = detach(text);
    return this.#meta("UNIT", "unit");
  }

  /** Parses one sample line at p. Returns false when the line is skipped (a `_created` sample). */
  #sample(p: number): boolean {
    const s = this.#s;
    const b = this.#b;
    const n = this.#n;
    const om = this.#om;
    const labels = this.#labels;
    labels.reset();
    this.#nameSet = false;
    this.#seriesStart = p;
    let i = p;
    const first = b[p];
    if (first !== LBRACE) {
      // Lines of a family repeat the previous line's name: compare before hashing.
      const prevStart = this.#nameStart;
      const len = this.metricName.length;
      if (prevStart >= 0 && p + len < n && sameText(b, prevStart, p, len) && !(b[p + len]! < 128 && CLASS[b[p + len]!]! & M_CONT)) {
        i = p + len;
      } else {
        i++;
        let h = hashStep(0, first);
        for (let d = b[i]; d < 128 && CLASS[d]! & M_CONT; d = b[++i]) h = hashStep(h, d);
        this.metricName = internSpan(NAMES, s, p, i, h);
      }
      this.#nameStart = p;
      this.#nameSet = true;
      if (!om) i = this.#skipBlank(i);
      if (b[i] === LBRACE) i = this.#labelSet(i + 1, labels, false);
    } else {
      i = this.#labelSet(p + 1, labels, false);
    }
    if (!this.#nameSet) this.#fail(`metric name not set while parsing: ${quoteCapped(s.slice(p, i), quoteString)}`);
    const dup = labels.duplicate();
    if (dup !== undefined) this.#fail(`label name ${quoteCapped(dup, quoteString)} is not unique`);
    this.#seriesEnd = i;

    // Value.
    let vStart: number;
    if (om) {
      if (b[i] !== SP) this.#fail(this.#expected("expected value after metric", i));
      vStart = i + 1;
    } else {
      vStart = this.#skipBlank(i);
    }
    let v = vStart;
    for (let c = b[v]; v < n && c !== SP && c !== NL && (om || (c !== TAB && c !== LBRACE)); c = b[++v]);
    if (v === vStart) this.#fail(this.#expected("expected value after metric", v));
    const value = parseGoFloatAt(s, b, vStart, v);
    if (value === undefined) this.#fail(`${floatErrorMessage(capText(s.slice(vStart, v)))} while parsing: ${quoteCapped(s.slice(p, v), quoteString)}`);
    this.value = value;
    this.timestamp = undefined;
    i = om ? this.#omSampleEnd(v) : this.#textSampleEnd(v);
    if (b[i] === NL) i++;
    this.#pos = i;
    this.#lineNo++;

    if (this.#skipCreated && om && this.metricName.endsWith("_created")) {
      const t = this.#lastType;
      if (t === "counter" || t === "histogram" || t === "summary") return false;
    }
    if (this.#strict) this.#strictSampleChecks();
    return true;
  }

  /** After the value in the 0.0.4 format: optional integer ms timestamp, then end of line. */
  #textSampleEnd(v: number): number {
    const b = this.#b;
    const n = this.#n;
    let i = this.#skipBlank(v);
    let c = b[i];
    if (i >= n || c === NL) return i;
    if (!(c >= 48 && c <= 57)) this.#fail(this.#expected("expected timestamp or new record", i));
    const tStart = i;
    while (c >= 48 && c <= 57) c = b[++i];
    this.timestamp = this.#parseTimestampMs(tStart, i);
    i = this.#skipBlank(i);
    if (i < n && b[i] !== NL) this.#fail(this.#expected("expected next entry after timestamp", i));
    return i;
  }

  #parseTimestampMs(start: number, end: number): number {
    const t = this.#s.slice(start, end);
    if (end - start > 15 && BigInt(t) > MAX_INT64) {
      this.#fail(`strconv.ParseInt: parsing ${quoteCapped(t, quoteString)}: value out of range while parsing: ${this.#quoteLine(end)}`);
    }
    return Number(t);
  }

  /** After the value in OpenMetrics: optional float-seconds timestamp, optional exemplar, newline. */
  #omSampleEnd(v: number): number {
    const s = this.#s;
    const b = this.#b;
    const n = this.#n;
    if (v >= n) this.#fail("data does not end with # EOF");
    if (b[v] === NL) return v;
    // s[v] is a space.
    if (s.startsWith("# {", v + 1)) return this.#omExemplar(v + 4);
    const tStart = v + 1;
    let i = tStart;
    for (let c = b[i]; i < n && c !== SP && c !== NL; c = b[++i]);
    if (i === tStart) this.#fail(this.#expected("expected timestamp or new record", i));
    this.timestamp = this.#omTimestamp(tStart, i, "timestamp");
    if (i >= n) this.#fail("data does not end with # EOF");
    if (b[i] === NL) return i;
    if (s.startsWith(" # {", i)) return this.#omExemplar(i + 4);
    this.#fail(this.#expected("expected next entry after timestamp", i));
  }

  #omTimestamp(start: number, end: number, what: string): number {
    const ts = parseGoFloatAt(this.#s, this.#b, start, end);
    if (ts === undefined) {
      this.#fail(`${floatErrorMessage(capText(this.#s.slice(start, end)))} while parsing: ${this.#quoteLine(end)}`);
    }
    if (!Number.isFinite(ts)) this.#fail(`invalid ${what} ${ts}`);
    // Seconds to ms, truncated toward zero like Go's int64(ts * 1000).
    return Math.trunc(ts * 1000);
  }

  /** `# {labels} value [timestamp]` after a sample; p is just past the "{". */
  #omExemplar(p: number): number {
    const s = this.#s;
    const b = this.#b;
    const n = this.#n;
    const ex = this.#exLabels;
    ex.reset();
    let i = this.#labelSet(p, ex, true);
    const dup = ex.duplicate();
    if (dup !== undefined) this.#fail(`exemplar label name ${quoteCapped(dup, quoteString)} is not unique`);
    if (b[i] !== SP) this.#fail(this.#expected("expected value after exemplar labels", i));
    const vStart = i + 1;
    i = vStart;
    for (let c = b[i]; i < n && c !== SP && c !== NL; c = b[++i]);
    if (i === vStart) this.#fail(this.#expected("expected value after exemplar labels", i));
    const value = parseGoFloatAt(s, b, vStart, i);
    if (value === undefined) this.#fail(`${floatErrorMessage(capText(s.slice(vStart, i)))} while parsing: ${this.#quoteLine(i)}`);
    this.#exValue = value;
    this.#exTs = undefined;
    if (i < n && b[i] === SP) {
      const tStart = i + 1;
      i = tStart;
      for (let c = b[i]; i < n && c !== SP && c !== NL; c = b[++i]);
      if (i === tStart) this.#fail(this.#expected("expected timestamp or comment", i));
      this.#exTs = this.#omTimestamp(tStart, i, "exemplar timestamp");
    }
    if (i >= n) this.#fail("data does not end with # EOF");
    if (b[i] !== NL) this.#fail(this.#expected("expected next entry after exemplar timestamp", i));
    this.#hasExemplar = true;
    return i;
  }

  /**
   * Parses label pairs after "{" into `into`; returns the index after "}". A
   * quoted string standing alone is the metric name (Prometheus 3 UTF-8 names).
   */
  #labelSet(p: number, into: LabelScratch, exemplar: boolean): number {
    const s = this.#s;
    const b = this.#b;
    const n = this.#n;
    const om = this.#om;
    let i = p;
    for (;;) {
      if (!om) i = this.#skipBlank(i);
      let c = b[i];
      if (c === RBRACE) return i + 1;
      let name: string;
      let nameStart = -1;
      if (c === QUOTE) {
        const end = this.#quotedEnd(i, !om);
        if (end < 0) this.#fail(this.#expected("expected label name", i));
        const str = this.#quotedValue(i, end);
        const next = om ? end : this.#skipBlank(end);
        const d = b[next];
        if (d === COMMA || d === RBRACE) {
          if (exemplar) this.#fail(this.#expected("expected label name", next));
          if (this.#nameSet) this.#fail(`metric name already set while parsing: ${this.#quoteLine(next + 1)}`);
          if (str === "") this.#fail(`metric name is empty while parsing: ${this.#quoteLine(next + 1)}`);
          this.metricName = str;
          this.#nameStart = -1;
          this.#nameSet = true;
          i = d === COMMA ? next + 1 : next;
          continue;
        }
        if (str === "") this.#fail(`label name is empty while parsing: ${this.#quoteLine(end)}`);
        name = str;
        i = next;
      } else if (c < 128 && CLASS[c]! & L_START) {
        nameStart = i;
        // Lines mostly repeat the previous line's label names in order: compare
        // with that one's text before hashing and looking the name up.
        const k = into.count;
        const prevStart = k < into.previousCount ? into.nameStarts[k]! : -1;
        const len = prevStart < 0 ? 0 : into.names[k]!.length;
        if (prevStart >= 0 && i + len < n && sameText(b, prevStart, i, len) && !(b[i + len]! < 128 && CLASS[b[i + len]!]! & L_CONT)) {
          name = into.names[k]!;
          i += len;
        } else {
          let h = hashStep(0, c);
          for (c = b[++i]; c < 128 && CLASS[c]! & L_CONT; c = b[++i]) h = hashStep(h, c);
          name = internSpan(NAMES, s, nameStart, i, h);
        }
        if (!om) i = this.#skipBlank(i);
      } else {
        this.#fail(this.#expected("expected label name", i));
      }
      if (b[i] !== EQUAL) this.#fail(this.#expected("expected equal", i));
      i++;
      if (!om) i = this.#skipBlank(i);
      if (b[i] !== QUOTE) this.#fail(this.#expected("expected label value", i));
      // Scan the value; the 0.0.4 lexer lets raw newlines through, OpenMetrics does not.
      const vStart = i + 1;
      let j = vStart;
      let escaped = false;
      for (;;) {
        if (j >= n) this.#fail(this.#expected("expected label value", j));
        c = b[j];
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          escaped = true;
          j += 2;
          continue;
        }
        if (c === NL) {
          if (om) this.#fail(this.#expected("expected label value", j));
          this.#lineNo++;
        }
        j++;
      }
      into.push(name, nameStart, vStart, escaped ? -j : j);
      i = j + 1;
      if (om) {
        c = b[i];
        if (c === COMMA) i++;
        else if (c !== RBRACE) this.#fail(this.#expected("expected comma or brace close", i));
      } else {
        i = this.#skipBlank(i);
        if (b[i] === COMMA) i++;
      }
    }
  }

  #strictSampleChecks(): void {
    const err = this.#checker!.sample(this.metricName);
    if (err !== undefined) this.#fail(err);
    const t = this.#lastType;
    const scratch = this.#labels;
    const label = t === "histogram" || t === "gaugehistogram" ? "le" : t === "summary" ? "quantile" : "";
    if (label === "") return;
    let found = false;
    for (let k = 0; k < scratch.count; k++) {
      if (scratch.names[k] !== label) continue;
      found = true;
      const v = scratch.value(k, this.#s);
      if (parseGoFloat(v) === undefined) {
        this.#fail(`expected float as value for '${label}' label, got ${quoteCapped(v, quoteString)}`);
      }
    }
    if (!found && label === "le" && this.metricName.endsWith("_bucket")) {
      this.#fail(`histogram bucket ${quoteCapped(this.metricName, quoteString)} has no "le" label`);
    }
  }
}

// `le` and `quantile` values repeat on every bucket line: remember their normal form.
const normalized = new Map<string, string>();

/** Prometheus 3 rewrites float `le`/`quantile` values to OpenMetrics form ("1" becomes "1.0"). */
function normalizeFloatLabel(v: string): string {
  const hit = normalized.get(v);
  if (hit !== undefined) return hit;
  const f = parseGoFloat(v);
  const out = f === undefined ? v : formatOpenMetricsFloat(f);
  if (normalized.size < 10_000) normalized.set(v, out);
  return out;
}
