/**
 * @module
 * Validating a prometheus.yml and the rule and scrape-config files it names,
 * reporting as `promtool check config` does. Used by `npm run check-config`
 * and by `npm start`, which refuses to start on an invalid config.
 *
 * Rule and scrape-config globs are resolved relative to the config file, as
 * Prometheus does. Rule expressions are checked with Pyrometer's PromQL parser.
 */
import { globSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { parsePrometheusConfig, parseScrapeConfigFile } from "../../shared/config/index.ts";
import { parseAndValidateRuleFile } from "../../shared/rules/load.ts";
import type { ScrapeConfig } from "../../shared/config/index.ts";
export function expandGlobs(patterns: readonly string[], base: string): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const abs = isAbsolute(p) ? p : join(base, p);
    out.push(...(p.includes("*") || p.includes("?") || p.includes("[") ? globSync(abs).sort() : [abs]));
  }
  return out;
}

/** Checks one config file; returns false when it or a file it names is invalid. */
export function checkConfigFile(path: string, out: (line: string) => void): boolean {
  out(`Checking ${path}`);
  let ruleFiles: string[];
  try {
    const cfg = parsePrometheusConfig(readFileSync(path, "utf8"), path, { env: process.env });
    const base = dirname(path);
    const scrapeConfigs: ScrapeConfig[] = [...cfg.scrapeConfigs];
    for (const f of expandGlobs(cfg.scrapeConfigFiles, base)) {
      scrapeConfigs.push(...parseScrapeConfigFile(readFileSync(f, "utf8"), f, cfg.global, scrapeConfigs));
    }
    ruleFiles = expandGlobs(cfg.ruleFiles, base);
    for (const n of cfg.notes) out(`  WARNING: ${n}`);
    out(`  SUCCESS: ${ruleFiles.length} rule files found`);
    out(` SUCCESS: ${path} is valid prometheus config file syntax`);
  } catch (e) {
    out(`  FAILED: ${(e as Error).message}`);
    out("");
    return false;
  }
  out("");
  let ok = true;
  for (const f of ruleFiles) {
    out(`Checking ${f}`);
    try {
      const rules = parseAndValidateRuleFile(readFileSync(f, "utf8"), f);
      const n = rules.groups.reduce((sum, g) => sum + g.rules.length, 0);
      out(`  SUCCESS: ${n} rules found`);
    } catch (e) {
      out(`  FAILED:\n${(e as Error).message}`);
      ok = false;
    }
    out("");
  }
  return ok;
}


/** The rule and scrape-config files a config names (globs expanded); [] when it does not parse. */
export function namedFiles(path: string): string[] {
  try {
    const cfg = parsePrometheusConfig(readFileSync(path, "utf8"), path, { env: process.env });
    return [...expandGlobs(cfg.ruleFiles, dirname(path)), ...expandGlobs(cfg.scrapeConfigFiles, dirname(path))];
  } catch {
    return [];
  }
}
