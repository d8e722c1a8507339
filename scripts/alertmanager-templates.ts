/**
 * @module
 * The notification template files an alertmanager.yml names (`templates:`
 * globs, relative to the file), as the JSON `{"<path>": "<text>"}` the Worker
 * takes as ALERTMANAGER_TEMPLATES. Used by `npm start`. For a deploy,
 * `npx node scripts/alertmanager-templates.ts --write [alertmanager.yml]` bundles them
 * into config/alertmanager-templates.ts (Worker variables are limited to 5 KB).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseAlertmanagerConfig } from "../shared/alertmanager/config.ts";
import { filesCommand, readGlobs } from "./glob-files.ts";

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
  filesCommand({
    json: (config) => templateFilesJson(config),
    defaultConfig: "config/alertmanager.yml",
    out: resolve(import.meta.dirname, "../config/alertmanager-templates.ts"),
    header: "// The notification template files bundled into a deploy (alertmanager.yml `templates:`).\n// Written by `npx node scripts/alertmanager-templates.ts --write [alertmanager.yml]`\n// before `npm run deploy`; ALERTMANAGER_TEMPLATES (which `npm start` sets) overrides it.\n",
    what: "template files",
  });
}
