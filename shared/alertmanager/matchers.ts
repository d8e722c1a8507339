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

/** The API's `filter` parameters: each must hold a matcher ("{" or "{}" alone is refused, as Alertmanager's parseFilter does). */
export function parseFilter(filters: readonly string[]): Matcher[] {
  return filters.flatMap((f) => {
    const ms = parseMatchers(f);
    if (ms.length === 0 && f !== "") throw new Error(`bad matcher format: ${f}`);
    return ms;
  });
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
 * printed as 16 hex digits as the v2 API shows it. The 64-bit product is done
 * in four 16-bit limbs (BigInt is ~20× slower here).
 */
export function fingerprint(ls: LabelSet): string {
  // Offset basis 0xcbf29ce484222325; prime 0x100000001b3 = 2^40 + 435.
  let v0 = 0x2325, v1 = 0x8422, v2 = 0x9ce4, v3 = 0xcbf2;
  const feed = (b: number) => {
    v0 ^= b;
    const t0 = v0 * 435;
    let t1 = v1 * 435;
    let t2 = v2 * 435;
    const t3 = v3 * 435 + (v1 << 8);
    t2 += v0 << 8;
    t1 += t0 >>> 16;
    v0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    v1 = t1 & 0xffff;
    v3 = (t3 + (t2 >>> 16)) & 0xffff;
    v2 = t2 & 0xffff;
  };
  const feedString = (str: string) => {
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c < 0x80) feed(c);
      else {
        for (const b of ENC.encode(str.slice(i))) feed(b);
        return;
      }
    }
  };
  for (const n of Object.keys(ls).sort()) {
    feedString(n);
    feed(0xff);
    feedString(ls[n]!);
    feed(0xff);
  }
  const h = (v: number) => v.toString(16).padStart(4, "0");
  return h(v3) + h(v2) + h(v1) + h(v0);
}
const ENC = new TextEncoder();
