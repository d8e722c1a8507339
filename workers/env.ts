/**
 * @module
 * The Worker's bindings, as declared in wrangler.toml.
 */
import type { HeadShard } from "./head/head-shard.ts";
import type { ScrapeScheduler } from "./scraper/scheduler.ts";
import type { Pushgateway } from "./pushgateway/pushgateway.ts";

export interface Env {
  HEAD_SHARD: DurableObjectNamespace<HeadShard>;
  SCRAPER: DurableObjectNamespace<ScrapeScheduler>;
  PUSHGATEWAY: DurableObjectNamespace<Pushgateway>;
  BLOCKS: R2Bucket;
  DB: D1Database;
  /** Number of head shards series are hashed over. */
  HEAD_SHARDS: string;
  /** Samples one query may load before it fails with "too many samples" (default 4,000,000; workers/head/read-path.ts). */
  QUERY_MAX_SAMPLES?: string;
  /** Number of scrape scheduler objects targets are spread over. */
  SCRAPE_SHARDS?: string;
  /** Scrape targets with this address are served in-process. */
  SELF_ADDRESS: string;
  /** prometheus.yml text overriding the bundled config/prometheus.yml. */
  PROMETHEUS_CONFIG?: string;
  /** File name used in config error messages for PROMETHEUS_CONFIG. */
  PROMETHEUS_CONFIG_FILE?: string;
  /** When set (a secret), ingest endpoints require `Authorization: Bearer <WRITE_TOKEN>`. */
  WRITE_TOKEN?: string;
  /** "false" keeps the scheduler from arming itself (worker tests drive it by hand). */
  SCRAPE_AUTOSTART?: string;
}
