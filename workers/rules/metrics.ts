/**
 * @module
 * The rule shards' self-metrics for /metrics; no RPC when no rule files are loaded
 * (so a Pyrometer without rules never wakes the RuleGroups objects).
 */
import type { Env } from "../env.ts";
import type { MetricFamily } from "../../shared/exposition/format.ts";
import { mergeFamilies } from "../../shared/rules/metrics.ts";
import { allRuleShards, ruleFiles } from "./stub.ts";

export async function ruleShardMetrics(env: Env): Promise<MetricFamily[]> {
  if (Object.keys(await ruleFiles(env).catch(() => ({}))).length === 0) return [];
  const parts = await Promise.all(allRuleShards(env).map(async ({ index, stub }) => JSON.parse(await stub.metrics(index)) as MetricFamily[]));
  return mergeFamilies(parts);
}
