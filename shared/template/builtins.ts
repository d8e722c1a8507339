/**
 * @module
 * Go text/template's predefined functions (and, or, not, len, index, slice,
 * print, printf, println, eq, ne, lt, le, gt, ge, html, js, urlquery, call)
 * with Go's error messages. `and`/`or` short-circuit in the executor.
 */
import { goTypeName, isMap, sprint, sprintf, sprintln, MAP_ZERO } from "./fmt.ts";

export interface Builtin {
  fn: (...args: unknown[]) => unknown;
  /** Fixed arguments; with `variadic`, the minimum. */
  arity: number;
  variadic: boolean;
}

/** Go's truth: the zero value of a type is false, as are empty slices and maps. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case "boolean":
      return v;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
    case "string":
      return v.length > 0;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

type Kind = "bool" | "int" | "float" | "string" | "other";

function basicKind(v: unknown): Kind {
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
  }
  return "other";
}

const BAD_COMPARISON = "incompatible types for comparison";
const BAD_COMPARISON_TYPE = "invalid type for comparison";

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let t = false;
    if (k1 !== k2) {
      if (a !== undefined && a !== null && b !== undefined && b !== null) throw new Error(BAD_COMPARISON);
      t = (a === undefined || a === null) && (b === undefined || b === null);
    } else if (k1 !== "other") {
      t = a === b;
    } else {
      const nilA = a === undefined || a === null;
      const nilB = b === undefined || b === null;
      if (nilA || nilB) t = nilA === nilB;
      else if (Array.isArray(b) || isMap(b) || typeof b === "function") throw new Error(`non-comparable type ${sprint([b])}: ${goTypeName(b)}`);
      else t = a === b;
    }
    if (t) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "other" || k2 === "other") throw new Error(BAD_COMPARISON_TYPE);
  if (k1 !== k2) throw new Error(BAD_COMPARISON);
  if (k1 === "bool") throw new Error(BAD_COMPARISON_TYPE);
  return (a as number) < (b as number);
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

function length(v: unknown): bigint {
  if (v === undefined || v === null) throw new Error("len of nil pointer");
  if (typeof v === "string") return BigInt(new TextEncoder().encode(v).length);
  if (Array.isArray(v)) return BigInt(v.length);
  if (v instanceof Map) return BigInt(v.size);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  throw new Error(`len of type ${goTypeName(v)}`);
}

function intIndex(i: unknown, cap: number): number {
  if (i === undefined || i === null) throw new Error("cannot index slice/array with nil");
  if (typeof i !== "bigint") throw new Error(`cannot index slice/array with type ${goTypeName(i)}`);
  if (i < 0n || i >= BigInt(cap)) throw new Error(`index out of range: ${i}`);
  return Number(i);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error("index of untyped nil");
  let v: unknown = item;
  for (const i of indexes) {
    if (typeof v === "string") {
      const bytes = new TextEncoder().encode(v);
      v = BigInt(bytes[intIndex(i, bytes.length)]!);
    } else if (Array.isArray(v)) {
      v = v[intIndex(i, v.length)];
    } else if (v instanceof Map) {
      v = v.has(i) ? v.get(i) : null;
    } else if (isMap(v)) {
      if (typeof i !== "string") throw new Error(`value has type ${goTypeName(i)}; should be string`);
      v = Object.hasOwn(v, i) ? (v as Record<string, unknown>)[i] : MAP_ZERO in v ? (v as Record<symbol, unknown>)[MAP_ZERO] : null;
    } else if (v === undefined || v === null) {
      throw new Error("index of nil pointer");
    } else {
      throw new Error(`can't index item of type ${goTypeName(v)}`);
    }
  }
  return v;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error("slice of untyped nil");
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new Error("cannot 3-index slice a string");
    len = new TextEncoder().encode(item).length;
  } else if (Array.isArray(item)) len = item.length;
  else throw new Error(`can't slice item of type ${goTypeName(item)}`);
  const idx = [0, len];
  indexes.forEach((i, k) => {
    if (typeof i !== "bigint") throw new Error(`cannot index slice/array with type ${goTypeName(i)}`);
    if (i < 0n || i > BigInt(len)) throw new Error(`index out of range: ${i}`);
    idx[k] = Number(i);
  });
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (typeof item === "string") return new TextDecoder().decode(new TextEncoder().encode(item).slice(idx[0], idx[1]));
  return item.slice(idx[0], idx[1]);
}

function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args);
}

/** Go's template.HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ "\0": "\uFFFD", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
}

/** Go's template.JSEscapeString. */
export function jsEscape(s: string): string {
  let out = "";
  for (const c of s) {
    switch (c) {
      case "\\":
        out += "\\\\";
        break;
      case "'":
        out += "\\'";
        break;
      case '"':
        out += '\\"';
        break;
      case "<":
        out += "\\u003C";
        break;
      case ">":
        out += "\\u003E";
        break;
      case "&":
        out += "\\u0026";
        break;
      case "=":
        out += "\\u003D";
        break;
      default: {
        const cp = c.codePointAt(0)!;
        out += cp < 0x20 ? "\\u" + cp.toString(16).toUpperCase().padStart(4, "0") : c;
      }
    }
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw new Error("call of nil");
  if (typeof fn !== "function") throw new Error(`non-function ${sprint([fn])} of type ${goTypeName(fn)}`);
  return fn(...args);
}

const b = (fn: Builtin["fn"], arity: number, variadic = false): Builtin => ({ fn, arity, variadic });

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ["and", b(() => undefined, 1, true)],
  ["or", b(() => undefined, 1, true)],
  ["not", b((v) => !truth(v), 1)],
  ["len", b(length, 1)],
  ["index", b((item, ...i) => index(item, ...i), 1, true)],
  ["slice", b((item, ...i) => slice(item, ...i), 1, true)],
  ["print", b((...a) => sprint(a), 0, true)],
  ["printf", b((f, ...a) => sprintf(f as string, a), 1, true)],
  ["println", b((...a) => sprintln(a), 0, true)],
  ["eq", b((a, ...r) => eq(a, ...r), 1, true)],
  ["ne", b((x, y) => !eq(x, y), 2)],
  ["lt", b((x, y) => lt(x, y), 2)],
  ["le", b((x, y) => le(x, y), 2)],
  ["gt", b((x, y) => !le(x, y), 2)],
  ["ge", b((x, y) => !lt(x, y), 2)],
  ["html", b((...a) => htmlEscape(evalArgs(a)), 0, true)],
  ["js", b((...a) => jsEscape(evalArgs(a)), 0, true)],
  ["urlquery", b((...a) => queryEscape(evalArgs(a)), 0, true)],
  ["call", b((fn, ...a) => call(fn, ...a), 1, true)],
]);
