/**
 * @module
 * Go `regexp` semantics for blackbox.yml patterns: RE2 syntax, unanchored
 * search (regexp.MatchString), and `Regexp.Expand` templates for TCP sends.
 */
import { RE2JS } from "re2js";

export interface SearchRegex {
  readonly source: string;
  readonly re: RE2JS;
}

/** Compiles `source`; throws an Error worded like Go's regexp.Compile. */
export function compileSearch(source: string): SearchRegex {
  try {
    return { source, re: RE2JS.compile(source) };
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`);
  }
}

export function searchMatches(r: SearchRegex, text: string): boolean {
  return r.re.test(text);
}

/**
 * The first match's groups (index 0 = whole match) and named groups, or
 * undefined when `text` does not match.
 */
export function findSubmatch(r: SearchRegex, text: string): { groups: (string | null)[]; named: Record<string, number> } | undefined {
  const m = r.re.matcher(text);
  if (!m.find()) return undefined;
  const groups: (string | null)[] = [];
  for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i));
  return { groups, named: r.re.namedGroups() };
}

/**
 * Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}` become the group's
 * text (empty when unknown or unmatched), `$$` a dollar sign.
 */
export function expandTemplate(template: string, m: { groups: (string | null)[]; named: Record<string, number> }): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, dollar: string, braced?: string, bare?: string) => {
    if (dollar === "$") return "$";
    const name = braced ?? bare!;
    const index = /^\d+$/.test(name) ? Number(name) : m.named[name];
    return index === undefined ? "" : (m.groups[index] ?? "");
  });
}
