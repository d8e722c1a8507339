/**
 * @module
 * The Worker's bindings, as declared in wrangler.toml.
 */
import type { HeadShard } from "./head/head-shard.ts";
import type { ScrapeScheduler } from "./scraper/scheduler.ts";
import type { Pushgateway } from "./pushgateway/pushgateway.ts";
import type { RuleGroups } from "./rules/rule-groups.ts";

export interface Env {
  HEAD_SHARD: DurableObjectNamespace<HeadShard>;
  SCRAPER: DurableObjectNamespace<ScrapeScheduler>;
  PUSHGATEWAY: DurableObjectNamespace<Pushgateway>;
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
  /** File name used in config error messages for PROMETHEUS_CONFIG. */
  PROMETHEUS_CONFIG_FILE?: string;
  /** When set (a secret), ingest endpoints require `Authorization: Bearer <WRITE_TOKEN>`. */
  WRITE_TOKEN?: string;
  /** "false" keeps the scheduler from arming itself (worker tests drive it by hand). */
  SCRAPE_AUTOSTART?: string;

  // ---- Rules and alerting ----
  RULE_GROUPS: DurableObjectNamespace<RuleGroups>;
  /** Rule files named by rule_files, as JSON {"path relative to the config": "text"} (npm start passes them; a deploy bundles config/rule-files.ts). */
  PROMETHEUS_RULES?: string;
  /** Number of RuleGroups objects rule groups are spread over (default 1). */
  RULE_SHARDS?: string;
  /** Prometheus's --web.external-url (alert generator URLs, templates); default http://SELF_ADDRESS. */
  EXTERNAL_URL?: string;
  /** The built-in Alertmanager, when deployed: object "default" takes postAlerts(PostableAlert[]). */
  ALERTMANAGER?: DurableObjectNamespace;
}
