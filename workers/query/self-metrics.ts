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
import { currentConfig } from "../config/index.ts";
import type { CurrentConfig } from "../config/index.ts";
import { alertmanagerFamilies } from "../alertmanager/metrics.ts";
import { ruleShardMetrics } from "../rules/metrics.ts";

/** Prometheus's config reload gauges (absent while the environment's config is invalid). */
function reloadFamilies(cur: CurrentConfig | undefined): MetricFamily[] {
  if (!cur) return [];
  return [
    {
      name: "prometheus_config_last_reload_successful",
      help: "Whether the last configuration reload attempt was successful.",
      type: "gauge",
      samples: [{ labels: [], value: cur.lastReloadSuccessful ? 1 : 0 }],
    },
    {
      name: "prometheus_config_last_reload_success_timestamp_seconds",
      help: "Timestamp of the last successful configuration reload.",
      type: "gauge",
      samples: [{ labels: [], value: Math.floor(cur.lastSuccessMs / 1000) }],
    },
  ];
}

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
  const [heads, scrapers, cur] = await Promise.all([
    Promise.all(Array.from({ length: n }, (_, i) => shardStub(env, i).stats() as Promise<HeadStats>)),
    Promise.all(allScrapers(env).map(({ index, stub }) => (index === local?.shard ? local.stats : (stub.stats() as Promise<ScrapeStats>)))),
    currentConfig(env).catch(() => undefined),
  ]);
  const scrapeStats = { jobs: sumJobs(scrapers) };
  const perShard = (name: string, help: string, type: "counter" | "gauge", pick: (s: HeadStats) => number): MetricFamily => ({
    name,
    help,
    type,
    samples: heads.map((s, i) => ({ labels: labelsFromRecord({ shard: String(i) }), value: pick(s) })),
  });
  const families: MetricFamily[] = [
    ...reloadFamilies(cur),
    perShard("prometheus_tsdb_head_series", "Total number of series in the head block.", "gauge", (s) => s.numSeries),
    perShard("prometheus_tsdb_head_chunks", "Total number of chunks in the head block.", "gauge", (s) => s.numChunks),
    perShard("prometheus_tsdb_head_samples_appended_total", "Total number of appended samples.", "counter", (s) => s.appendedTotal),
    perShard("prometheus_tsdb_out_of_order_samples_total", "Total number of out of order samples ingestion failed attempts.", "counter", (s) => s.outOfOrderTotal),
    perShard("prometheus_tsdb_duplicate_samples_total", "Total number of samples rejected as duplicates (same timestamp, different value).", "counter", (s) => s.duplicateTotal),
    perShard("prometheus_tsdb_too_old_samples_total", "Total number of samples rejected as older than the head.", "counter", (s) => s.tooOldTotal),
    perShard("pyrometer_head_wal_rows", "WAL rows not yet checkpointed.", "gauge", (s) => s.walRows),
    perShard("pyrometer_head_bytes", "Approximate heap bytes the head holds (closed chunks already in checkpoint rows are not in memory).", "gauge", (s) => s.approxBytes),
    perShard("pyrometer_head_stored_chunks", "Closed head chunks read back from checkpoint rows instead of held in memory.", "gauge", (s) => s.storedChunks),
    // Billed operations (docs/cost.md), counted since each object started.
    perShard("pyrometer_head_append_requests_total", "Append RPCs received (billed Durable Object requests).", "counter", (s) => s.appendCalls),
    perShard("pyrometer_head_sqlite_rows_written_total", "SQLite rows written, deletes included (billed).", "counter", (s) => s.sqlRowsWritten),
    perShard("pyrometer_head_wal_rows_written_total", "WAL rows written.", "counter", (s) => s.walRowsWritten),
    perShard("pyrometer_head_sqlite_rows_read_total", "SQLite rows read back for closed chunks kept in checkpoint rows (billed).", "counter", (s) => s.sqlRowsRead),
    perShard("pyrometer_head_sqlite_database_bytes", "Size of the head shard's SQLite database.", "gauge", (s) => s.sqlDatabaseBytes),
    perShard("pyrometer_blocks_r2_puts_total", "R2 objects put for blocks (billed Class A operations).", "counter", (s) => s.r2Puts),
    perShard("pyrometer_blocks_d1_rows_written_total", "D1 catalog rows written for blocks.", "counter", (s) => s.d1RowsWritten),
    {
      name: "pyrometer_scrape_ticks_total",
      help: "Scheduler ticks that scraped something (each a billed alarm and one append RPC).",
      type: "counter",
      samples: scrapers.map((s, i) => ({ labels: labelsFromRecord({ scraper: String(i) }), value: s.ticks ?? 0 })),
    },
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
