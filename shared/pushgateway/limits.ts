/**
 * @module
 * The ingest limits (shared/limits) on a push: every series the group would
 * expose (family name and suffix, the sample's labels, the grouping key's
 * labels) must pass them, or the push is refused with 400 before it is
 * stored: a group that the scrape of /pushgateway/metrics would then refuse
 * would fail that scrape for every group.
 */
import type { Label } from "../labels/labels.ts";
import { METRIC_NAME } from "../labels/labels.ts";
import type { MetricFamily } from "../exposition/index.ts";
import { ApiError } from "../api/errors.ts";
import { labelsLimitProblem, type IngestLimits } from "../limits/ingest-limits.ts";
import type { GroupingKey } from "./grouping-key.ts";
import { INCONSISTENT } from "./push-groups.ts";

/** A push body crosses one Durable Object RPC (limited to 32 MiB) whole, so it is capped below that. */
export const MAX_PUSH_BYTES = 16 * 1024 * 1024;

/** The limits a push body is read under: the deployment's, but at most MAX_PUSH_BYTES sent or inflated. */
export function pushBodyLimits(limits: IngestLimits): IngestLimits {
  return { ...limits, maxRequestBytes: Math.min(limits.maxRequestBytes, MAX_PUSH_BYTES), maxDecodedBytes: Math.min(limits.maxDecodedBytes, MAX_PUSH_BYTES) };
}

export function checkPushLimits(key: GroupingKey, families: readonly MetricFamily[], limits: IngestLimits): void {
  const keyProblem = labelsLimitProblem(key.labels, limits);
  if (keyProblem !== undefined) throw new ApiError("bad_data", `grouping key: ${keyProblem}`);
  for (const f of families) {
    for (const s of f.samples) {
      const byName = new Map<string, Label>();
      byName.set(METRIC_NAME, { name: METRIC_NAME, value: f.name + (s.suffix ?? "") });
      for (const l of s.labels) byName.set(l.name, l);
      // The grouping key's labels win, as the Pushgateway exposes them.
      for (const l of key.labels) byName.set(l.name, l);
      const problem = labelsLimitProblem([...byName.values()], limits);
      if (problem !== undefined) throw new ApiError("bad_data", INCONSISTENT + problem);
    }
  }
}
