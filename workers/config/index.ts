/**
 * @module
 * The configuration in force, for every role. Call `currentConfig(env)` to
 * get it (parsed, with a `hash` that changes on each reload) and
 * `reloadConfig(env)` to reload it as `POST /-/reload` does. Roles that keep
 * state derived from the config (the scrape scheduler, rule evaluation)
 * compare `hash` to learn of a reload; `/-/reload` also tells them at once
 * (workers/query/reload.ts lists who is told).
 */
import type { Env } from "../env.ts";
import type { PrometheusConfig } from "../../shared/config/types.ts";
import type { ConfigState } from "./store.ts";
import { parseConfigText } from "./source.ts";

export type { ConfigState } from "./store.ts";
export { sourceFingerprint } from "./source.ts";

export interface CurrentConfig extends ConfigState {
  config: PrometheusConfig;
}

export function configStore(env: Env) {
  return env.CONFIG.get(env.CONFIG.idFromName("config"));
}

/** The config in force (throws ConfigError when the environment's config is invalid and none was loaded). */
export async function currentConfig(env: Env): Promise<CurrentConfig> {
  const s = (await configStore(env).current()) as ConfigState;
  return { ...s, config: parseConfigText(s) };
}

/** Reloads from the source; `lastReloadSuccessful` false (and `lastError`) when the new config was refused. */
export async function reloadConfig(env: Env): Promise<CurrentConfig> {
  const s = (await configStore(env).reload()) as ConfigState;
  return { ...s, config: parseConfigText(s) };
}
