/**
 * @module
 * The blackbox.yml in force: BLACKBOX_CONFIG when set (deployed, a secret;
 * npm start passes the file named by PYROMETER_BLACKBOX_CONFIG), else the
 * bundled config/blackbox.yml. Parsed once per text.
 */
import type { Env } from "../env.ts";
import { parseBlackboxConfig } from "../../shared/probe/index.ts";
import type { BlackboxConfig } from "../../shared/probe/index.ts";
import bundled from "../../config/blackbox.yml";
import { fileSetting } from "../config/file-setting.ts";

let cached: { text: string; config: BlackboxConfig } | undefined;

export function loadBlackboxConfig(env: Env): BlackboxConfig {
  const set = fileSetting(env, "BLACKBOX_CONFIG");
  const text = set ?? bundled;
  if (cached?.text !== text) {
    const name = set !== undefined ? (env.BLACKBOX_CONFIG_FILE ?? "blackbox.yml") : "config/blackbox.yml";
    cached = { text, config: parseBlackboxConfig(text, name) };
  }
  return cached.config;
}
