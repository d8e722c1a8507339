/**
 * @module
 * Alertmanager's label matchers as routes, inhibit rules, silences and amtool
 * write them (pkg/labels "classic" syntax of Alertmanager 0.25): `{a="b",c=~"d.*"}`
 * or `a=b`, values quoted or not. Matching itself is shared/labels' Matcher
 * (RE2, fully anchored).
 */
import { Matcher } from "../labels/matcher.ts";
import type { MatchType } from "../labels/matcher.ts";
import { isLegacyLabelName, quoteString } from "../labels/labels.ts";

export type LabelSet = Record<string, string>;

const MATCHER_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/** Parses one `name<op>value` matcher (ParseMatcher); throws Error with Alertmanager's message. */
export function parseMatcher(s: string): Matcher {
  const m = MATCHER_RE.exec(s);
  if (m === null) throw new Error(`bad matcher format: ${s}`);
  let raw = m[3]!;
  let expectQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectQuote = true;
  }
  let value = "";
  let escaped = false;
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const r = chars[i]!;
    if (escaped) {
      escaped = false;
      value += r === "n" ? "\n" : r === '"' || r === "\\" ? r : "\\" + r;
      continue;
    }
    if (r === "\\") {
      if (i < chars.length - 1) escaped = true;
      else value += "\\";
    } else if (r === '"') {
      if (!expectQuote || i < chars.length - 1) throw new Error(`matcher value contains unescaped double quote: ${m[3]}`);
      expectQuote = false;
    } else {
      value += r;
    }
  }
  if (expectQuote) throw new Error(`matcher value contains unescaped double quote: ${m[3]}`);
  return newMatcher(m[2] as MatchType, m[1]!, value);
}

/** A matcher whose regex error reads as Alertmanager's. */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  try {
    return new Matcher(type, name, value);
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`);
  }
}

/** Parses `{a="b", c!="d"}` or `a=b,c=d` (ParseMatchers): commas inside quotes do not split. */
export function parseMatchers(input: string): Matcher[] {
  let s = input.startsWith("{") ? input.slice(1) : input;
  if (s.endsWith("}")) s = s.slice(0, -1);
  const tokens: string[] = [];
  let token = "";
  let inQuotes = false;
  for (const r of s) {
    if (!inQuotes && r === ",") {
      tokens.push(token);
      token = "";
      continue;
    }
    token += r;
    if (r === '"') inQuotes = !inQuotes;
  }
  if (token.trim() !== "") tokens.push(token.trim());
  return tokens.map(parseMatcher);
}

/** `name="value"` as Alertmanager's Matcher.String() prints it (%q of the value). */
export function matcherString(m: Matcher): string {
  return `${m.name}${m.type}${quoteString(m.value)}`;
}

/** `{a="b",c=~"d"}` (Matchers.String()), in the order given. */
export function matchersString(ms: readonly Matcher[]): string {
  return "{" + ms.map(matcherString).join(",") + "}";
}

/** Sorts as Alertmanager's Matchers.Less: by name, then type, then value. */
export function sortMatchers(ms: Matcher[]): Matcher[] {
  const order: MatchType[] = ["=", "!=", "=~", "!~"];
  return ms.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.type !== b.type ? order.indexOf(a.type) - order.indexOf(b.type) : a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/** Whether every matcher accepts the label set (a missing label is ""). */
export function matchesAll(ms: readonly Matcher[], ls: LabelSet): boolean {
  return ms.every((m) => m.matches(ls[m.name] ?? ""));
}

export function validLabelName(name: string): boolean {
  return isLegacyLabelName(name);
}

/** model.LabelSet.String(): `{a="1", b="2"}`, names sorted. */
export function labelSetString(ls: LabelSet): string {
  return "{" + Object.keys(ls).sort().map((k) => `${k}=${quoteString(ls[k]!)}`).join(", ") + "}";
}

/**
 * model.LabelSet.Fingerprint(): 64-bit FNV-1a over sorted `name 0xff value 0xff`,
 * printed as 16 hex digits as the v2 API shows it.
 */
export function fingerprint(ls: LabelSet): string {
  const names = Object.keys(ls).sort();
  if (names.length === 0) return "cbf29ce484222325";
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  const enc = new TextEncoder();
  const feed = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * prime) & mask;
  };
  for (const n of names) {
    feed(enc.encode(n));
    feed(SEP);
    feed(enc.encode(ls[n]!));
    feed(SEP);
  }
  return h.toString(16).padStart(16, "0");
}
const SEP = new Uint8Array([0xff]);
