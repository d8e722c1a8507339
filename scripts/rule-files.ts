/**
 * @module
 * The rule files a prometheus.yml names (`rule_files` globs, relative to the
 * config file's folder, as Prometheus resolves them), read into the JSON
 * `{"<path relative to the config folder>": "<text>"}` the Worker takes as
 * PROMETHEUS_RULES. Used by `npm start`; for a deploy:
 * `node scripts/rule-files.ts prometheus.yml | npx wrangler secret put PROMETHEUS_RULES`.
 */
import { globSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { parsePrometheusConfig } from "../shared/config/prometheus-config.ts";

export function ruleFilesJson(configPath: string, configText = readFileSync(configPath, "utf8")): string {
  const base = dirname(configPath);
  const out: Record<string, string> = {};
  let patterns: string[];
  try {
    patterns = parsePrometheusConfig(configText, configPath, { env: process.env }).ruleFiles;
  } catch {
    // The Worker reports the config error itself.
    return "{}";
  }
  for (const p of patterns) {
    const abs = isAbsolute(p) ? p : join(base, p);
    const files = /[*?[]/.test(p) ? globSync(abs) : [abs];
    for (const f of files) {
      try {
        out[relative(base, f)] = readFileSync(f, "utf8");
      } catch {
        // A named file that does not exist matches nothing, as a glob would.
      }
    }
  }
  return JSON.stringify(out);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(ruleFilesJson(process.argv[2] ?? "config/prometheus.yml"));
}
