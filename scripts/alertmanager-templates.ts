/**
 * @module
 * The notification template files an alertmanager.yml names (`templates:`
 * globs, relative to the file), as the JSON `{"<path>": "<text>"}` the Worker
 * takes as ALERTMANAGER_TEMPLATES. Used by `npm start`. For a deploy,
 * `npx node scripts/alertmanager-templates.ts --write [alertmanager.yml]` bundles them
 * into config/alertmanager-templates.ts (Worker variables are limited to 5 KB).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseAlertmanagerConfig } from "../shared/alertmanager/config.ts";
import { readGlobs } from "./glob-files.ts";

export function templateFilesJson(configPath: string, configText = readFileSync(configPath, "utf8")): string {
  let patterns: string[];
  try {
    patterns = parseAlertmanagerConfig(configText, configPath).templates;
  } catch {
    // The Worker reports the config error itself.
    return "{}";
  }
  return JSON.stringify(readGlobs(dirname(configPath), patterns));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const write = args[0] === "--write";
  const json = templateFilesJson((write ? args[1] : args[0]) ?? "config/alertmanager.yml");
  if (!write) process.stdout.write(json);
  else {
    const out = resolve(import.meta.dirname, "../config/alertmanager-templates.ts");
    const head = "// The notification template files bundled into a deploy (alertmanager.yml `templates:`).\n// Written by `npx node scripts/alertmanager-templates.ts --write [alertmanager.yml]`\n// before `npm run deploy`; ALERTMANAGER_TEMPLATES (which `npm start` sets) overrides it.\n";
    writeFileSync(out, `${head}const templateFiles: Record<string, string> = ${JSON.stringify(JSON.parse(json), null, 2)};\nexport default templateFiles;\n`);
    console.log(`wrote ${Object.keys(JSON.parse(json) as object).length} template files to ${out}`);
  }
}
