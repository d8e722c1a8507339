/**
 * @module
 * Pyrometer's own /metrics: what the head shards and the scrape scheduler
 * report, in Prometheus's naming where a Prometheus metric means the same.
 */
import type { Env } from "../env.ts";
import { shardCount, shardStub } from "../head/shards.ts";
import { formatFamilies } from "../../shared/exposition/format.ts";
import type { MetricFamily } from "../../shared/exposition/format.ts";
import { labelsFromRecord } from "../../shared/labels/labels.ts";
import type { HeadStats } from "../head/head-shard.ts";
import { allScrapers } from "../scraper/stub.ts";
import type { ScrapeStats, JobStats } from "../scraper/scheduler.ts";
import { alertmanagerFamilies } from "../alertmanager/metrics.ts";
import { ruleShardMetrics } from "../rules/metrics.ts";

/** Job statistics summed over every scraper shard. */
function sumJobs(all: ScrapeStats[]): JobStats[] {
  const jobs = new Map<string, JobStats>();
  for (const s of all) {
    for (const j of s.jobs) {
      const acc = jobs.get(j.job) ?? { job: j.job, targets: 0, scrapes: 0, failures: 0, samples: 0 };
      acc.targets += j.targets;
      acc.scrapes += j.scrapes;
      acc.failures += j.failures;
      acc.samples += j.samples;
      jobs.set(j.job, acc);
    }
  }
  return [...jobs.values()];
}

/**
 * `local` is passed by a scraper shard scraping this endpoint in-process: it
 * must not call its own stub, so its statistics come along.
 */
export async function selfMetrics(env: Env, local?: { shard: number; stats: ScrapeStats }): Promise<string> {
  const n = shardCount(env);
  const [heads, scrapers] = await Promise.all([
    Promise.all(Array.from({ length: n }, (_, i) => shardStub(env, i).stats() as Promise<HeadStats>)),
    Promise.all(allScrapers(env).map(({ index, stub }) => (index === local?.shard ? local.stats : (stub.stats() as Promise<ScrapeStats>)))),
  ]);
  const scrapeStats = { jobs: sumJobs(scrapers) };
  const perShard = (name: string, help: string, type: "counter" | "gauge", pick: (s: HeadStats) => number): MetricFamily => ({
    name,
    help,
    type,
    samples: heads.map((s, i) => ({ labels: labelsFromRecord({ shard: String(i) }), value: pick(s) })),
  });
  const families: MetricFamily[] = [
    perShard("prometheus_tsdb_head_series", "Total number of series in the head block.", "gauge", (s) => s.numSeries),
    perShard("prometheus_tsdb_head_chunks", "Total number of chunks in the head block.", "gauge", (s) => s.numChunks),
    perShard("prometheus_tsdb_head_samples_appended_total", "Total number of appended samples.", "counter", (s) => s.appendedTotal),
    perShard("prometheus_tsdb_out_of_order_samples_total", "Total number of out of order samples ingestion failed attempts.", "counter", (s) => s.outOfOrderTotal),
    perShard("prometheus_tsdb_duplicate_samples_total", "Total number of samples rejected as duplicates (same timestamp, different value).", "counter", (s) => s.duplicateTotal),
    perShard("prometheus_tsdb_too_old_samples_total", "Total number of samples rejected as older than the head.", "counter", (s) => s.tooOldTotal),
    perShard("pyrometer_head_wal_rows", "WAL rows not yet checkpointed.", "gauge", (s) => s.walRows),
    perShard("pyrometer_head_bytes", "Approximate bytes of chunk data held by the head.", "gauge", (s) => s.approxBytes),
    {
      name: "prometheus_target_scrapes_total",
      help: "Scrapes run, by job.",
      type: "counter",
      samples: scrapeStats.jobs.map((j) => ({ labels: labelsFromRecord({ job: j.job }), value: j.scrapes })),
    },
    {
      name: "prometheus_target_scrape_failures_total",
      help: "Scrapes that failed (target down, bad response or limit exceeded), by job.",
      type: "counter",
      samples: scrapeStats.jobs.map((j) => ({ labels: labelsFromRecord({ job: j.job }), value: j.failures })),
    },
    {
      name: "pyrometer_scrape_samples_total",
      help: "Samples appended by scrapes (after metric relabeling), by job.",
      type: "counter",
      samples: scrapeStats.jobs.map((j) => ({ labels: labelsFromRecord({ job: j.job }), value: j.samples })),
    },
    {
      name: "prometheus_sd_discovered_targets",
      help: "Current number of discovered targets, by job.",
      type: "gauge",
      samples: scrapeStats.jobs.map((j) => ({ labels: labelsFromRecord({ config: j.job }), value: j.targets })),
    },
    ...(await alertmanagerFamilies(env)),
  ];
  families.push(...(await ruleShardMetrics(env)));
  return formatFamilies(families);
}
