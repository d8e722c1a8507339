/**
 * @module
 * The alertmanager.yml in force: ALERTMANAGER_CONFIG when set (npm start
 * passes PYROMETER_ALERTMANAGER_CONFIG's file this way; a secret when
 * deployed, at most 5 KB), else the bundled config/alertmanager.yml. Parsed once per text.
 */
import type { Env } from "../env.ts";
import bundledConfig from "../../config/alertmanager.yml";
import bundledTemplates from "../../config/alertmanager-templates.ts";
import { parseAlertmanagerConfig } from "../../shared/alertmanager/config.ts";
import type { AlertmanagerConfig } from "../../shared/alertmanager/config.ts";
import { checkTemplateFiles } from "../../shared/alertmanager/render.ts";
import { fileSetting } from "../config/file-setting.ts";

let cached: { text: string; config: AlertmanagerConfig } | undefined;
let cachedTemplates: { json: string; texts: string[] } | undefined;

export function loadAlertmanagerConfig(env: Env): AlertmanagerConfig {
  const set = fileSetting(env, "ALERTMANAGER_CONFIG");
  const text = set ?? bundledConfig;
  if (cached?.text !== text) {
    const name = set !== undefined ? (env.ALERTMANAGER_CONFIG_FILE ?? "alertmanager.yml") : "config/alertmanager.yml";
    cached = { text, config: parseAlertmanagerConfig(text, name) };
  }
  return cached.config;
}

export function alertmanagerStub(env: Env) {
  return env.ALERTMANAGER.get(env.ALERTMANAGER.idFromName("default"));
}

/** The texts of the notification template files (ALERTMANAGER_TEMPLATES, else the bundled ones), checked to parse. */
export function loadTemplateTexts(env: Env): string[] {
  const json = fileSetting(env, "ALERTMANAGER_TEMPLATES") ?? JSON.stringify(bundledTemplates);
  if (cachedTemplates?.json !== json) {
    let files: Record<string, string>;
    try {
      files = JSON.parse(json) as Record<string, string>;
    } catch (e) {
      throw new Error(`ALERTMANAGER_TEMPLATES is not JSON {"path": "text"}: ${(e as Error).message}`);
    }
    cachedTemplates = { json, texts: checkTemplateFiles(files) };
  }
  return cachedTemplates.texts;
}
