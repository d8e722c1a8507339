/**
 * `npm run check-alertmanager-config -- FILE...`: validates alertmanager.yml
 * files and the template files they name, printing results the way
 * `amtool check-config` does. Exit code 1 when anything is invalid.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseAlertmanagerConfig } from "../shared/alertmanager/config.ts";
import { checkTemplateFiles } from "../shared/alertmanager/render.ts";
import { readGlobs } from "./glob-files.ts";

let ok = true;
const files = process.argv.slice(2);
if (files.length === 0) files.push("config/alertmanager.yml");
for (const path of files) {
  try {
    const cfg = parseAlertmanagerConfig(readFileSync(path, "utf8"), path);
    const templates = readGlobs(dirname(path), cfg.templates);
    checkTemplateFiles(templates);
    console.log(`Checking '${path}'  SUCCESS`);
    console.log("Found:");
    console.log(" - global config");
    console.log(" - route");
    console.log(` - ${cfg.inhibitRules.length} inhibit rules`);
    console.log(` - ${cfg.receivers.length} receivers`);
    console.log(` - ${Object.keys(templates).length} templates`);
  } catch (e) {
    console.log(`Checking '${path}'  FAILED: ${(e as Error).message}`);
    ok = false;
  }
  console.log("");
}
process.exit(ok ? 0 : 1);
