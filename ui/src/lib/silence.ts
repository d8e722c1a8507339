/**
 * @module
 * Alertmanager silences as the UI writes them: matchers in PromQL-style
 * text (`alertname="X", job=~"a|b"`) to and from Alertmanager's v2 matcher
 * objects, and the POST /api/v2/silences body.
 */

export interface AmMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;

/** Parses `a="b", c!~"d"` (braces optional); throws naming the position of bad input. */
export function parseMatchers(text: string): AmMatcher[] {
  let s = text.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1);
  const out: AmMatcher[] = [];
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < s.length) {
    const at = MATCHER.lastIndex;
    const m = MATCHER.exec(s);
    const col = at + (s.length - at - s.slice(at).trimStart().length) + 1;
    if (!m) throw new Error(`bad matcher at character ${col}: expected name="value", name!="value", name=~"regex" or name!~"regex"`);
    const op = m[2]!;
    out.push({ name: m[1]!, value: JSON.parse(`"${m[3]!}"`) as string, isRegex: op.includes("~"), isEqual: !op.startsWith("!") });
    if (m[4] === "") break;
  }
  if (out.length === 0) throw new Error("a silence needs at least one matcher");
  return out;
}

export function formatMatcher(m: AmMatcher): string {
  const op = (m.isEqual ? "" : "!") + (m.isRegex ? "~" : "=");
  return `${m.name}${op === "~" ? "=~" : op === "!" ? "!=" : op}${JSON.stringify(m.value)}`;
}

/** Matchers that select exactly this alert's label set. */
export function matchersForLabels(labels: Record<string, string>): AmMatcher[] {
  return Object.keys(labels).sort().map((name) => ({ name, value: labels[name]!, isRegex: false, isEqual: true }));
}

export interface SilenceBody {
  matchers: AmMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export function silenceBody(matchers: AmMatcher[], nowMs: number, durationMs: number, createdBy: string, comment: string): SilenceBody {
  if (!(durationMs > 0)) throw new Error("the silence's duration must be positive");
  if (createdBy.trim() === "") throw new Error("say who creates the silence");
  if (comment.trim() === "") throw new Error("a silence needs a comment");
  return { matchers, startsAt: new Date(nowMs).toISOString(), endsAt: new Date(nowMs + durationMs).toISOString(), createdBy, comment };
}
