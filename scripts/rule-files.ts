/**
 * @module
 * The rule files a prometheus.yml names (`rule_files` globs, relative to the
 * config file's folder, as Prometheus resolves them), read into the JSON
 * `{"<path relative to the config folder>": "<text>"}` the Worker takes as
 * PROMETHEUS_RULES. Used by `npm start`; for a deploy:
 * `node scripts/rule-files.ts prometheus.yml | npx wrangler secret put PROMETHEUS_RULES`.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parsePrometheusConfig } from "../shared/config/prometheus-config.ts";
import { readGlobs } from "./glob-files.ts";

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
  process.stdout.write(ruleFilesJson(process.argv[2] ?? "config/prometheus.yml"));
}
