/**
 * @module
 * The notification template files an alertmanager.yml names (`templates:`
 * globs, relative to the file), as the JSON `{"<path>": "<text>"}` the Worker
 * takes as ALERTMANAGER_TEMPLATES. Used by `npm start`; for a deploy:
 * `node scripts/alertmanager-templates.ts alertmanager.yml | npx wrangler secret put ALERTMANAGER_TEMPLATES`.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
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
  process.stdout.write(templateFilesJson(process.argv[2] ?? "config/alertmanager.yml"));
}
