/**
 * @module
 * Notification templates: Alertmanager's default templates plus its template
 * functions, executed by shared/template (Go text/template) over a
 * notification's template data, with missingkey=zero as Alertmanager uses.
 */
import { RE2JS } from "re2js";
import { Template, variadic } from "../template/index.ts";
import { humanizeDuration } from "../rules/template-funcs.ts";
import { DEFAULT_TEMPLATES } from "./default-templates.ts";
import { templateData } from "./template-data.ts";
import type { Notification, Render } from "./notifiers/types.ts";

/** Alertmanager's template.DefaultFuncs, without the Go time ones (date, tz, since). */
const FUNCS = {
  toUpper: (s: string) => s.toUpperCase(),
  toLower: (s: string) => s.toLowerCase(),
  title: (s: string) => s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()),
  trimSpace: (s: string) => s.trim(),
  join: (sep: string, list: string[]) => list.join(sep),
  match: (re: string, s: string) => RE2JS.compile(re).matcher(s).find(),
  reReplaceAll: (pattern: string, repl: string, text: string) => RE2JS.compile(pattern).matcher(text).replaceAll(repl.replace(/\$\{(\w+)\}/g, "$$$1")),
  safeHtml: (s: string) => s,
  safeUrl: (s: string) => s,
  urlUnescape: (s: string) => decodeURIComponent(s.replace(/\+/g, " ")),
  stringSlice: variadic((...s: string[]) => s),
  toJson: (v: unknown) => JSON.stringify(v),
  humanizeDuration,
  base64encode: (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s))),
};

let cached: { key: string; template: Template } | undefined;

/** The default templates plus the user's template files, parsed once per set of texts. */
function baseTemplate(extra: readonly string[]): Template {
  const key = extra.join("\u0000");
  if (cached?.key !== key) {
    const t = new Template("alertmanager").option("missingkey=zero").funcs(FUNCS).parse(DEFAULT_TEMPLATES);
    for (const text of extra) t.parse(text);
    cached = { key, template: t };
  }
  return cached.template;
}

/** Parses template files (alertmanager.yml `templates:`); throws naming the file of the first that does not parse. */
export function checkTemplateFiles(files: Readonly<Record<string, string>>): string[] {
  const texts: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    try {
      new Template(path).option("missingkey=zero").funcs(FUNCS).parse(DEFAULT_TEMPLATES).parse(text);
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`);
    }
    texts.push(text);
  }
  return texts;
}

/**
 * A renderer for one notification. `extra` holds the text of user template
 * files (alertmanager.yml `templates:`), defined on top of the defaults.
 */
export function makeRender(n: Notification, extra: readonly string[] = []): Render {
  const data = templateData(n);
  const root = baseTemplate(extra);
  let i = 0;
  return (text: string) => {
    if (text === "" || !text.includes("{{")) return text;
    const t = root.clone().new(`field${i++}`).parse(text);
    return t.execute(data);
  };
}
