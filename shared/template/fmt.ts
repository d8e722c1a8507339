/**
 * @module
 * Go's fmt for template values: Sprint, Sprintln and Sprintf with Go's verbs,
 * flags, widths and precisions, and Go's `%!verb(type=value)` error forms.
 * Go types map onto JS values as: float64 = number, int = bigint, string,
 * bool, nil = null/undefined, slice = array, map = Map or plain object,
 * struct = class instance. Fixed-precision float output rounds the exact
 * binary value half-to-even, as strconv does.
 */
import { formatGoFloat } from "../format/go-float.ts";

/** A plain object whose missing keys read as `zero` (Go's map[string]string reads ""). */
export const MAP_ZERO: unique symbol = Symbol("template.mapZero");

/**
 * Marks a string map (labels, annotations) so missing keys read as "" as in Go
 * with missingkey=zero. A marked class instance is a map whose prototype
 * methods are its methods (Alertmanager's KV with SortedPairs, Names, …).
 */
export function stringMap<T extends Record<string, string>>(m: T): T {
  Object.defineProperty(m, MAP_ZERO, { value: "", enumerable: false });
  return m;
}

/** A Go map: a Map, a plain object, or any object marked by stringMap() (a named map type with methods). */
export function isMap(v: unknown): v is Map<unknown, unknown> | Record<string, unknown> {
  if (v instanceof Map) return true;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  if (MAP_ZERO in v) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Map entries in Go's printing/range order: keys sorted (numbers numerically, strings bytewise). */
export function sortedEntries(m: Map<unknown, unknown> | Record<string, unknown>): [unknown, unknown][] {
  const entries: [unknown, unknown][] = m instanceof Map ? [...m.entries()] : Object.entries(m);
  return entries.sort(([a], [b]) => {
    if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
    if ((typeof a === "number" || typeof a === "bigint") && (typeof b === "number" || typeof b === "bigint")) return a < b ? -1 : a > b ? 1 : 0;
    return String(a) < String(b) ? -1 : 1;
  });
}

export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "bigint":
      return "int";
    case "boolean":
      return "bool";
    case "function":
      return "func";
  }
  if (Array.isArray(v)) {
    // A named slice type (an Array subclass) prints as template.<Name>, as Go prints a named type.
    if (v.constructor !== Array && v.constructor?.name) return `template.${v.constructor.name}`;
    return v.every((e) => typeof e === "string") && v.length > 0 ? "[]string" : "[]interface {}";
  }
  if (isMap(v)) return MAP_ZERO in v ? "map[string]string" : "map[string]interface {}";
  const name = (v as object).constructor?.name;
  return name ? `template.${name}` : "struct {}";
}

function stringer(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || isMap(v) || Array.isArray(v)) return undefined;
  if (v instanceof Error) return v.message;
  const s = (v as { String?: unknown }).String;
  if (typeof s === "function") return String(s.call(v));
  return undefined;
}

