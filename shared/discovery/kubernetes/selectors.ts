/**
 * @module
 * Syntax checks for Kubernetes label and field selectors, as
 * k8s.io/apimachinery's labels.Parse and fields.ParseSelector accept them,
 * so a bad selector fails at config load rather than at the API server.
 */

const KEY = String.raw`(?:[a-zA-Z0-9](?:[-a-zA-Z0-9_.]{0,251}[a-zA-Z0-9])?\/)?[a-zA-Z0-9](?:[-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?`;
const VALUE = String.raw`(?:[a-zA-Z0-9](?:[-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?)?`;
const REQUIREMENT = new RegExp(
  String.raw`^\s*(?:!\s*${KEY}|${KEY}\s*(?:(?:==?|!=)\s*${VALUE}|(?:in|notin)\s*\(\s*${VALUE}(?:\s*,\s*${VALUE})*\s*\)|(?:>|<)\s*-?\d+)?)\s*$`,
);

/** Splits on commas outside parentheses. */
function requirements(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** Throws with the apimachinery-style reason when `s` is not a valid label selector ("" selects everything). */
export function checkLabelSelector(s: string): void {
  if (s.trim() === "") return;
  for (const r of requirements(s)) {
    if (!REQUIREMENT.test(r)) throw new Error(`unable to parse requirement: invalid label selector "${r.trim()}"`);
  }
}

/** Throws when `s` is not a valid field selector: `key=value`, `key==value` or `key!=value`, comma-separated. */
export function checkFieldSelector(s: string): void {
  if (s.trim() === "") return;
  for (const r of s.split(",")) {
    if (!/^[^=!,]+(?:==?|!=)[^,]*$/.test(r)) throw new Error(`invalid selector: '${s}'; can't understand '${r}'`);
  }
}
