/**
 * @module
 * Go's `text/template` in TypeScript, for Prometheus rule templates and
 * Alertmanager notification templates.
 *
 * ```ts
 * const t = new Template("x").option("missingkey=zero").funcs({ toUpper: (s: string) => s.toUpperCase() });
 * t.parse('{{ range $k, $v := .Labels }}{{ $k }}={{ $v | toUpper }} {{ end }}');
 * t.execute({ Labels: stringMap({ job: "api" }) }); // "job=API "
 * ```
 *
 * Syntax: actions `{{ }}` with trim markers `{{- -}}`, comments, pipelines,
 * variables (`$x := …`, `$x = …`, `$`), fields/keys/methods (`.A.b`,
 * `$labels.job`, `.Alerts.Firing`), `if/else if/else`, `range` (slices, maps
 * in sorted key order, integers; `$k, $v :=`; `else`; `break`/`continue`),
 * `with` (and `else with`), `define`/`template`/`block`, Go's builtins and
 * fmt verbs, and Go's parse/exec error messages.
 *
 * Go values in JS: float64 = `number`, int = `bigint` (number literals like
 * `1` are ints, `1.0` floats; `lt 1.5 2` fails as in Go), string, bool,
 * nil = `null`/`undefined` (undefined prints `<no value>`), slice = array,
 * map = `Map` or plain object (sorted keys), struct = class instance
 * (missing field is an error). Functions on objects are methods. Functions in
 * the func map take exactly `fn.length` arguments unless wrapped in
 * `variadic()`; `typed(["string"], fn)` declares string parameters that
 * Go would check; throwing an Error is Go's returned error
 * (`error calling NAME: …`). `stringMap()` marks a map[string]string so that
 * with missingkey=zero a missing key reads "" (Prometheus and Alertmanager
 * both use missingkey=zero).
 *
 * A function may throw TemplateAbort to stop execution unwrapped.
 *
 * Errors: parse → TemplateParseError (`template: NAME:LINE: …`),
 * execution → TemplateExecError (`template: NAME:LINE:COL: executing "NAME" at <…>: …`).
 */
export { Template, TemplateExecError, TemplateAbort, variadic, typed } from "./template.ts";
export type { FuncMap, TemplateFunc, MissingKey, ParamType } from "./template.ts";
export { TemplateParseError } from "./parse.ts";
export { sprint, sprintf, sprintln, formatValue, stringMap, isMap, sortedEntries, quote, goTypeName, formatE, formatF, formatG } from "./fmt.ts";
export { truth, htmlEscape, jsEscape, queryEscape } from "./builtins.ts";