/** %v of one value, as fmt.Sprint prints it. */
export function formatValue(v: unknown): string {
  return new Printer().value(v, "v", {}).out;
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintln: spaces always, newline at the end. */
export function sprintln(args: unknown[]): string {
  return args.map(formatValue).join(" ") + "\n";
}

interface Flags {
  plus?: boolean;
  minus?: boolean;
  sharp?: boolean;
  space?: boolean;
  zero?: boolean;
  width?: number;
  prec?: number;
}

class Printer {
  out = "";

  pad(s: string, f: Flags): this {
    const w = f.width ?? 0;
    const len = [...s].length;
    if (len >= w) this.out += s;
    else if (f.minus) this.out += s + " ".repeat(w - len);
    else this.out += " ".repeat(w - len) + s;
    return this;
  }

  /** Pads a signed number: zero padding goes after the sign. */
  padNumber(sign: string, body: string, f: Flags): this {
    const w = f.width ?? 0;
    if (f.zero && !f.minus && sign.length + body.length < w) {
      return this.pad(sign + "0".repeat(w - sign.length - body.length) + body, {});
    }
    return this.pad(sign + body, f);
  }

  bad(verb: string, v: unknown): this {
    this.out += v === null || v === undefined ? `%!${verb}(<nil>)` : `%!${verb}(${goTypeName(v)}=${formatValue(v)})`;
    return this;
  }

  value(v: unknown, verb: string, f: Flags): this {
    if (v === null || v === undefined) {
      if (verb === "v" || verb === "s") return this.pad(verb === "v" ? "<nil>" : "%!s(<nil>)", f);
      return this.bad(verb, v);
    }
    if (verb === "T") return this.pad(goTypeName(v), f);
    switch (typeof v) {
      case "boolean":
        if (verb === "t" || verb === "v") return this.pad(String(v), f);
        return this.bad(verb, v);
      case "bigint":
        return this.int(v, verb, f);
      case "number":
        return this.float(v, verb, f);
      case "string":
        return this.string(v, verb, f);
    }
    const s = stringer(v);
    if (s !== undefined && "vsqxX".includes(verb)) return this.string(s, verb === "v" ? "s" : verb, f);
    if (Array.isArray(v)) {
      this.out += "[";
      v.forEach((e, i) => {
        if (i > 0) this.out += " ";
        this.value(e, verb, f);
      });
      this.out += "]";
      return this;
    }
    if (isMap(v)) {
      this.out += "map[";
      sortedEntries(v).forEach(([k, e], i) => {
        if (i > 0) this.out += " ";
        this.value(k, verb, f);
        this.out += ":";
        this.value(e, verb, f);
      });
      this.out += "]";
      return this;
    }
    if (typeof v === "function") return this.pad(`0x${"1".padStart(6, "0")}`, f);
    this.out += "{";
    Object.values(v as object).forEach((e, i) => {
      if (i > 0) this.out += " ";
      this.value(e, verb, f);
    });
    this.out += "}";
    return this;
  }

  int(v: bigint, verb: string, f: Flags): this {
    const neg = v < 0n;
    const abs = neg ? -v : v;
    const sign = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
    let body: string;
    switch (verb) {
      case "v":
      case "d":
        body = abs.toString(10);
        break;
      case "b":
        body = abs.toString(2);
        break;
      case "o":
      case "O":
        body = abs.toString(8);
        break;
      case "x":
        body = abs.toString(16);
        break;
      case "X":
        body = abs.toString(16).toUpperCase();
        break;
      case "c":
        return this.pad(String.fromCodePoint(Number(v)), f);
      case "q":
        return this.pad(quoteRune(Number(v)), f);
      case "U": {
        const h = abs.toString(16).toUpperCase().padStart(4, "0");
        return this.pad(`U+${h}`, f);
      }
      default:
        return this.bad(verb, v);
    }
    if (f.prec !== undefined) {
      body = f.prec === 0 && abs === 0n ? "" : body.padStart(f.prec, "0");
    }
    if (verb === "O") body = "0o" + body;
    else if (f.sharp && verb === "o" && !body.startsWith("0")) body = "0" + body;
    else if (f.sharp && verb === "x") body = "0x" + body;
    else if (f.sharp && verb === "X") body = "0X" + body;
    else if (f.sharp && verb === "b") body = "0b" + body;
    // Go ignores the zero flag when a precision is given for integers.
    return this.padNumber(sign, body, f.prec !== undefined ? { ...f, zero: false } : f);
  }

  float(v: number, verb: string, f: Flags): this {
    let s: string;
    switch (verb) {
      case "v":
      case "g":
      case "G":
        s = f.prec === undefined ? formatGoFloat(v) : formatG(v, f.prec, f.sharp ?? false);
        if (verb === "G") s = s.toUpperCase();
        break;
      case "e":
      case "E":
        s = formatE(v, f.prec ?? 6);
        if (verb === "E") s = s.toUpperCase();
        break;
      case "f":
      case "F":
        s = formatF(v, f.prec ?? 6);
        break;
      default:
        return this.bad(verb, v);
    }
    if (s === "NaN" || s === "+Inf" || s === "-Inf") {
      const shown = s === "NaN" ? (f.plus ? "+NaN" : f.space ? " NaN" : "NaN") : s;
      return this.pad(shown, { ...f, zero: false });
    }
    const neg = s.startsWith("-");
    const body = neg ? s.slice(1) : s;
    return this.padNumber(neg ? "-" : f.plus ? "+" : f.space ? " " : "", body, f);
  }

  string(v: string, verb: string, f: Flags): this {
    switch (verb) {
      case "v":
      case "s": {
        const s = f.prec !== undefined ? [...v].slice(0, f.prec).join("") : v;
        return this.pad(s, f);
      }
      case "q":
        return this.pad(f.sharp && !v.includes("`") && !/[\x00-\x08\x0a-\x1f\x7f]/.test(v) ? "`" + v + "`" : quote(v, f.plus ?? false), f);
      case "x":
      case "X": {
        let bytes = [...new TextEncoder().encode(v)];
        if (f.prec !== undefined) bytes = bytes.slice(0, f.prec);
        const hex = bytes.map((b) => b.toString(16).padStart(2, "0"));
        let s = f.space ? hex.map((h) => (f.sharp ? "0x" + h : h)).join(" ") : (f.sharp && hex.length > 0 ? "0x" : "") + hex.join("");
        if (verb === "X") s = s.toUpperCase();
        return this.pad(s, f);
      }
      default:
        return this.bad(verb, v);
    }
  }
}

/** fmt.Sprintf with Go's verbs and error forms. */
export function sprintf(format: string, args: unknown[]): string {
  const p = new Printer();
  let argi = 0;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      p.out += format.slice(i);
      break;
    }
    p.out += format.slice(i, pct);
    i = pct + 1;
    const f: Flags = {};
    for (; i < n; i++) {
      const c = format[i];
      if (c === "+") f.plus = true;
      else if (c === "-") f.minus = true;
      else if (c === "#") f.sharp = true;
      else if (c === " ") f.space = true;
      else if (c === "0") f.zero = !f.minus;
      else break;
    }
    let badWidth = false;
    let badPrec = false;
    if (format[i] === "*") {
      i++;
      const w = args[argi++];
      if (typeof w === "bigint") {
        f.width = Number(w < 0n ? -w : w);
        if (w < 0n) f.minus = true;
      } else badWidth = true;
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        f.width = Number(m[0]);
        i += m[0].length;
      }
    }
    if (format[i] === ".") {
      i++;
      if (format[i] === "*") {
        i++;
        const pr = args[argi++];
        if (typeof pr === "bigint" && pr >= 0n) f.prec = Number(pr);
        else badPrec = true;
      } else {
        const m = /^\d+/.exec(format.slice(i));
        f.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (badWidth) p.out += "%!(BADWIDTH)";
    if (badPrec) p.out += "%!(BADPREC)";
    if (i >= n) {
      p.out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === "%") {
      p.out += "%";
      continue;
    }
    if (argi >= args.length) {
      p.out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    if (verb === "w") p.value(arg, "v", f);
    else p.value(arg, verb, f);
  }
  if (argi < args.length) {
    p.out += "%!(EXTRA " + args.slice(argi).map((a) => (a === null || a === undefined ? "<nil>" : `${goTypeName(a)}=${formatValue(a)}`)).join(", ") + ")";
  }
  return p.out;
}

// ---- floats: exact decimal expansion, rounded half to even ----

interface Digits {
  digits: string;
  /** Decimal point position: value = 0.digits × 10^dp. */
  dp: number;
}

function exactDigits(x: number): Digits {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let exp2: number;
  if (expBits === 0) exp2 = -1074;
  else {
    mant |= 1n << 52n;
    exp2 = expBits - 1075;
  }
  if (mant === 0n) return { digits: "", dp: 0 };
  if (exp2 >= 0) {
    const s = (mant << BigInt(exp2)).toString();
    return trim({ digits: s, dp: s.length });
  }
  const s = (mant * 5n ** BigInt(-exp2)).toString();
  return trim({ digits: s, dp: s.length + exp2 });
}

function trim(d: Digits): Digits {
  let end = d.digits.length;
  while (end > 0 && d.digits[end - 1] === "0") end--;
  return end === 0 ? { digits: "", dp: 0 } : { digits: d.digits.slice(0, end), dp: d.dp };
}

/** Keeps `keep` leading digits, rounding half to even on the exact remainder. */
function roundDigits(d: Digits, keep: number): Digits {
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: "", dp: 0 };
  const next = d.digits.charCodeAt(keep) - 48;
  const rest = d.digits.slice(keep + 1);
  let up = next > 5 || (next === 5 && /[1-9]/.test(rest));
  if (next === 5 && !/[1-9]/.test(rest)) up = keep > 0 && (d.digits.charCodeAt(keep - 1) - 48) % 2 === 1;
  let digits = d.digits.slice(0, keep);
  let dp = d.dp;
  if (up) {
    const inc = (BigInt(digits === "" ? "0" : digits) + 1n).toString().padStart(keep, "0");
    if (inc.length > keep) dp++;
    digits = inc;
  }
  return trim({ digits, dp });
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return undefined;
}

