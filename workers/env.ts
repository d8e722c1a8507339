/**
 * @module
 * The Worker's bindings, as declared in wrangler.toml.
 */
import type { HeadShard } from "./head/head-shard.ts";
import type { ScrapeScheduler } from "./scraper/scheduler.ts";
import type { Pushgateway } from "./pushgateway/pushgateway.ts";
import type { Prober } from "./probe/prober.ts";
import type { ConfigStore } from "./config/store.ts";

export interface Env {
  HEAD_SHARD: DurableObjectNamespace<HeadShard>;
  SCRAPER: DurableObjectNamespace<ScrapeScheduler>;
  PUSHGATEWAY: DurableObjectNamespace<Pushgateway>;
  CONFIG: DurableObjectNamespace<ConfigStore>;
  BLOCKS: R2Bucket;
  DB: D1Database;
  /** Number of head shards series are hashed over. */
  HEAD_SHARDS: string;
  /** Number of scrape scheduler objects targets are spread over. */
  SCRAPE_SHARDS?: string;
  /** Scrape targets with this address are served in-process. */
  SELF_ADDRESS: string;
  /** prometheus.yml text overriding the bundled config/prometheus.yml. */
  PROMETHEUS_CONFIG?: string;
  /** Where to (re)read the prometheus.yml from (npm start serves the file on loopback). */
  PROMETHEUS_CONFIG_URL?: string;
  /** File name used in config error messages for PROMETHEUS_CONFIG. */
  PROMETHEUS_CONFIG_FILE?: string;
  /** When set (a secret), every endpoint that changes data requires `Authorization: Bearer <WRITE_TOKEN>` (workers/query/auth.ts). */
  WRITE_TOKEN?: string;
  /**
   * Ingest limits (shared/limits/ingest-limits.ts, docs/compatibility.md):
   * FUTURE_SAMPLE_GRACE, MAX_REQUEST_BYTES, MAX_DECODED_BYTES, LABEL_LIMIT,
   * LABEL_NAME_LENGTH_LIMIT, LABEL_VALUE_LENGTH_LIMIT; unset means the default.
   */
  FUTURE_SAMPLE_GRACE?: string;
  MAX_REQUEST_BYTES?: string;
  MAX_DECODED_BYTES?: string;
  LABEL_LIMIT?: string;
  LABEL_NAME_LENGTH_LIMIT?: string;
  LABEL_VALUE_LENGTH_LIMIT?: string;
  /** When set (a secret), reads (query, series, targets, status…) require `Authorization: Bearer <READ_TOKEN>` (or the WRITE_TOKEN). */
  READ_TOKEN?: string;
  /** Regex of browser origins allowed by CORS, as Prometheus's --web.cors.origin (default `.*`). */
  CORS_ORIGIN?: string;
  /** "false" keeps the scheduler from arming itself (worker tests drive it by hand). */
  SCRAPE_AUTOSTART?: string;
  // Probes and heartbeats (workers/probe).
  /** One Prober object per region (location hint). */
  PROBER: DurableObjectNamespace<Prober>;
  /** blackbox.yml text overriding the bundled config/blackbox.yml. */
  BLACKBOX_CONFIG?: string;
  /** File name used in config error messages for BLACKBOX_CONFIG. */
  BLACKBOX_CONFIG_FILE?: string;
  /** When set (a secret), /heartbeat pings must carry it (`?token=` or Bearer). */
  HEARTBEAT_TOKEN?: string;
  /** When set (a secret), /probe requires it (Bearer or `?token=`), except from the scheduler's in-process scrapes. */
  PROBE_TOKEN?: string;
  /** "true" only on the env the scheduler passes to its in-process scrapes; never a binding. */
  SELF_SCRAPE?: string;
}
