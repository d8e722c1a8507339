/**
 * @module
 * The rule files a prometheus.yml names (`rule_files` globs, relative to the
 * config file's folder, as Prometheus resolves them), read into the JSON
 * `{"<path relative to the config folder>": "<text>"}` the Worker takes as
 * PROMETHEUS_RULES. Used by `npm start`. For a deploy,
 * `npx node scripts/rule-files.ts --write [prometheus.yml]` bundles them into
 * config/rule-files.ts (Worker variables are limited to 5 KB, rule files are not).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parsePrometheusConfig } from "../shared/config/prometheus-config.ts";
import { filesCommand, readGlobs } from "./glob-files.ts";

export function ruleFilesJson(configPath: string, configText = readFileSync(configPath, "utf8")): string {
  let patterns: string[];
  try {
    patterns = parsePrometheusConfig(configText, configPath, { env: process.env }).ruleFiles;
  } catch {
    // The Worker reports the config error itself.
    return "{}";
  }
  return JSON.stringify(readGlobs(dirname(configPath), patterns));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  filesCommand({
    json: (config) => ruleFilesJson(config),
    defaultConfig: "config/prometheus.yml",
    out: resolve(import.meta.dirname, "../config/rule-files.ts"),
    header: "// The rule files bundled into a deploy, by path relative to the config folder.\n// Written by `npx node scripts/rule-files.ts --write [prometheus.yml]` before\n// `npm run deploy`; PROMETHEUS_RULES (which `npm start` sets) overrides it.\n",
    what: "rule files",
  });
}
