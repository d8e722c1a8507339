/**
 * @module
 * The Worker's bindings, as declared in wrangler.toml.
 */
import type { HeadShard } from "./head/head-shard.ts";
import type { ScrapeScheduler } from "./scraper/scheduler.ts";
import type { Pushgateway } from "./pushgateway/pushgateway.ts";
import type { Prober } from "./probe/prober.ts";
import type { ConfigStore } from "./config/store.ts";
import type { Alertmanager } from "./alertmanager/alertmanager.ts";
import type { RuleGroups } from "./rules/rule-groups.ts";

export interface Env {
  HEAD_SHARD: DurableObjectNamespace<HeadShard>;
  SCRAPER: DurableObjectNamespace<ScrapeScheduler>;
  PUSHGATEWAY: DurableObjectNamespace<Pushgateway>;
  CONFIG: DurableObjectNamespace<ConfigStore>;
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
  /** The web UI's static assets (ui/dist, wrangler.toml [assets]). */
  ASSETS: Fetcher;
  // Alertmanager (workers/alertmanager): the dispatcher object and the notification queue.
  ALERTMANAGER: DurableObjectNamespace<Alertmanager>;
  NOTIFICATIONS: Queue<unknown>;
  /** Cloudflare's send_email binding (optional): the second email transport. */
  EMAIL?: SendEmail;
  /** alertmanager.yml text overriding the bundled config/alertmanager.yml (a secret when deployed). */
  ALERTMANAGER_CONFIG?: string;
  /** File name used in config error messages for ALERTMANAGER_CONFIG. */
  ALERTMANAGER_CONFIG_FILE?: string;
  /** The files alertmanager.yml's `templates:` name, as JSON {"path": "text"} (npm start passes them). */
  ALERTMANAGER_TEMPLATES?: string;
  /** "send_email" sends email through the EMAIL binding instead of SMTP. */
  ALERTMANAGER_EMAIL_TRANSPORT?: string;
  /** First retry delay of a failed notification, doubled on each retry (default 10). */
  NOTIFY_RETRY_BASE_SECONDS?: string;

  // ---- Rules and alerting ----
  RULE_GROUPS: DurableObjectNamespace<RuleGroups>;
  /** Rule files named by rule_files, as JSON {"path relative to the config": "text"} (npm start passes them; a deploy bundles config/rule-files.ts). */
  PROMETHEUS_RULES?: string;
  /** Where to (re)read the rule files from (npm start serves them on loopback). */
  PROMETHEUS_RULES_URL?: string;
  /** Number of RuleGroups objects rule groups are spread over (default 1). */
  RULE_SHARDS?: string;
  /** Prometheus's --web.external-url (alert generator URLs, templates); default http://SELF_ADDRESS. */
  EXTERNAL_URL?: string;
}
