/**
 * `npx node scripts/check-config.ts FILE...`: validates prometheus.yml files
 * and the rule and scrape config files they name, printing results the way
 * `promtool check config` does. Exit code 1 when anything is invalid.
 *
 * Rule and scrape-config globs are resolved relative to the config file, as
 * Prometheus does. Rule files get promtool's full check: expressions parse
 * (Pyrometer's PromQL parser) and alert label/annotation templates parse.
 */
import { checkConfigFile } from "./lib/config-check.ts";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: npx node scripts/check-config.ts prometheus.yml...");
  process.exit(2);
}
let allOk = true;
for (const f of files) if (!checkConfigFile(f, (l) => console.log(l))) allOk = false;
process.exit(allOk ? 0 : 1);
