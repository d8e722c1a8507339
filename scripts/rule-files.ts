/**
 * @module
 * The rule files a prometheus.yml names (`rule_files` globs, relative to the
 * config file's folder, as Prometheus resolves them), read into the JSON
 * `{"<path relative to the config folder>": "<text>"}` the Worker takes as
 * PROMETHEUS_RULES. Used by `npm start`. For a deploy,
 * `npx node scripts/rule-files.ts --write [prometheus.yml]` bundles them into
 * config/rule-files.ts (Worker variables are limited to 5 KB, rule files are not).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
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
  const args = process.argv.slice(2);
  const write = args[0] === "--write";
  const config = (write ? args[1] : args[0]) ?? "config/prometheus.yml";
  const json = ruleFilesJson(config);
  if (!write) process.stdout.write(json);
  else {
    const out = resolve(import.meta.dirname, "../config/rule-files.ts");
    const head = "// The rule files bundled into a deploy, by path relative to the config folder.\n// Written by `npx node scripts/rule-files.ts --write [prometheus.yml]` before\n// `npm run deploy`; PROMETHEUS_RULES (which `npm start` sets) overrides it.\n";
    writeFileSync(out, `${head}const ruleFiles: Record<string, string> = ${JSON.stringify(JSON.parse(json), null, 2)};\nexport default ruleFiles;\n`);
    console.log(`wrote ${Object.keys(JSON.parse(json) as object).length} rule files to ${out}`);
  }
}
