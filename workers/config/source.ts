/**
 * @module
 * Where the prometheus.yml comes from, and parsing it (memoized by text).
 *
 * Sources, first match wins:
 * - `PROMETHEUS_CONFIG_URL`: `npm start` serves the file named by
 *   PYROMETER_CONFIG on loopback, so a reload re-reads the file as
 *   Prometheus does (the Worker cannot read the disk);
 * - `PROMETHEUS_CONFIG`: the text (a deployment's secret);
 * - the bundled config/prometheus.yml.
 */
import type { Env } from "../env.ts";
import type { PrometheusConfig } from "../../shared/config/types.ts";
import { parsePrometheusConfig } from "../../shared/config/prometheus-config.ts";
import { fnv1a32 } from "../../shared/labels/labels.ts";
import bundledConfig from "../../config/prometheus.yml";

export interface ConfigText {
  text: string;
  /** File name used in `file:line:` error messages. */
  file: string;
}

/** The config text from the environment alone (no fetch): PROMETHEUS_CONFIG or the bundled file. */
export function envConfigText(env: Env): ConfigText {
  if (env.PROMETHEUS_CONFIG) return { text: env.PROMETHEUS_CONFIG, file: env.PROMETHEUS_CONFIG_FILE ?? "prometheus.yml" };
  return { text: bundledConfig, file: "config/prometheus.yml" };
}

/**
 * A fingerprint of where the config comes from: it changes when a deploy
 * sets a new PROMETHEUS_CONFIG (or npm start another URL), not when the
 * file behind the URL changes (that is what a reload is for).
 */
export function sourceFingerprint(env: Env): string {
  return env.PROMETHEUS_CONFIG_URL ? `url:${env.PROMETHEUS_CONFIG_URL}` : `text:${textHash(envConfigText(env).text)}`;
}

/** Reads the config text from its source (fetching PROMETHEUS_CONFIG_URL when set). */
export async function readConfigText(env: Env): Promise<ConfigText> {
  const file = env.PROMETHEUS_CONFIG_FILE ?? "prometheus.yml";
  if (!env.PROMETHEUS_CONFIG_URL) return envConfigText(env);
  let res: Response;
  try {
    res = await fetch(env.PROMETHEUS_CONFIG_URL, { signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`cannot read ${file}: ${(await res.text()).trim() || `HTTP ${res.status}`}`);
  return { text: await res.text(), file };
}

export function textHash(text: string): string {
  return `${fnv1a32(text).toString(16)}-${text.length}`;
}

const parsed = new Map<string, PrometheusConfig>();

/** Parses a config text; the same text is parsed once per isolate. Throws ConfigError. */
export function parseConfigText(c: ConfigText): PrometheusConfig {
  const key = `${c.file}\xff${c.text}`;
  let cfg = parsed.get(key);
  if (!cfg) {
    cfg = parsePrometheusConfig(c.text, c.file);
    if (parsed.size > 8) parsed.clear();
    parsed.set(key, cfg);
  }
  return cfg;
}