function sign(v: number): string {
  return v < 0 || Object.is(v, -0) ? "-" : "";
}

function eDigits(d: Digits, prec: number): string {
  const first = d.digits[0] ?? "0";
  let frac = d.digits.slice(1, prec + 1);
  frac = frac.padEnd(prec, "0");
  const exp = d.digits === "" ? 0 : d.dp - 1;
  const e = Math.abs(exp);
  return `${first}${prec > 0 ? "." + frac : ""}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" + e : e}`;
}

function fDigits(d: Digits, prec: number): string {
  let int = d.dp > 0 ? d.digits.slice(0, d.dp).padEnd(d.dp, "0") : "0";
  if (int === "") int = "0";
  let frac = "";
  for (let k = 0; k < prec; k++) {
    const idx = d.dp + k;
    frac += idx >= 0 && idx < d.digits.length ? d.digits[idx] : "0";
  }
  return prec > 0 ? `${int}.${frac}` : int;
}

export function formatE(v: number, prec: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  return sign(v) + eDigits(roundDigits(exactDigits(v), prec + 1), prec);
}

export function formatF(v: number, prec: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const d = exactDigits(v);
  return sign(v) + fDigits(roundDigits(d, d.dp + prec), prec);
}

/** strconv.FormatFloat(v, 'g', prec, 64). */
export function formatG(v: number, prec: number, sharp: boolean): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (prec === 0) prec = 1;
  const d = roundDigits(exactDigits(v), prec);
  let eprec = prec;
  const nd = d.digits.length;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (sharp) eprec = prec;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    const p = sharp ? prec : Math.min(prec, Math.max(nd, 1));
    return sign(v) + eDigits(d, p - 1);
  }
  const p = sharp ? prec : prec > d.dp ? nd : prec;
  return sign(v) + fDigits(d, Math.max(p - d.dp, 0));
}

// ---- quoting ----

const ESCAPES: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\\": "\\\\" };

/** strconv.Quote (asciiOnly: QuoteToASCII). */
export function quote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else if (asciiOnly && cp >= 0x80) out += cp > 0xffff ? "\\U" + cp.toString(16).padStart(8, "0") : "\\u" + cp.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

function quoteRune(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return "'" + quote(ch).slice(1, -1) + "'";
}
