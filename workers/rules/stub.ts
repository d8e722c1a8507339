/**
 * @module
 * Addressing the RuleGroups shards, and settings the rule engine reads from
 * the environment.
 */
import type { Env } from "../env.ts";
import bundledRuleFiles from "../../config/rule-files.ts";
import { fileSetting } from "../config/file-setting.ts";

/** How many RuleGroups objects the groups are spread over (RULE_SHARDS, default 1). */
export function ruleShardCount(env: Env): number {
  const n = Number(env.RULE_SHARDS ?? "1");
  return Number.isInteger(n) && n > 0 ? n : 1;
}

export function allRuleShards(env: Env) {
  return Array.from({ length: ruleShardCount(env) }, (_, i) => ({ index: i, stub: env.RULE_GROUPS.get(env.RULE_GROUPS.idFromName(`rules-${i}`)) }));
}

/** Prometheus's --web.external-url: EXTERNAL_URL, else the Worker's own address; no trailing slash. */
export function externalURL(env: Env): string {
  return (env.EXTERNAL_URL ?? `http://${env.SELF_ADDRESS}`).replace(/\/+$/, "");
}

/**
 * The rule files in force: from PROMETHEUS_RULES_URL (npm start serves the
 * files on loopback, so an edit applies at the next reload), else
 * PROMETHEUS_RULES, else those bundled at deploy.
 */
export async function ruleFiles(env: Env): Promise<Record<string, string>> {
  if (env.PROMETHEUS_RULES_URL) {
    const res = await fetch(env.PROMETHEUS_RULES_URL, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`cannot read the rule files: HTTP ${res.status}`);
    return (await res.json()) as Record<string, string>;
  }
  const set = fileSetting(env, "PROMETHEUS_RULES");
  return set ? (JSON.parse(set) as Record<string, string>) : bundledRuleFiles;
}
