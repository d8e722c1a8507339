/**
 * @module
 * Rule files named by `rule_files`: glob patterns resolved as Go's
 * filepath.Glob does (relative to the config file's folder; `*` does not
 * cross `/`), each file parsed and fully validated (expressions and
 * templates, as `promtool check rules`), groups compiled for evaluation.
 */
import type { PrometheusConfig } from "../config/types.ts";
import { parseRuleFile } from "../config/rule-file.ts";
import type { RuleFile } from "../config/rule-file.ts";
import { parseExpr } from "../promql/parser.ts";
import { checkTemplate } from "./template-funcs.ts";
import { compileGroup } from "./group.ts";
import type { CompiledGroup } from "./group.ts";

function normalize(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return (p.startsWith("/") ? "/" : "") + parts.join("/");
}

/** Go's path.Match for one pattern against one path (no `/` crossing). */
export function globMatch(pattern: string, name: string): boolean {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith("^")) cls = "^" + cls.slice(1).replace(/\\/g, "\\\\");
      re += `[${cls}]`;
      i = end;
    } else if (c === "\\" && i + 1 < pattern.length) re += "\\" + pattern[++i];
    else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(re + "$").test(name);
}

/** The files (from `available`, paths relative to the config folder) that the patterns name, sorted per pattern, without repeats. */
export function resolveRuleFiles(patterns: readonly string[], available: readonly string[]): string[] {
  const out: string[] = [];
  const avail = available.map(normalize);
  for (const p of patterns) {
    const pat = normalize(p);
    const matches = /[*?[]/.test(pat) ? avail.filter((f) => globMatch(pat, f)).sort() : avail.includes(pat) ? [pat] : [];
    for (const m of matches) if (!out.includes(m)) out.push(m);
  }
  return out;
}

function validateExpr(expr: string): string | undefined {
  try {
    parseExpr(expr);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Parses a rule file with every check promtool applies (expressions and templates parse). */
export function parseAndValidateRuleFile(text: string, filename: string): RuleFile {
  return parseRuleFile(text, filename, { validateExpr, validateTemplate: checkTemplate });
}

/** Compiles every group of the named rule files; throws the first file's error. */
export function loadRuleGroups(cfg: PrometheusConfig, files: Readonly<Record<string, string>>): CompiledGroup[] {
  const names = resolveRuleFiles(cfg.ruleFiles, Object.keys(files));
  const byNorm = new Map(Object.entries(files).map(([k, v]) => [normalize(k), v]));
  const groups: CompiledGroup[] = [];
  for (const name of names) {
    const rf = parseAndValidateRuleFile(byNorm.get(name)!, name);
    for (const g of rf.groups) groups.push(compileGroup(g, cfg.global));
  }
  return groups;
}
